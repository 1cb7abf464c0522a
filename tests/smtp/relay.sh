#!/usr/bin/env bash
# smtp/relay.sh - end to end through qmgr: relayhost = [127.0.0.1]:PORT to
# tests/smtp/sink.py.  200 messages from smtp-source all arrive, none
# twice; with the server answering 4xx a message is deferred and goes out
# once it answers 250; with 5xx the sender (also remote here) gets a DSN
# that names the recipient and quotes the remote reply.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtp tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/smtp/common.sh"
trap 'sinks_cleanup; inst_cleanup' EXIT
command -v smtp-source >/dev/null || { t_fail "smtp-source is installed" "apt-get install postfix"; exit 1; }

P=$((SMTP_PORT + 1))
smtp_instance "qmgr      fifo  n       -       n       1       1       qmgr"
inst_set "relayhost = [127.0.0.1]:$P" "mydestination = localhost" "queue_run_delay = 1s" \
	"minimal_backoff_time = 2s" "maximal_backoff_time = 3s"
t_check "instance with qmgr and the smtp agent starts" inst_start
out_count() { ls "$T/$1" 2>/dev/null | grep -c '\.msg$'; }
queue_empty() { [ -z "$(find "$I/queue/incoming" "$I/queue/active" "$I/queue/deferred" -type f)" ]; }
wait_long() { for _ in $(seq 600); do "$@" && return 0; sleep 0.1; done; return 1; }

sink_start bulk "$P"
t_check "smtp-source sends 200 messages" \
	smtp-source -s 5 -m 200 -f sender@remote.test -t rcpt@remote.test 127.0.0.1:$SMTP_PORT
t_check "...all 200 arrive at the relay host" wait_long bash -c "[ \$(ls '$T/bulk' | grep -c '\.msg\$') -ge 200 ]"
t_check "...the queue is empty" wait_long queue_empty
t_expect "...none twice (200 different queue IDs in the Received: headers)" "200 200" python3 -c "
import glob, re
ids = [re.search(rb'with E?SMTP id (\w+)', open(f, 'rb').read()).group(1) for f in glob.glob('$T/bulk/*.msg')]
print(len(ids), len(set(ids)))"
t_expect "...200 'status=sent' log lines with relay=127.0.0.1[127.0.0.1]:$P" "200" \
	grep -c "hato/smtp\[[0-9]*\]: [0-9A-Za-z]*: to=<rcpt@remote.test>, relay=127.0.0.1\[127.0.0.1\]:$P, .*status=sent (250 2.0.0 Ok: queued as SINK" "$I/maillog"
t_check "...and connections were reused (conn_use= in the log)" grep -q "conn_use=[2-9]" "$I/maillog"
sink_stop bulk

sink_start busy "$P" --rule "RCPT=451 4.3.0 try again later"
id=$(swaks --server 127.0.0.1:$SMTP_PORT --from sender@remote.test --to later@remote.test --header "Subject: later" -n 2>&1 | sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p')
t_check "a 4xx from the relay host: the message is deferred" wait_long grep -q "$id: to=<later@remote.test>, .*status=deferred (host 127.0.0.1\[127.0.0.1\] said: 451 4.3.0 try again later (in reply to RCPT TO command))" "$I/maillog"
t_check "...and waits in deferred/" wait_long test -f "$I/queue/deferred/$id"
sink_stop busy
sink_start ok "$P"
t_check "...once the host answers 250 it is delivered" wait_long grep -q "$id: to=<later@remote.test>, .*status=sent" "$I/maillog"
t_check "...and removed from the queue" wait_long grep -q "$id: removed" "$I/maillog"
sink_stop ok

sink_start reject "$P" --rule "RCPT:nobody*=550 5.1.1 <nobody@remote.test>: no such user here"
id=$(swaks --server 127.0.0.1:$SMTP_PORT --from sender@remote.test --to nobody@remote.test --header "Subject: bounce me" -n 2>&1 | sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p')
t_check "a 5xx from the relay host: bounced, logged with the remote reply" \
	wait_long grep -q "$id: to=<nobody@remote.test>, .*dsn=5.1.1, status=bounced (host 127.0.0.1\[127.0.0.1\] said: 550 5.1.1 <nobody@remote.test>: no such user here (in reply to RCPT TO command))" "$I/maillog"
t_check "...a DSN from <> to the sender reaches the relay host" wait_long python3 -c "
import glob, json, sys
sys.exit(not any(json.load(open(f))['mail'].startswith('MAIL FROM:<>') for f in glob.glob('$T/reject/*.json')))"
dsn=$(python3 -c "
import glob, json
for f in glob.glob('$T/reject/*.json'):
    if json.load(open(f))['mail'].startswith('MAIL FROM:<>'): print(f[:-5] + '.msg')")
t_check "...addressed to the sender" python3 -c "
import glob, json, sys
sys.exit(not any(json.load(open(f))['rcpt'][0].startswith('RCPT TO:<sender@remote.test>') for f in glob.glob('$T/reject/*.json')))"
t_check "...naming the recipient and quoting the remote reply" \
	bash -c "grep -q 'nobody@remote.test' '$dsn' && grep -q '550 5.1.1 <nobody@remote.test>: no such user here' '$dsn'"
sink_stop reject
t_check "no smtp process crashed" smtp_no_crash
