# postmap - build and query lookup tables; postalias and newaliases are
# links to it (the behaviour follows the name it was called by)
$(eval $(call program,postmap,bin))
EXTRA_TARGETS += $(BUILD)/bin/postalias $(BUILD)/bin/newaliases
$(BUILD)/bin/postalias $(BUILD)/bin/newaliases: $(BUILD)/bin/postmap
	ln -sf postmap $@
INSTALL_EXTRA += ln -sf postmap $(DESTDIR)$(PREFIX)/sbin/postalias; ln -sf postmap $(DESTDIR)$(PREFIX)/sbin/newaliases;
