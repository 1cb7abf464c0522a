# tests/dnsprobe - a test-only program: one libutil/dns lookup per run,
# built to build/tests/dnsprobe (never installed).  Needs -lresolv in LDLIBS.
$(BUILD)/tests/dnsprobe: $(BUILD)/obj/tests/dnsprobe/dnsprobe.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
EXTRA_TARGETS += $(BUILD)/tests/dnsprobe
