#!/usr/bin/env bash
# smtp/inflow.sh - in_flow_delay: while delivery is stuck (the relay host
# takes the connection and never says a word), the queue manager hands out
# no more in-flow tokens than default_process_limit, so cleanup slows every
# further message by about in_flow_delay; every message is still accepted.
# With in_flow_delay = 0 nothing waits.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "in-flow tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/smtp/common.sh"

P=$((SMTP_PORT + 1))
python3 - "$P" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(50)
held = []
while True:                     # accept and say nothing: delivery hangs
    held.append(s.accept()[0])
PY
hole=$!
trap 'kill $hole 2>/dev/null; inst_cleanup' EXIT
smtp_instance "qmgr      fifo  n       -       n       1       1       qmgr"
inst_set "relayhost = [127.0.0.1]:$P" "mydestination = localhost" "default_process_limit = 4" \
	"in_flow_delay = 1s"
t_check "instance with in_flow_delay = 1s, default_process_limit = 4 starts" inst_start

# send N: N messages in one session; "seconds-per-message ..." on stdout
send() {
	python3 - "$SMTP_PORT" "$1" <<'PY'
import smtplib, sys, time
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
out = []
for i in range(int(sys.argv[2])):
    t = time.monotonic()
    c.sendmail("s@remote.test", ["r@remote.test"], "Subject: %d\r\n\r\nbody\r\n" % i)
    out.append("%.2f" % (time.monotonic() - t))
c.quit()
print(" ".join(out))
PY
}
sleep 1
times=$(send 8)
echo "# seconds per message: $times"
t_check "8 messages in one session are all accepted (250)" test "$(wc -w <<<"$times")" = 8
t_check "...the first 4 (the tokens) without waiting" \
	python3 -c "import sys; t = [float(x) for x in '$times'.split()]; sys.exit(not all(x < 0.6 for x in t[:4]))"
t_check "...each further one after about in_flow_delay (0.8 to 2 s)" \
	python3 -c "import sys; t = [float(x) for x in '$times'.split()]; sys.exit(not all(0.8 <= x < 2.0 for x in t[4:]))"
t_check "...and all 8 wait in the queue, none lost" inst_wait bash -c "[ \$(find '$I/queue/incoming' '$I/queue/active' -type f | wc -l) = 8 ]"

inst_stop; inst_set "in_flow_delay = 0"; inst_start
sleep 1
times=$(send 6)
echo "# seconds per message: $times"
t_check "with in_flow_delay = 0 nothing waits" \
	python3 -c "import sys; t = [float(x) for x in '$times'.split()]; sys.exit(not (len(t) == 6 and all(x < 0.6 for x in t)))"
