# proxymap - table lookups for chrooted daemons ("proxy:TYPE:NAME")
$(eval $(call program,proxymap,libexec))
