# man - the manual pages (roff, written here); "make install" puts them in
# MANDIR/manN, "make uninstall" takes them away
MANDIR ?= $(PREFIX)/share/man
MAN_PAGES := $(wildcard man/*.[1-8])
INSTALL_EXTRA += for m in $(MAN_PAGES); do s=$${m\#\#*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
	install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done;
UNINSTALL_EXTRA += for m in $(MAN_PAGES); do s=$${m\#\#*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m\#\#*/}; done;
