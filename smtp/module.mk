# smtp - the SMTP client delivery agent (relayhost, MX, connection cache)
$(eval $(call program,smtp,libexec))
