# bench - make bench: hato against a private Postfix (SMTP) and a private
# Dovecot (POP3, bench/pop3.py), side by side on loopback (bench/bench.py;
# results in bench/results/latest.json, with QUICK=1 in
# bench/results/quick.json).  Not part of make check.  QUICK=1: 500
# messages, one run per SMTP scenario; POP3 200 messages (5 runs).
$(BUILD)/bench/fsyncops: bench/fsyncops.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) $(CPPFLAGS) -o $@ $<

bench: deps
	$(MAKE) all $(BUILD)/bench/fsyncops
	python3 -B bench/bench.py --build $(BUILD) $(if $(QUICK),--quick)

.PHONY: bench
