# tests - fixtures built for the tests only (never installed)
$(BUILD)/tests/probe: $(BUILD)/obj/tests/probe/probe.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
EXTRA_TARGETS += $(BUILD)/tests/probe
