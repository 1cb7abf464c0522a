#!/usr/bin/env bash
# master.sh - the supervisor end to end with the test probe daemon:
# listening sockets, privilege columns (uid, gid, groups, /proc/PID/root),
# maxproc, crash restart, reload (port move with an open session, broken
# config refused), stop, stale pid file, skipped Postfix services, and bad
# master.cf input.  Runs as root (CI); an unprivileged --dev instance is
# started as a throw-away user.
. "$HATO_TOP/tests/lib.sh"
HATO=$B/bin/hato
PROBE=$B/tests/probe
CLIENT="python3 $TOPDIR/tests/master/probe_client.py"
[ "$(id -u)" = 0 ] || { t_ok "master tests skipped: they need root # SKIP"; exit 0; }

created_user=""
id hato >/dev/null 2>&1 || created_user=yes
I=$T/inst
chmod 755 "$T"
cleanup_all() {
	[ -d "$I" ] && "$HATO" -c "$I" abort >/dev/null 2>&1
	[ -d "$T/u" ] && runuser -u hatotest -- "$HATO" -c "$T/u/inst" abort >/dev/null 2>&1
	id hatotest >/dev/null 2>&1 && userdel -r hatotest >/dev/null 2>&1
	if [ -n "$created_user" ]; then userdel hato >/dev/null 2>&1; groupdel hato >/dev/null 2>&1; groupdel hatodrop >/dev/null 2>&1; fi
	rm -rf "$T"
}
trap cleanup_all EXIT
[ -n "${KEEP:-}" ] && trap "" EXIT

base=$(t_free_ports 5)
P1=$base P2=$((base + 1)) P3=$((base + 2)) P4=$((base + 3)) P5=$((base + 4))
listening() { ss -Hltn "sport = :$1" | grep -q .; }
wait_for() { for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done; return 1; }
field() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" <<<"$2"; }

t_check "hato init --dev as root" "$HATO" init --dev "$I"
"$B/bin/postconf" -c "$I" -e inet_protocols=all
cat >"$I/master.cf" <<MCF
# test services: the probe reports uid, gid, groups and root directory
127.0.0.1:$P1 inet n - n - 2 $PROBE
127.0.0.1:$P2 inet n n y - - $PROBE
  -o max_idle=30s
probe     unix  -       -       y       -       -       $PROBE
tick      fifo  n       -       n       1       1       $PROBE trigger
utick     unix  n       -       n       1       1       $PROBE trigger
broken    unix  -       -       n       -       -       $PROBE fail
multi     unix  -       -       n       -       1       $PROBE multi
[::1]:$P5 inet  n       -       n       -       -       $PROBE
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
anvil     unix  -       -       n       -       1       anvil
MCF
t_check "hato check accepts the instance" "$HATO" -c "$I" check
t_check "hato start" "$HATO" -c "$I" start
t_check "hato status says running" "$HATO" -c "$I" status
t_expect_err "a second start says so and fails" "already running" "$HATO" -c "$I" start
t_check "inet port $P1 listens" wait_for listening $P1
t_check "inet port $P2 listens" listening $P2
t_check "unix socket private/probe exists" test -S "$I/queue/private/probe"
t_expect "skipped Postfix services are named in one line" "1" \
	bash -c "grep -c 'skipped 2 Postfix services that hato does not provide or need: tlsmgr anvil' '$I/maillog'"
t_check "IPv6 service [::1]:$P5 answers" bash -c "python3 -c \"import socket; s=socket.create_connection(('::1', $P5)); print(s.recv(100))\" | grep -q uid="
t_check "fifo wakeup every second reaches the trigger daemon" \
	wait_for bash -c "[ \$(grep -c 'probe tick: wakeup \"W\"' '$I/maillog') -ge 2 ]"
t_check "...and a unix trigger service (master connects as public/'s owner)" \
	wait_for bash -c "[ \$(grep -c 'probe utick: wakeup \"W\"' '$I/maillog') -ge 2 ]"
$CLIENT "$I/queue/private/multi" --hold 2 >"$T/m1" & cm1=$!
$CLIENT "$I/queue/private/multi" --hold 2 >"$T/m2" & cm2=$!
wait $cm1 $cm2
t_expect "SERVER_MULTI: one process serves concurrent clients" "1" \
	bash -c "cat '$T/m1' '$T/m2' | grep -o 'pid=[0-9]*' | sort -u | wc -l"
