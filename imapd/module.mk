# imapd - the IMAP login process (pre-login protocol, TLS, the handoff)
$(eval $(call program,imapd,libexec))
