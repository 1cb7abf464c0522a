# systemd - hato.service, made from hato.service.in with the installed
# paths; "make install" puts it in SYSTEMD_UNIT_DIR (a directory systemd
# reads: $(PREFIX)/lib/systemd/system), "make uninstall" takes it away.
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
EXTRA_TARGETS += $(BUILD)/systemd/hato.service
$(BUILD)/systemd/hato.service: systemd/hato.service.in $(BUILD)/prefix.stamp
	@mkdir -p $(@D)
	sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' $< >$@
INSTALL_EXTRA += install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR); \
	install -m 0644 $(BUILD)/systemd/hato.service $(DESTDIR)$(SYSTEMD_UNIT_DIR)/;
UNINSTALL_EXTRA += rm -f $(DESTDIR)$(SYSTEMD_UNIT_DIR)/hato.service;
