# virtual - the virtual delivery agent (virtual_mailbox_maps, Maildir and
# mbox).  It links local's request loop, child runner and log line
# (local/local_agent.c) rather than carrying a copy; the object goes
# before libutil.a so the archive resolves what it needs.
virtual_SRCS := $(filter-out %_test.c virtual/fuzz_%.c,$(wildcard virtual/*.c))
virtual_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(virtual_SRCS)) $(BUILD)/obj/local/local_agent.o
$(BUILD)/libexec/virtual: $(virtual_OBJS) $(BUILD)/libutil.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
TARGETS += $(BUILD)/libexec/virtual
PROGRAMS += libexec/virtual
