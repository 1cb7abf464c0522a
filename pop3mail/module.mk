# pop3mail - the POP3 mail process (after login, as the user)
$(eval $(call program,pop3mail,libexec))
