# imapmail - the IMAP mail process (after login, as the user)
$(eval $(call program,imapmail,libexec))
