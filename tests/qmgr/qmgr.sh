#!/usr/bin/env bash
# qmgr/qmgr.sh - the queue manager against a fake delivery agent (the
# local and smtp agents have their own tests): sent -> removed, deferred ->
# deferred/ and retried after the backoff, bounced -> a DSN to the sender,
# spare inodes kept (with their blocks, the first byte cleared) and reused,
# recovery of active/ at start (an unmarked file there removed), an unmarked complete file in incoming/ recovered,
# hato flush, a corrupt file, expiry.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "qmgr tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_set "local_recipient_maps =" "minimal_backoff_time = 2s" "maximal_backoff_time = 3s" \
	"queue_run_delay = 1s" "mydestination = \$myhostname, example.test, example.org"
echo "qmgr      fifo  n       -       n       1       1       qmgr" >>"$I/master.cf"
python3 "$TOPDIR/tests/qmgr/fake_agent.py" "$I/queue/private/local" "$T/agent.log" &
agent=$!
trap 'kill $agent 2>/dev/null; inst_cleanup' EXIT
t_check "instance with qmgr starts" inst_start
send() { swaks --server 127.0.0.1:$SMTP_PORT --from "$1" --to "$2" --header "Subject: $3" -n 2>&1 | sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p'; }
wait_for() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }

id=$(send s@example.org user@example.test sent)
t_check "a delivered message is removed from the queue" wait_for grep -q "$id: removed" "$I/maillog"
t_check "...after the agent got a request for active/$id with sender and recipient" \
	python3 -c "
import json, sys
reqs = [json.loads(l) for l in open('$T/agent.log')]
r = [q for q in reqs if q['queue_id'] == '$id'][0]
sys.exit(not (r['queue_file'] == 'active/$id' and r['sender'] == 's@example.org' and r['rcpt_0'] == 'user@example.test'))"
t_check "...and the log has Postfix's 'from=<s@example.org>, size=..., nrcpt=1 (queue active)'" \
	grep -q "$id: from=<s@example.org>, size=[0-9]*, nrcpt=1 (queue active)" "$I/maillog"
t_expect "...its inode kept in spare/ for the next message, with its blocks (mode 0600, not empty)" "600 yes" \
	bash -c "stat -c '%a %s' '$I/queue/spare/$id' | sed 's/ [1-9][0-9]*\$/ yes/'"
t_expect "...its first byte cleared, so it is no queue file any more" "00" \
	bash -c "od -An -tx1 -N1 '$I/queue/spare/$id' | tr -d ' '"
t_check "...postcat refuses it" bash -c "! '$TOPDIR/build/bin/postcat' '$I/queue/spare/$id' >/dev/null 2>&1"
sleep 2		# a cleanup that found spare/ empty looks again only after a second
id2=$(send s@example.org user@example.test reuse)
wait_for grep -q "$id2: removed" "$I/maillog"
t_check "...which cleanup takes for the next message (spare/$id is gone)" test ! -e "$I/queue/spare/$id"

id=$(send s@example.org defer1@example.test deferred)
t_check "a deferred message goes to deferred/" wait_for test -f "$I/queue/deferred/$id"
t_check "...with its reason in defer/$id" grep -q 'fake agent says deferred' "$I/queue/defer/$id"
t_check "...and is tried again after minimal_backoff_time" \
	wait_for bash -c "[ \$(grep -c '\"queue_id\": \"$id\"' '$T/agent.log') -ge 2 ]"

id=$(send s@example.org bounce1@example.test bounced)
t_check "a bounced recipient: the message is removed" wait_for grep -q "$id: removed" "$I/maillog"
dsn=$(sed -n "s/.*$id: sender non-delivery notification: \([0-9A-Za-z]*\).*/\1/p" "$I/maillog")
t_check "...and a non-delivery notification was queued for the sender" test -n "$dsn"
t_check "...from <> to the sender, delivered to it" \
	wait_for python3 -c "
import json, sys
reqs = [json.loads(l) for l in open('$T/agent.log')]
sys.exit(not any(q['queue_id'] == '$dsn' and q['sender'] == '' and q['rcpt_0'] == 's@example.org' for q in reqs))"
t_check "no notification about a notification (a bounce from <> is not returned)" \
	bash -c "! grep -q '$dsn: sender non-delivery' '$I/maillog'"

