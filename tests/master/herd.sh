#!/usr/bin/env bash
# herd.sh - a new connection wakes one idle daemon of a service, not all of
# them: 20 smtpd processes left idle by 20 sessions, then 10 connections
# one after another.  With poll() on the shared listening socket every
# idle process woke for every connection (199 of 200 ended in EAGAIN in
# make bench); each waits in an epoll set with EPOLLEXCLUSIVE now.
# Counted from /proc/PID/status (voluntary context switches).
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

python3 - "$SMTP_PORT" <<'PY'
import socket, sys
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) for _ in range(20)]
for s in socks:
    s.recv(200)
for s in socks:
    s.sendall(b"QUIT\r\n"); s.recv(200); s.close()
PY
sleep 1
master=$(tr -dc 0-9 <"$I/queue/pid/master.pid")
pids=$(pgrep -P "$master" -x smtpd)
t_expect "20 sessions leave 20 idle smtpd processes" "20" bash -c "echo '$pids' | wc -w"
switches() { for p in $pids; do awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$p/status 2>/dev/null || echo gone; done; }
before=$(switches)
python3 - "$SMTP_PORT" <<'PY'
import socket, sys, time
for _ in range(10):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.recv(200); s.sendall(b"QUIT\r\n"); s.recv(200); s.close()
    time.sleep(0.05)
PY
sleep 0.5
after=$(switches)
woken=$(paste <(echo "$before") <(echo "$after") | awk '$1 != $2 {n++} END {print n + 0}')
t_check "10 connections woke at most 3 of the 20 idle processes (woken: $woken)" test "$woken" -le 3
t_check "...and all 30 sessions were served (30 disconnect lines)" \
	bash -c "[ \$(grep -c 'disconnect from' '$I/maillog') -eq 30 ]"
