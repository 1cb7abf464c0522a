#!/usr/bin/env bash
# herd.sh - a new connection wakes one idle daemon of a service, not all of
# them: 20 smtpd processes left idle by 20 sessions, then 10 connections
# one after another.  With poll() on the shared listening socket every
# idle process woke for every connection (199 of 200 ended in EAGAIN in
# make bench); each waits in an epoll set with EPOLLEXCLUSIVE now.
# Counted from /proc/PID/status (voluntary context switches).  Every one
# of the 20 must be alive at both counts and still be there at the end (a
# process that exited, crashed or is a zombie cannot say whether it woke:
# it fails the test, it is never "not woken"), and one of them at least
# must have woken (the 10 were served by the idle processes, not by new
# ones).  Every session must get its 220 and its 221.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "herd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
cat >"$I/master.cf" <<MCF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
MCF
t_check "instance starts" "$HATO" -c "$I" start
trap inst_cleanup EXIT

cat >"$T/sessions.py" <<'PY'
# sessions.py PORT N SERIAL - N SMTP sessions (all open at once, or one
# after another); exits 1 unless each got "220 " and "221 " to QUIT
import socket, sys, time
port, n, serial = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "serial"
def reply(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(200)
        if not chunk:
            break
        data += chunk
    return data
def session(s):
    return reply(s).startswith(b"220 ") and (s.sendall(b"QUIT\r\n") or reply(s).startswith(b"221 "))
ok = True
if serial:
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        ok = session(s) and ok; s.close(); time.sleep(0.05)
else:
    socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(n)]
    greeted = [reply(s).startswith(b"220 ") for s in socks]
    for s in socks:
        s.sendall(b"QUIT\r\n"); ok = reply(s).startswith(b"221 ") and ok; s.close()
    ok = ok and all(greeted)
sys.exit(0 if ok else 1)
PY
t_check "20 sessions at once: each greeted with 220, each QUIT answered 221" python3 "$T/sessions.py" "$SMTP_PORT" 20 parallel
sleep 1
master=$(tr -dc 0-9 <"$I/queue/pid/master.pid")
pids=$(pgrep -P "$master" -x smtpd | sort -n)
t_expect "20 sessions leave 20 idle smtpd processes" "20" bash -c "echo '$pids' | wc -w"
# switches - per process: its voluntary context switches, or "gone" when
# it exited or is a zombie (it cannot have waited for a connection)
switches() {
	local p v
	for p in $pids; do
		v=$(awk '/^State:/ {s = $2} /^voluntary_ctxt_switches/ {v = $2}
			END {if (s != "" && s != "Z" && v != "") print v}' "/proc/$p/status" 2>/dev/null)
		echo "${v:-gone}"
	done
}
before=$(switches)
t_check "10 sessions one after another, each greeted and answered" python3 "$T/sessions.py" "$SMTP_PORT" 10 serial
sleep 0.5
after=$(switches)
gone=$(printf '%s\n%s\n' "$before" "$after" | grep -c '^gone$')
woken=$(paste <(echo "$before") <(echo "$after") | awk '$1 != "gone" && $2 != "gone" && $1 != $2 {n++} END {print n + 0}')
t_expect "the 20 idle processes were alive at both counts (gone at either: $gone)" "0" echo "$gone"
t_expect "...and are the service's processes still, none exited, none new" "$pids" \
	bash -c "pgrep -P '$master' -x smtpd | sort -n"
t_check "10 connections woke at least 1 and at most 3 of the 20 idle processes (woken: $woken)" \
	test "$woken" -ge 1 -a "$woken" -le 3
t_check "...and all 30 sessions were served (30 disconnect lines)" \
	bash -c "[ \$(grep -c 'disconnect from' '$I/maillog') -eq 30 ]"
