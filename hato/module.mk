# hato - the control command (init, start, stop, reload, status, check, ...)
$(eval $(call program,hato,bin))

