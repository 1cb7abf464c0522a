#!/usr/bin/env bash
# pickup/backlog.sh - a pile of maildrop files that cleanup keeps deferring
# (header_checks: REJECT 451) must not hold up new local submissions:
# pickup walks the whole maildrop/ and gives a deferred file a backoff
# instead of handing it to cleanup again on every run.  The bounds here
# are functional (seconds, not a benchmark).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pickup tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

BAD=300 GOOD=20
inst_new
inst_add_pickup
printf '/^Subject: defer-me/ REJECT 451 4.3.0 try again later\n' >"$I/header_checks"
inst_set "header_checks = regexp:$I/header_checks"
export HATO_CONFIG=$I
t_check "instance with cleanup and pickup starts" inst_start
SM=$B/bin/sendmail

maildrop_count() { find "$I/queue/maildrop" -mindepth 1 -type f | wc -l; }
deferrals() { grep -c "cleanup said 451 4.3.0 try again later; will try again" "$I/maillog"; }

for i in $(seq $BAD); do
	printf 'Subject: defer-me %s\n\nbody\n' "$i" | "$SM" -i "bad$i@example.test" || break
done
t_expect "$BAD deferred messages wait in maildrop/" "$BAD" maildrop_count
t_check "cleanup's 451 is logged with the wait before the next try" \
	inst_wait grep -q "cleanup said 451 4.3.0 try again later; will try again in 60 s" "$I/maillog"

start=$SECONDS
for i in $(seq $GOOD); do
	printf 'Subject: good %s\n\nbody\n' "$i" | "$SM" -i "good$i@example.test"
done
all_good() { [ "$(inst_queue_files)" = "$GOOD" ]; }
for _ in $(seq 200); do all_good && break; sleep 0.1; done
t_check "all $GOOD good messages are queued within 20 s ($((SECONDS - start)) s)" all_good
t_expect "the deferred ones are still in maildrop/ (never lost)" "$BAD" maildrop_count

# once every deferred file has been tried, a new run leaves them alone
all_tried() { [ "$(deferrals)" -ge "$BAD" ]; }
inst_wait all_tried
before=$(deferrals)
printf 'Subject: one more\n\nbody\n' | "$SM" -i "last@example.test"
one_more() { [ "$(inst_queue_files)" = $((GOOD + 1)) ]; }
t_check "one more good message is queued" inst_wait one_more
sleep 1
t_expect "a new run does not send the deferred files to cleanup again (backoff)" \
	"$before" deferrals
t_expect "each deferred file was tried once" "$BAD" deferrals