# recovery: a message left in active/ by a dead qmgr is delivered at start
inst_stop 2>/dev/null
"$HATO" -c "$I" start >/dev/null
id=$(send s@example.org user2@example.test recover)
wait_for grep -q "$id: removed" "$I/maillog"
inst_stop 2>/dev/null
mv "$(ls -t "$I/queue/deferred/"* | head -1)" "$I/queue/active/" 2>/dev/null
left=$(ls "$I/queue/active" | head -1)
before=$(grep -c "\"queue_id\": \"$left\"" "$T/agent.log")
t_check "a file left in active/ while qmgr was down" test -n "$left"
empty=1xXZZZZZZX00000000
printf '\0old content' >"$I/queue/active/$empty"; chown hato "$I/queue/active/$empty"; chmod 0600 "$I/queue/active/$empty"
"$HATO" -c "$I" start >/dev/null
t_check "an unmarked file in active/ (a crash while it was made spare) is removed at start" \
	wait_for grep -q "active/$empty: unmarked file (a crash while it was made spare): removed" "$I/maillog"
t_check "...and is gone" test ! -e "$I/queue/active/$empty"
t_check "...is delivered again when qmgr starts (at least once)" \
	wait_for bash -c "[ \$(grep -c '\"queue_id\": \"$left\"' '$T/agent.log') -gt $before ] && [ ! -f '$I/queue/active/$left' ]"

# a complete file in incoming/ whose 0700 mark a crash lost is recovered at
# start; one cut short (its sizes do not add up) is left alone
inst_stop 2>/dev/null
lost=$(ls "$I/queue/deferred" | head -1)
mv "$I/queue/deferred/$lost" "$I/queue/incoming/$lost" && chmod 0600 "$I/queue/incoming/$lost"
touch -d '-5 minutes' "$I/queue/incoming/$lost"
cut=1xXZZZZZZY00000000
head -c 100 "$I/queue/incoming/$lost" >"$I/queue/incoming/$cut"
chown hato "$I/queue/incoming/$cut"; chmod 0600 "$I/queue/incoming/$cut"; touch -d '-5 minutes' "$I/queue/incoming/$cut"
before=$(grep -c "\"queue_id\": \"$lost\"" "$T/agent.log")
t_check "a complete unmarked (0600) file in incoming/" test -n "$lost"
"$HATO" -c "$I" start >/dev/null
t_check "...is marked complete when qmgr starts, with a warning" \
	wait_for grep -q "incoming/$lost: complete but not marked so" "$I/maillog"
t_check "...and handed to the agent again" \
	wait_for bash -c "[ \$(grep -c '\"queue_id\": \"$lost\"' '$T/agent.log') -gt $before ]"
t_expect "...while a cut-short one stays in incoming/, 0600" "600" stat -c %a "$I/queue/incoming/$cut"
rm -f "$I/queue/incoming/$cut"

# hato flush: retry now, whatever the backoff says
inst_set "minimal_backoff_time = 1h" "maximal_backoff_time = 1h" "queue_run_delay = 1h"
"$HATO" -c "$I" stop >/dev/null 2>&1; "$HATO" -c "$I" start >/dev/null
id=$(send s@example.org defer2@example.test flush)
wait_for test -f "$I/queue/deferred/$id"
before=$(grep -c "\"queue_id\": \"$id\"" "$T/agent.log")
t_check "hato flush" "$HATO" -c "$I" flush
t_check "...retries a deferred message at once" \
	wait_for bash -c "[ \$(grep -c '\"queue_id\": \"$id\"' '$T/agent.log') -gt $before ]"

# a corrupt queue file is moved to corrupt/ and logged, nothing else stops
printf 'garbage' >"$I/queue/incoming/1xXZZZZZZZ00000000"
chmod 0700 "$I/queue/incoming/1xXZZZZZZZ00000000"
chown hato "$I/queue/incoming/1xXZZZZZZZ00000000"
id=$(send s@example.org user3@example.test after-corrupt)
t_check "a corrupt file in incoming/ is moved to corrupt/" wait_for test -f "$I/queue/corrupt/1xXZZZZZZZ00000000"
t_check "...logged" wait_for grep -q '1xXZZZZZZZ00000000: corrupt queue file moved to corrupt/' "$I/maillog"
t_check "...and the next message is still delivered" wait_for grep -q "$id: removed" "$I/maillog"

# expiry: a deferred recipient past maximal_queue_lifetime goes back to the sender
inst_set "maximal_queue_lifetime = 1s" "minimal_backoff_time = 1s" "maximal_backoff_time = 1s" "queue_run_delay = 1s"
"$HATO" -c "$I" stop >/dev/null 2>&1; "$HATO" -c "$I" start >/dev/null
id=$(send s@example.org defer3@example.test expire)
t_check "past maximal_queue_lifetime the recipient is returned as expired" \
	wait_for grep -q "$id: to=<defer3@example.test>, relay=none, delay=[0-9]*, dsn=4.4.7, status=expired" "$I/maillog"
t_check "...with a notification to the sender, and the message removed" \
	wait_for bash -c "grep -q '$id: sender non-delivery notification' '$I/maillog' && grep -q '$id: removed' '$I/maillog'"
inst_stop 2>/dev/null
