#!/usr/bin/env bash
# hato/log_cmd.sh - `hato log QUEUEID`: one message's life across the
# daemons from maillog_file (smtpd's client=, cleanup's message-id=, qmgr's
# from= and removed, local's status=), and, for a message that bounced,
# the non-delivery notification's lines after it; the same from a
# maillog_format = json log (whose lines carry "queue_id"); no other
# message's lines; a rotated file named on the command line; a clear
# error without maillog_file, for an unknown ID and for a bad one.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "hato log tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=hllog1
inst_new
inst_user $U
inst_add_maildir qmgr
inst_set "bounce_queue_lifetime = 0" "maximal_queue_lifetime = 0"
t_check "an instance with local delivery and qmgr starts" inst_start

ok=$(inst_send sender@example.test $U@example.test "for the log")
other=$(inst_send sender@example.test $U@example.test "another one")
t_check "two messages queued" test -n "$ok" -a -n "$other"
t_check "...and delivered" inst_wait bash -c "[ \$(ls '$INST_HOME/Maildir/new' | wc -l) = 2 ]"
inst_wait grep -q "$other: removed" "$I/maillog"
"$HATO" -c "$I" log "$ok" >"$T/ok.out" 2>"$T/ok.err"
t_check "hato log prints smtpd's client= line" grep -q "hato/smtpd\[[0-9]*\]: $ok: client=" "$T/ok.out"
t_check "...cleanup's message-id=" grep -q "hato/cleanup\[[0-9]*\]: $ok: message-id=" "$T/ok.out"
t_check "...qmgr's from=" grep -q "hato/qmgr\[[0-9]*\]: $ok: from=<sender@example.test>" "$T/ok.out"
t_check "...local's status=sent" grep -q "hato/local\[[0-9]*\]: $ok: to=<$U@example.test>.*status=sent" "$T/ok.out"
t_check "...and removed, last" bash -c "tail -1 '$T/ok.out' | grep -q '$ok: removed'"
t_check "...and nothing about the other message" bash -c "! grep -q '$other' '$T/ok.out'"
t_expect "every line it prints is in maillog_file, in its order" "" \
	bash -c "grep -F '$ok' '$I/maillog' | grep -v 'notification' | diff - '$T/ok.out'"

bad=$(inst_send sender@example.test nosuchuser@example.test "to bounce")
t_check "a message to an unknown user is queued" test -n "$bad"
inst_wait bash -c "grep -q '$bad: sender non-delivery notification: ' '$I/maillog'"
nd=$(sed -n "s/.*$bad: sender non-delivery notification: \([0-9A-Za-z]*\).*/\1/p" "$I/maillog")
inst_wait grep -q "$nd: removed" "$I/maillog"
"$HATO" -c "$I" log "$bad" >"$T/bad.out" 2>&1
t_check "a bounced message: its status=bounced" grep -q "$bad: to=<nosuchuser@example.test>.*status=bounced" "$T/bad.out"
t_check "...then its notification's lines (qmgr's from=<>, its delivery)" \
	bash -c "grep -q '$nd: from=<>' '$T/bad.out' && grep -q '$nd: to=<sender@example.test>' '$T/bad.out'"

mv "$I/maillog" "$I/maillog.1"
"$HATO" -c "$I" reload >/dev/null 2>&1
"$HATO" -c "$I" log "$ok" "$I/maillog.1" >"$T/rot.out" 2>&1
t_expect "a rotated file named on the command line is read" "$(cat "$T/ok.out")" cat "$T/rot.out"

"$HATO" -c "$I" log 1nQd3A0fUq00Gx01Kp >"$T/none.out" 2>&1
t_check "an ID without a line: exit 1 and says so" \
	bash -c "! '$HATO' -c '$I' log 1nQd3A0fUq00Gx01Kp >/dev/null 2>&1 && grep -q 'no line about 1nQd3A0fUq00Gx01Kp' '$T/none.out'"
"$HATO" -c "$I" log ../etc/passwd >"$T/usage.out" 2>&1
t_check "an ID that is no queue ID: usage" grep -q "usage: hato log ID" "$T/usage.out"

inst_set "maillog_format = json"
"$HATO" -c "$I" reload >/dev/null 2>&1
sleep 1
js=$(inst_send sender@example.test $U@example.test "json")
inst_wait grep -q "\"queue_id\":\"$js\",\"message\":\"$js: removed\"" "$I/maillog"
"$HATO" -c "$I" log "$js" >"$T/json.out" 2>&1
t_check "maillog_format = json: the lines carry queue_id and hato log finds them" \
	bash -c "grep -q '\"program\":\"hato/smtpd\".*\"queue_id\":\"$js\"' '$T/json.out' && grep -q '\"program\":\"hato/local\".*status=sent' '$T/json.out'"

inst_set "maillog_file ="
"$HATO" -c "$I" log "$ok" >"$T/nofile.out" 2>&1
t_check "without maillog_file: says the lines are in syslog" grep -q "maillog_file is not set" "$T/nofile.out"