t_expect "SERVER_MULTI: both sessions end cleanly" "CLOSED CLOSED" bash -c "tail -qn1 '$T/m1' '$T/m2' | tr '\n' ' ' | sed 's/ \$//'"
t0=$(date +%s)
for _ in 1 2 3 4 5 6 7 8; do $CLIENT "$I/queue/private/broken" --timeout 0.2 >/dev/null 2>&1; done
sleep 1
fails=$(grep -c 'probe broken: failing at start-up' "$I/maillog")
elapsed=$(( $(date +%s) - t0 + 1 ))
t_check "a daemon failing at start-up throttles its service" grep -q 'service broken/unix: process failed at start-up -- throttling for 2s' "$I/maillog"
t_check "...no fork storm: $fails failed starts in ${elapsed}s, at most one per 2s throttle period" \
	test "$fails" -ge 1 -a "$fails" -le $((elapsed / 2 + 1))

hato_uid=$(id -u hato) hato_gid=$(id -g hato)
# proc_view TARGET - hold a session, read the daemon's ids and root from /proc
proc_view() {
	: >"$T/pv"
	$CLIENT "$1" --hold 1.5 >"$T/pv" &
	local c=$! pid
	wait_for test -s "$T/pv"	# the daemon's line: it serves us (held 1.5 s)
	pid=$(field pid "$(head -1 "$T/pv")")
	if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
		echo "$(awk '/^Uid:/{print $2}' /proc/$pid/status):$(awk '/^Gid:/{print $2}' /proc/$pid/status):$(awk '/^Groups:/{print NF-1}' /proc/$pid/status):$(readlink /proc/$pid/root)"
	fi
	wait $c
}
t_expect "unpriv column: mail_owner's uid and gid, no other groups, no chroot" \
	"$hato_uid:$hato_gid:1:/" proc_view $P1
t_expect "unpriv n, chroot y: root, chrooted into the queue directory" \
	"0:0:$(awk '/^Groups:/{print NF-1}' /proc/self/status):$I/queue" proc_view $P2
t_expect "unix service, chroot y: mail_owner, chrooted into the queue directory" \
	"$hato_uid:$hato_gid:1:$I/queue" proc_view "$I/queue/private/probe"

# maxproc 2: two sessions in, the third waits until one leaves
$CLIENT $P1 --hold 3 >"$T/s1" & c1=$!
$CLIENT $P1 --hold 3 >"$T/s2" & c2=$!
wait_for test -s "$T/s1" -a -s "$T/s2"	# both served (and held 3 s)
t_expect "maxproc 2: a third client waits" "TIMEOUT" bash -c "$CLIENT $P1 --timeout 1 | head -1"
t_expect "maxproc 2: ...and is served once a session ends" "service=127.0.0.1:$P1" \
	bash -c "$CLIENT $P1 --timeout 8 | grep -o 'service=.*'"
wait $c1 $c2
t_expect "maxproc 2: the two held sessions were served" "2" bash -c "cat '$T/s1' '$T/s2' | grep -c uid="

# kill -9 of a daemon is logged and the service keeps answering
$CLIENT $P1 --hold 2 >"$T/k" & ck=$!
wait_for test -s "$T/k"
victim=$(field pid "$(head -1 "$T/k")")
kill -9 "$victim"
wait $ck
t_check "kill -9 of a daemon is logged" wait_for grep -q "pid $victim killed by signal 9" "$I/maillog"
t_expect "the service answers after the crash" "service=127.0.0.1:$P1" \
	bash -c "$CLIENT $P1 | grep -o 'service=.*'"

# reload moves a port without dropping an open session
$CLIENT $P1 --hold 3 >"$T/r" & cr=$!
wait_for test -s "$T/r"	# the session is open
sed -i "s/^127.0.0.1:$P1 /127.0.0.1:$P3 /" "$I/master.cf"
t_check "hato reload" "$HATO" -c "$I" reload
t_check "after reload the new port listens" wait_for listening $P3
t_check "after reload the old port is closed" wait_for bash -c "! ss -Hltn 'sport = :$P1' | grep -q ."
wait $cr
t_expect "the session open during the reload finished normally" "CLOSED" tail -1 "$T/r"
t_expect "the new port is served" "service=127.0.0.1:$P3" bash -c "$CLIENT $P3 | grep -o 'service=.*'"

