# tests/authprobe - a test-only program: auth_client_user lookups against a
# running authd and the post-login switch (privdrop_login), built to
# build/tests/authprobe (never installed).
$(BUILD)/tests/authprobe: $(BUILD)/obj/tests/authprobe/authprobe.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
EXTRA_TARGETS += $(BUILD)/tests/authprobe
