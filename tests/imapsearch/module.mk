# tests/imapsearch - a test-only program: SEARCH programs run by
# imapmail/imapmail_search on a Maildir, UIDs taken from the
# dovecot-uidlist Dovecot wrote, for tests/imapd/search_dovecot.sh
# until imapmail serves SEARCH (build/tests/imapsearch, never installed).
IMAPSEARCH_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out %_test.c,$(wildcard imapmail/imapmail_search*.c)))
$(BUILD)/tests/imapsearch: $(BUILD)/obj/tests/imapsearch/imapsearch.o $(IMAPSEARCH_OBJS) $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/obj/tests/imapsearch/imapsearch.o: INC += -Iimapmail
EXTRA_TARGETS += $(BUILD)/tests/imapsearch
