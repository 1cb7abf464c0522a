# showq - the queue listing service behind postqueue -p/-j/-i/-s
$(eval $(call program,showq,libexec))