# a broken main.cf is refused and the instance keeps serving
cp "$I/main.cf" "$T/main.cf.good"
echo 'broken = ${unterminated' >>"$I/main.cf"
t_expect_err "hato reload refuses a broken main.cf" "main.cf, line" "$HATO" -c "$I" reload
kill -HUP "$(cat "$I/queue/pid/master.pid")"
t_check "master refuses it too, with a log line" wait_for grep -q "reload refused" "$I/maillog"
t_expect "the instance keeps serving" "service=127.0.0.1:$P3" bash -c "$CLIENT $P3 | grep -o 'service=.*'"
cp "$T/main.cf.good" "$I/main.cf"

# stop leaves no process and no socket
mpid=$(cat "$I/queue/pid/master.pid")
t_check "hato stop" "$HATO" -c "$I" stop
t_check "no master process after stop" bash -c "! ps -o stat= -p $mpid | grep -qv Z"
t_expect "no daemon process after stop" "" bash -c "pgrep -f -- '^$PROBE ' | xargs -r ps -o pid=,stat=,args= -p || true"
t_check "no unix socket after stop" test ! -e "$I/queue/private/probe"
t_check "no listening port after stop" bash -c "! ss -Hltn 'sport = :$P3' | grep -q ."
t_expect_err "hato status fails when stopped" "not running" "$HATO" -c "$I" status

# a stale pid file (master killed with -9) does not stop the next start
t_check "start again" "$HATO" -c "$I" start
kill -9 "$(cat "$I/queue/pid/master.pid")"
wait_for bash -c "! ss -Hltn 'sport = :$P3' | grep -q ."	# its daemons, which hold the port, gone too
t_check "start after kill -9 of master" "$HATO" -c "$I" start
t_check "...and it serves" wait_for bash -c "$CLIENT $P3 | grep -q uid="
t_check "hato abort" "$HATO" -c "$I" abort

# bad input: each a message naming file and line (or service), non-zero exit
cp "$I/master.cf" "$T/master.cf.good"
printf 'bad  inet n - n -\n' >>"$I/master.cf"
t_expect_err "a 5-column line names file and line" "master.cf, line 13:" "$HATO" -c "$I" check
cp "$T/master.cf.good" "$I/master.cf"; printf 'x unknown n - n - - %s\n' "$PROBE" >>"$I/master.cf"
t_expect_err "an unknown service type names file and line" "master.cf, line 13: unknown service type" "$HATO" -c "$I" start
cp "$T/master.cf.good" "$I/master.cf"; printf 'x unix n - n - lots %s\n' "$PROBE" >>"$I/master.cf"
t_expect_err "a non-numeric maxproc names file and line" "master.cf, line 13: bad maxproc" "$HATO" -c "$I" check
cp "$T/master.cf.good" "$I/master.cf"; printf 'x unix n - n - - nosuchd\n' >>"$I/master.cf"
t_expect_err "a missing daemon program names the service" "service x/unix: program" "$HATO" -c "$I" start
cp "$T/master.cf.good" "$I/master.cf"
python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $P4)); s.listen(); time.sleep(20)" & blocker=$!
wait_for listening $P4
printf '127.0.0.1:%s inet n - n - - %s\n' "$P4" "$PROBE" >>"$I/master.cf"
t_expect_err "a port in use fails the start with the reason" "port $P4: Address already in use" "$HATO" -c "$I" start
t_check "...and leaves nothing running" bash -c "! '$HATO' -c '$I' status"
kill $blocker 2>/dev/null

# an unprivileged user runs a --dev instance
userdel -r hatotest >/dev/null 2>&1
useradd -m -d "$T/u" hatotest
runuser -u hatotest -- "$HATO" init --dev "$T/u/inst" >/dev/null 2>&1
t_check "unprivileged: hato init --dev" test -f "$T/u/inst/main.cf"
printf '127.0.0.1:%s inet n - n - - %s\n' "$P4" "$PROBE" >>"$T/u/inst/master.cf"
t_check "unprivileged: hato start" runuser -u hatotest -- "$HATO" -c "$T/u/inst" start
line=$($CLIENT $P4)
t_expect "unprivileged: the daemon runs as that user" "$(id -u hatotest)" field uid "$line"
t_check "unprivileged: hato stop" runuser -u hatotest -- "$HATO" -c "$T/u/inst" stop
