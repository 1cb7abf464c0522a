# postqueue - the queue command for every user; mailq is a link to it
# (called by that name it lists the queue).  "make install" makes postqueue
# group setgid_group (hatodrop), mode 2755, like postdrop: public/showq and
# public/qmgr are reachable through public/ (mail_owner:hatodrop, 0710) only.
$(eval $(call program,postqueue,bin))
EXTRA_TARGETS += $(BUILD)/bin/mailq
$(BUILD)/bin/mailq: $(BUILD)/bin/postqueue
	ln -sf postqueue $@
INSTALL_EXTRA += ln -sf postqueue $(DESTDIR)$(PREFIX)/sbin/mailq; \
	if getent group hatodrop >/dev/null; then \
	chgrp hatodrop $(DESTDIR)$(PREFIX)/sbin/postqueue && chmod 2755 $(DESTDIR)$(PREFIX)/sbin/postqueue; \
	else echo "make install: group hatodrop missing: after hato init run chgrp hatodrop $(PREFIX)/sbin/postqueue; chmod 2755 $(PREFIX)/sbin/postqueue"; fi;
