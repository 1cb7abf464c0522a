# pop3d - the POP3 login process (pre-login protocol, TLS, the handoff)
$(eval $(call program,pop3d,libexec))
