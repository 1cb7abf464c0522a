#!/usr/bin/env bash
# robust/load.sh - many concurrent SMTP sessions.  (1) 150 clients (STRESS:
# 1000, default_process_limit = 1000) hold their sessions open at the same
# time, then each sends a message: all served.  (2) beyond the limits
# (smtpd maxproc 20, smtpd_client_connection_count_limit 10; STRESS: 200
# and 20; each session pauses after EHLO so that they overlap) the
# same crowd gets 421 and retries; (3) with maxproc alone in the way they
# wait in the listen queue and master warns that the process limit is
# reached.  Every message gets through, no daemon crashes, master lives,
# nothing lost.
# (mynetworks is exempt from the per-client limit, as in Postfix: the second
# service moves mynetworks away from 127.0.0.1.)
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "robustness tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/robust.sh"
rob_pick_ports 3
N=150 MAXPROC=20 PERCLIENT=10 RDELAY=0.5
[ -n "$STRESS" ] && N=1000 MAXPROC=200 PERCLIENT=20 RDELAY=1
ulimit -n 8192

user=hlrobl$$
useradd -m -s /bin/sh "$user" || t_fail "useradd $user"
H=$(getent passwd "$user" | cut -d: -f6)
trap 'userdel -r "$user" >/dev/null 2>&1; inst_cleanup' EXIT
PORT2=$((SMTP_PORT + 1)) PORT3=$((SMTP_PORT + 2))

inst_new
inst_set "default_process_limit = $N" "home_mailbox = Maildir/" "local_recipient_maps ="
cat >>"$I/master.cf" <<MCF
127.0.0.1:$PORT2 inet n - n - $MAXPROC smtpd -o smtpd_client_connection_count_limit=$PERCLIENT -o mynetworks=192.0.2.0/24
127.0.0.1:$PORT3 inet n - n - $MAXPROC smtpd -o smtpd_client_connection_count_limit=0
qmgr      fifo  n       -       n       1       1       qmgr
local     unix  -       n       n       -       -       local
MCF
# the first service has no per-client limit: every session comes from 127.0.0.1
sed -i "1s/smtpd\$/smtpd -o smtpd_client_connection_count_limit=0/" "$I/master.cf"
rob_start
master=$(rob_master_pid)

flood() {
	python3 "$TOPDIR/tests/lib/smtp_flood.py" --rcpt "$user@example.test" --timeout 120 "$@"
}
start=$SECONDS
stats=$(flood --port "$SMTP_PORT" --count "$N" --threads "$N" --barrier --tag "load1-$$" --out "$T/acc1")
echo "# $N sessions at once: $stats in $((SECONDS - start)) s"
t_expect "$N sessions open at the same time, each got its greeting and EHLO" \
	"$N" sed -n 's/.*concurrent=\([0-9]*\).*/\1/p' <<<"$stats"
t_expect "...and every one's message was accepted" "$N" grep -c . "$T/acc1"

start=$SECONDS
stats=$(flood --port "$PORT2" --count "$N" --threads "$N" --retry 200 --retry-delay "$RDELAY" --hold 0.2 \
	--tag "load2-$$" --out "$T/acc2")
echo "# $N clients against maxproc $MAXPROC, $PERCLIENT per client: $stats in $((SECONDS - start)) s"
t_expect "beyond the limits every client got through in the end (waiting or after 421)" \
	"$N" grep -c . "$T/acc2"
refused=$(sed -n 's/.*refused=\([0-9]*\).*/\1/p' <<<"$stats")
t_check "...$refused sessions were told 421 (too many connections from one client)" test "$refused" -gt 0
t_check "...and smtpd logged why" grep -q "too many connections from .*\[127.0.0.1\]" "$I/maillog"
t_expect "...and none saw anything but a 421 or a 250" "" \
	grep -Eo "(tempfail|dropped|permfail)=[1-9][0-9]*" <<<"$stats"

start=$SECONDS
stats=$(flood --port "$PORT3" --count "$N" --threads "$N" --hold 0.5 --tag "load3-$$" --out "$T/acc3")
echo "# $N clients against maxproc $MAXPROC, no per-client limit: $stats in $((SECONDS - start)) s"
t_expect "with maxproc alone in the way every client waits its turn and is served" \
	"$N" grep -c . "$T/acc3"
t_expect "...none is refused or dropped" "" \
	grep -Eo "(refused|tempfail|dropped|permfail)=[1-9][0-9]*" <<<"$stats"
t_check "...and master warned that the service reached its process limit" \
	grep -q "service 127.0.0.1:$PORT3 (inet) has reached its process limit $MAXPROC" "$I/maillog"

cat "$T/acc1" "$T/acc2" "$T/acc3" >"$T/accepted"
rob_wait_ids "$T/accepted" 120 Message-ID "$H/Maildir/new"
rob_tally "$T/accepted" Message-ID "$H/Maildir/new"
echo "# load: $ROB_TALLY"
t_expect "every accepted message is delivered: lost = 0 ($ROB_TALLY)" 0 echo "$ROB_LOST"
t_check "master is alive (pid $master)" kill -0 "$master"
t_check "...and so is qmgr" pgrep -x -P "$master" qmgr
t_expect "no daemon crashed (maillog)" "" rob_crashes
id=$(inst_send a@example.org "$user@example.test" "after the storm")
t_check "a new client is still served afterwards" test -n "$id"
inst_stop
