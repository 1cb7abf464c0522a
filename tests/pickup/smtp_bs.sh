#!/usr/bin/env bash
# pickup/smtp_bs.sh - "sendmail -bs": an SMTP dialog on stdin/stdout, run
# by an ordinary user (postdrop set-group-ID hatodrop, as installed).
# swaks (--pipe) sends a message through it; a pipelined session queues
# two messages with the envelope MAIL and RCPT gave, dot-stuffing undone;
# the errors a client can make (order, syntax, unknown command, a long
# line, too many errors) get their replies; a message over
# message_size_limit gets 552 and the end of the input inside DATA queues
# nothing (maildrop/ stays empty); authorized_submit_users is honoured.
# sendmail run by a caller that ignores SIGCHLD (swaks --pipe does) still
# sees postdrop's exit status.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "sendmail -bs tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=hlbs1
inst_new
inst_add_pickup 1
t_check "an instance with smtpd, cleanup and pickup starts" inst_start
userdel "$U" >/dev/null 2>&1	# one left by an earlier run
t_check "a throw-away user" inst_add_user "$U"
t_check "sendmail and a set-group-ID postdrop as installed" inst_user_bin sendmail postdrop
SM=$T/bin/sendmail
as_user() { runuser -u "$U" -- env HATO_CONFIG="$I" "$@"; }

# queued SUBJECT - the queue file (incoming/) whose message has SUBJECT,
# waited for up to 5 s; postcat's view of it on stdout
queued() {
	local f
	for _ in $(seq 50); do
		for f in "$I"/queue/incoming/*; do
			[ -f "$f" ] && [ -x "$f" ] && "$B/bin/postcat" "$f" 2>/dev/null | grep -qx "Subject: $1" &&
				{ "$B/bin/postcat" "$f"; return 0; }
		done
		sleep 0.1
	done
	return 1
}
maildrop_empty() { [ -z "$(find "$I/queue/maildrop" -mindepth 1)" ]; }

as_user swaks --pipe "$SM -bs" --from "$U@example.test" --to rcpt1@example.test \
	--header "Subject: by swaks" --body $'one\n.two' >"$T/swaks.out" 2>&1
t_check "swaks --pipe 'sendmail -bs' as an ordinary user: exit 0" test $? = 0
t_check "...the end of DATA got 250 queued" grep -q "<- *250 2.0.0 Ok: queued" "$T/swaks.out"
queued "by swaks" >"$T/q1" 2>&1
t_check "...the message is in the queue" test -s "$T/q1"
t_check "...sender and recipient as MAIL FROM and RCPT TO gave them" \
	bash -c "grep -qx 'sender: $U@example.test' '$T/q1' && grep -qx 'recipient: rcpt1@example.test' '$T/q1'"
t_check "...the body's dot-stuffed line is '.two' again" grep -qx ".two" "$T/q1"
t_check "...queued from the user's uid (pickup takes the file's owner)" \
	grep -qx "named_attribute: uid=$(id -u "$U")" "$T/q1"

printf 'Subject: chld\n\nx\n' | as_user perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' "$SM" e@example.test
t_check "plain sendmail from a caller that ignores SIGCHLD: exit 0" test $? = 0
t_check "...and the message is queued" queued chld
printf '%s\r\n' "EHLO client" "MAIL FROM:<a@example.test>" "RCPT TO:<b@example.test>" \
	"RCPT TO:<c@example.test>" DATA "Subject: first" "" "..leading dot" "." \
	"MAIL FROM:<>" "RCPT TO:<d@example.test>" DATA "Subject: second" "" "body" "." QUIT |
	as_user "$SM" -bs >"$T/pipe.out" 2>&1
t_check "a pipelined session: greeting, EHLO with PIPELINING and SIZE" \
	bash -c "head -1 '$T/pipe.out' | grep -q '^220 ' && grep -q '^250-PIPELINING' '$T/pipe.out' && grep -q '^250-SIZE' '$T/pipe.out'"
t_expect "...two messages queued, then 221" "2 1" \
	bash -c "echo \$(grep -c '^250 2.0.0 Ok: queued' '$T/pipe.out') \$(grep -c '^221 ' '$T/pipe.out')"
queued first >"$T/q2" 2>&1
t_check "...the first with both recipients and '.leading dot'" \
	bash -c "grep -qx 'recipient: b@example.test' '$T/q2' && grep -qx 'recipient: c@example.test' '$T/q2' && grep -qx '.leading dot' '$T/q2'"
queued second >"$T/q3" 2>&1
t_check "...the second from the null sender" \
	bash -c "grep -qx 'sender: ' '$T/q3' || grep -qx 'sender:' '$T/q3'"

printf '%s\r\n' "RCPT TO:<b@example.test>" "MAIL FROM:<a@example.test>" "MAIL FROM:<a@example.test>" \
	DATA "RCPT TO:<bad address>" "RCPT FROM:<x@example.test>" "FROB" \
	"NOOP $(head -c 5000 /dev/zero | tr '\0' x)" "VRFY root" RSET DATA QUIT |
	as_user "$SM" -bs >"$T/err.out" 2>&1
t_expect "client errors: RCPT first, nested MAIL, DATA without RCPT, bad address, bad syntax, unknown, long line, VRFY, RSET, DATA after RSET" \
	"503 5.5.1,250 2.1.0,503 5.5.1,503 5.5.1,501 5.1.3,501 5.5.4,502 5.5.2,500 5.5.2,252 2.0.0,250 2.0.0,503 5.5.1,221 2.0.0" \
	bash -c "tail -n +2 '$T/err.out' | cut -c1-9 | paste -sd,"
yes "FROB" | head -50 | as_user "$SM" -bs >"$T/many.out" 2>&1
t_check "too many errors: 421 and the session ends" \
	bash -c "tail -1 '$T/many.out' | grep -q '^421 ' && [ \$(grep -c '^502' '$T/many.out') -lt 25 ]"

inst_set "message_size_limit = 2000"
printf '%s\r\n' "MAIL FROM:<a@example.test> SIZE=5000" "MAIL FROM:<a@example.test>" "RCPT TO:<b@example.test>" \
	DATA "Subject: big" "" "$(head -c 3000 /dev/zero | tr '\0' y)" "." QUIT |
	as_user "$SM" -bs >"$T/big.out" 2>&1
t_check "message_size_limit: SIZE= over it is 552 at MAIL" grep -q "^552 5.3.4" <(sed -n 2p "$T/big.out")
t_check "...a message over it is 552 at the end of DATA" \
	bash -c "grep -c '^552 5.3.4' '$T/big.out' | grep -qx 2 && ! grep -q 'queued' '$T/big.out'"
t_check "...and nothing of it is left in maildrop/" maildrop_empty
inst_set "message_size_limit = 10240000"

printf '%s\r\n' "MAIL FROM:<a@example.test>" "RCPT TO:<b@example.test>" DATA "Subject: cut" "" "half" |
	as_user "$SM" -bs >"$T/cut.out" 2>&1
t_check "input ending inside DATA: no reply after 354, nothing queued" \
	bash -c "tail -1 '$T/cut.out' | grep -q '^354 ' && ! queued cut >/dev/null 2>&1"
t_check "...and maildrop/ is empty" maildrop_empty

inst_set "authorized_submit_users = root"
printf 'QUIT\r\n' | as_user "$SM" -bs >"$T/acl.out" 2>&1
t_check "authorized_submit_users: the user is refused, no SMTP greeting" \
	bash -c "! grep -q '^220' '$T/acl.out' && grep -qi 'not allowed\|permission\|authorized' '$T/acl.out'"
