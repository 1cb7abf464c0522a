# master - the supervisor: listening sockets, daemons on demand, reload
$(eval $(call program,master,libexec))
