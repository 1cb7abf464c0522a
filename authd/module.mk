# authd - the authentication daemon (passdb/userdb, SASL for smtpd, imapd, pop3d)
$(eval $(call program,authd,libexec))
