# logrotate - /etc/logrotate.d/hato for maillog_file (hato init's
# /var/log/hato.log), made from hato.in with the installed paths; "make
# install" puts it in LOGROTATE_DIR, "make uninstall" takes it away.
LOGROTATE_DIR ?= /etc/logrotate.d
EXTRA_TARGETS += $(BUILD)/logrotate/hato
$(BUILD)/logrotate/hato: logrotate/hato.in $(BUILD)/prefix.stamp
	@mkdir -p $(@D)
	sed -e 's|@MAILLOG@|/var/log/hato.log|g' -e 's|@HATO@|$(PREFIX)/sbin/hato|g' $< >$@
INSTALL_EXTRA += install -d $(DESTDIR)$(LOGROTATE_DIR); \
	install -m 0644 $(BUILD)/logrotate/hato $(DESTDIR)$(LOGROTATE_DIR)/hato;
UNINSTALL_EXTRA += rm -f $(DESTDIR)$(LOGROTATE_DIR)/hato;
