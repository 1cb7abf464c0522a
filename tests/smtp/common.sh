# tests/smtp/common.sh - helpers for the smtp client tests; source it after
# tests/lib.sh and tests/lib/instance.sh (not a test itself: not executable).
#   smtp_instance [MASTER.CF LINE...]  an instance with smtpd, cleanup and
#                        the smtp agent ("smtp unix - - n - - smtp"), plus
#                        the given extra services; not started
#   queue_msg SWAKS-ARGS...   send a message through the instance's smtpd,
#                        move it from incoming/ to active/, print its ID
#   queue_raw FILE       the same with FILE's bytes as the message (smtplib)
#   deliver SERVICE NEXTHOP ID RCPT...  play qmgr: one request to
#                        private/SERVICE, one JSON line per recipient
#   jfield N KEY         KEY of the Nth (1-based) JSON line on stdin
#   sink_start NAME PORT ARGS...  tests/smtp/sink.py, capture dir $T/NAME,
#                        command log $T/NAME.log; sink_stop NAME
#   sink_cmds NAME       the commands the sink got, one per line
#   smtp_no_crash        no fatal, panic or crash signal of an smtp agent
#   smtp_sink_start NAME ADDR:PORT ARGS... Postfix's smtp-sink; ..._stop NAME
#   wait_for CMD...      retry CMD for up to 10 s
# SMTP_DAEMON_DIR=DIR in the environment runs the daemons from DIR (an
# ASan build, say) instead of the instance's daemon_directory.
SINK=$TOPDIR/tests/smtp/sink.py
DRIVER=$TOPDIR/tests/smtp/driver.py
SINK_PIDS=()

smtp_instance() {
	local line
	inst_new || return 1
	inst_set "local_recipient_maps =" "smtp_connect_timeout = 5s"
	# a sanitizer build of the daemons, for a developer's run
	[ -n "${SMTP_DAEMON_DIR:-}" ] && inst_set "daemon_directory = $SMTP_DAEMON_DIR"
	echo "smtp      unix  -       -       n       -       -       smtp" >>"$I/master.cf"
	for line in "$@"; do echo "$line" >>"$I/master.cf"; done
}

# to_active ID - incoming/ID to active/ID (qmgr's move), print ID
to_active() {
	local id=$1
	[ -n "$id" ] || return 1
	for _ in $(seq 50); do [ -f "$I/queue/incoming/$id" ] && break; sleep 0.1; done
	mv "$I/queue/incoming/$id" "$I/queue/active/$id" && echo "$id"
}

queue_msg() {
	local id
	id=$(${SWAKS_PREFIX:-} swaks --server 127.0.0.1:$SMTP_PORT -n "$@" 2>&1 |
		sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p')
	to_active "$id"
}

queue_raw() {
	local id
	id=$(${SWAKS_PREFIX:-} python3 - "$SMTP_PORT" "$@" <<'PY'
import smtplib, sys
port, path = int(sys.argv[1]), sys.argv[2]
s = smtplib.SMTP("127.0.0.1", port, timeout=30)
s.ehlo("client.example.org")
code, msg = s.mail("sender@example.org", ["BODY=8BITMIME"] + sys.argv[3:])
s.rcpt("user@example.test")
code, msg = s.data(open(path, "rb").read())
print(msg.decode())
s.quit()
PY
	)
	to_active "$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$id")"
}

deliver() {
	local service=$1 nexthop=$2 id=$3; shift 3
	python3 "$DRIVER" "$I/queue/private/$service" "active/$id" "$nexthop" sender@example.org "$@"
}

jfield() {
	python3 -c "
import json, sys
lines = sys.stdin.read().splitlines()
n = int(sys.argv[1])
print(json.loads(lines[n - 1]).get(sys.argv[2]) if len(lines) >= n else 'NO LINE %d' % n)" "$@"
}

sink_start() {
	local name=$1 port=$2; shift 2
	mkdir -p "$T/$name"
	rm -f "$T/$name.pid"
	${SINK_PREFIX:-} python3 "$SINK" --port "$port" --dir "$T/$name" --log "$T/$name.log" \
		--pidfile "$T/$name.pid" "$@" >>"$T/$name.out" 2>&1 &
	SINK_PIDS+=($!)
	for _ in $(seq 100); do [ -s "$T/$name.pid" ] && return 0; sleep 0.05; done
	echo "sink $name did not start: $(tail -3 "$T/$name.out")" >&2
	return 1
}

sink_stop() {
	[ -f "$T/$1.pid" ] && kill "$(cat "$T/$1.pid")" 2>/dev/null
	for _ in $(seq 50); do [ -f "$T/$1.pid" ] || return 0; sleep 0.05; done
}

sink_cmds() {
	python3 -c "
import json, sys
for l in open(sys.argv[1]):
    print(json.loads(l)['cmd'])" "$T/$1.log"
}

smtp_sink_start() {
	local name=$1 where=$2; shift 2
	smtp-sink "$@" "$where" 100 >>"$T/$name.out" 2>&1 &
	eval "SMTP_SINK_$name=\$!"
	SINK_PIDS+=($!)
	for _ in $(seq 50); do ss -Hltn "sport = :${where##*:}" | grep -q . && return 0; sleep 0.1; done
	return 1
}

smtp_sink_stop() {
	local pid
	eval "pid=\${SMTP_SINK_$1:-}"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}

sinks_cleanup() {
	local p
	for p in "${SINK_PIDS[@]}"; do kill "$p" 2>/dev/null; done
}

wait_for() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }

# smtp_no_crash - no smtp agent died on its own: no fatal or panic from it,
# no crash signal (a SIGKILL comes from outside: hato abort, kill tests)
smtp_no_crash() {
	! grep -aE "hato/smtp\[[0-9]+\]: (fatal|panic)|libexec/smtp pid [0-9]+ killed by signal ([0-8]|1[0-9])\b" "$I/maillog"
}
