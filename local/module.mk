# local - the local delivery agent (aliases, .forward, Maildir and mbox)
$(eval $(call program,local,libexec))
