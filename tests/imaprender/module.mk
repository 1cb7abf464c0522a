# tests/imaprender - a test-only program: FETCH's renderers (imapmail's
# ENVELOPE, BODY, BODYSTRUCTURE and sections) run over one message file,
# for the differential against Dovecot (tests/imaprender/render_dovecot.sh);
# built to build/tests/imaprender (never installed).
IMAPRENDER_MODS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out %_test.c imapmail/main.c imapmail/fuzz_%.c,\
	$(wildcard imapmail/imapmail_envelope.c imapmail/imapmail_bodystructure.c imapmail/imapmail_section.c \
	imapmail/imapmail_decode.c imapmail/imapmail_rfc822.c)))
$(BUILD)/obj/tests/imaprender/%.o: INC = $(INC_store) -Iimapmail
$(BUILD)/tests/imaprender: $(BUILD)/obj/tests/imaprender/imaprender.o $(IMAPRENDER_MODS) $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
EXTRA_TARGETS += $(BUILD)/tests/imaprender
