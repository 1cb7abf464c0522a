# qmgr - the queue manager
$(eval $(call program,qmgr,libexec))
