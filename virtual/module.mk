# virtual - the virtual delivery agent (virtual_mailbox_maps, Maildir and
# mbox); the request loop and child runner it shares with local are in
# store/deliver_agent.c
$(eval $(call program,virtual,libexec))
