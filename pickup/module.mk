# pickup - local submission: maildrop/ (written by postdrop) into cleanup
$(eval $(call program,pickup,libexec))
