# smtpd - the SMTP server
$(eval $(call program,smtpd,libexec))
