# postdrop - the set-group-ID gate into maildrop/ (sendmail runs it).
# "make install" makes it group setgid_group (hatodrop), mode 2755, when that
# group exists; otherwise it says what to run once the group is there.
$(eval $(call program,postdrop,bin))
INSTALL_EXTRA += if getent group hatodrop >/dev/null; then \
	chgrp hatodrop $(DESTDIR)$(PREFIX)/sbin/postdrop && chmod 2755 $(DESTDIR)$(PREFIX)/sbin/postdrop; \
	else echo "make install: group hatodrop missing: after hato init run chgrp hatodrop $(PREFIX)/sbin/postdrop; chmod 2755 $(PREFIX)/sbin/postdrop"; fi;
