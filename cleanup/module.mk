# cleanup - the only writer of incoming/: header/body checks, address
# rewriting, durable queue files
$(eval $(call program,cleanup,libexec))
