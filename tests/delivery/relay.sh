#!/usr/bin/env bash
# delivery/relay.sh - the whole path out: smtp-source -> smtpd -> cleanup ->
# qmgr -> smtp -> smtp-sink through relayhost = [127.0.0.1]:PORT.  1000
# messages all arrive once; a sink answering 4xx makes them wait in
# deferred/ until hato flush; a 5xx returns a DSN to the (local) sender's
# Maildir naming the recipient and the remote reply.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "delivery tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
command -v smtp-sink >/dev/null || { t_fail "smtp-sink is installed (make deps)"; exit 0; }

SINK_PORT=$((SMTP_PORT + 1))
user=hatos$$
useradd -m -s /bin/sh "$user" || t_fail "useradd $user"
sink_pid=
stop_sink() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null; sink_pid=; }
# start_sink [smtp-sink options] - a sink dumping each message into $T/dump
start_sink() {
	stop_sink
	mkdir -p "$T/dump" && chmod 777 "$T/dump"
	smtp-sink -u nobody -d "$T/dump/%Y%m%d%H%M%S." "$@" 127.0.0.1:$SINK_PORT 100 &
	sink_pid=$!
	for _ in $(seq 50); do ss -Hltn "sport = :$SINK_PORT" | grep -q . && return 0; sleep 0.1; done
	return 1
}
trap 'stop_sink; userdel -r "$user" >/dev/null 2>&1; inst_cleanup' EXIT
wait_for() { local n=$1; shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.2; done; return 1; }
dumps() { find "$T/dump" -type f | wc -l; }
queued() { find "$I/queue/incoming" "$I/queue/active" "$I/queue/deferred" -type f | wc -l; }

inst_new
inst_set "relayhost = [127.0.0.1]:$SINK_PORT" "local_recipient_maps = unix:passwd.byname" \
	"minimal_backoff_time = 1h" "maximal_backoff_time = 1h" "queue_run_delay = 1h"
cat >>"$I/master.cf" <<MCF
qmgr      fifo  n       -       n       300     1       qmgr
smtp      unix  -       -       n       -       -       smtp
local     unix  -       n       n       -       -       local
MCF
start_sink || t_fail "smtp-sink starts"
inst_start || t_fail "instance starts"

t_check "smtp-source: 1000 messages in 10 sessions to a remote address" \
	timeout 300 smtp-source -s 10 -m 1000 -f "$user@mx.example.test" -t rcpt@example.net 127.0.0.1:$SMTP_PORT
t_check "...all 1000 arrive at the sink" wait_for 600 bash -c "[ \$(find '$T/dump' -type f | wc -l) -ge 1000 ]"
sleep 1
t_expect "...exactly once each (no duplicates)" "1000 1000" \
	bash -c "echo \$(find '$T/dump' -type f | wc -l) \$(cat '$T'/dump/* | grep -i '^Message-Id:' | sort -u | wc -l)"
t_check "...and the queue is empty again" wait_for 50 bash -c "[ \$(find '$I/queue/incoming' '$I/queue/active' '$I/queue/deferred' -type f | wc -l) = 0 ]"
t_check "the log has Postfix's delivery line with relay= and status=sent" \
	grep -qE 'to=<rcpt@example.net>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:[0-9]+, .*status=sent' "$I/maillog"

# 4xx: the messages wait in deferred/ until the sink accepts and hato flush
rm -f "$T/dump/"*
start_sink -r RCPT
swaks --server 127.0.0.1:$SMTP_PORT --from "$user@mx.example.test" --to later@example.net -n >/dev/null
t_check "a sink answering 4xx to RCPT: the message is deferred" \
	wait_for 100 bash -c "[ \$(find '$I/queue/deferred' -type f | wc -l) = 1 ]"
t_check "...with the remote reply in the log" grep -q 'to=<later@example.net>.*status=deferred.*said: 4' "$I/maillog"
start_sink
t_check "hato flush once the sink accepts" "$HATO" -c "$I" flush
t_check "...delivers it" wait_for 100 bash -c "[ \$(find '$T/dump' -type f | wc -l) = 1 ]"

# 5xx: a DSN in the sender's Maildir names the recipient and the reply
start_sink -f RCPT
swaks --server 127.0.0.1:$SMTP_PORT --from "$user@mx.example.test" --to refused@example.net -n >/dev/null
t_check "a sink answering 5xx: the sender gets a DSN in ~/Maildir/new" \
	wait_for 150 bash -c "ls /home/$user/Maildir/new/* >/dev/null 2>&1"
dsn=$(cat /home/$user/Maildir/new/* 2>/dev/null)
t_check "...naming the recipient" grep -q 'refused@example.net' <<<"$dsn"
t_check "...and the remote reply" grep -q ' 5[0-9][0-9] ' <<<"$dsn"
t_check "...as a multipart/report delivery-status notification" grep -q 'report-type=delivery-status' <<<"$dsn"
inst_stop
