# man - the manual pages: man/*.N are written here; main.cf(5) is made at
# build time from man/main.cf.5.in and the parameter table global/params.def
# (man/params_man.awk), so it lists exactly the parameters hato has.
# "make install" puts them in MANDIR/manN, "make uninstall" takes them away.
MANDIR ?= $(PREFIX)/share/man
MAN_GENERATED := $(BUILD)/man/main.cf.5
MAN_PAGES := $(wildcard man/*.[1-8]) $(MAN_GENERATED)
EXTRA_TARGETS += $(MAN_GENERATED)

$(BUILD)/man/main.cf.5: man/main.cf.5.in man/params_man.awk global/params.def $(BUILD)/prefix.stamp
	@mkdir -p $(@D)
	$(if $(Q),@echo "  MAN     $@")
	$(Q)awk -v prefix='$(PREFIX)' -v version='$(VERSION)' -f man/params_man.awk \
		global/params.def man/main.cf.5.in > $@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

INSTALL_EXTRA += for m in $(MAN_PAGES); do s=$${m\#\#*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
	install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done;
UNINSTALL_EXTRA += for m in $(MAN_PAGES); do s=$${m\#\#*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m\#\#*/}; done;
