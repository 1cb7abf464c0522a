#!/usr/bin/env bash
# smtpd/relay.sh - relay control and the basic protocol, with stock
# clients (swaks, Python smtplib).  The outside client binds 127.0.0.2,
# outside mynetworks = 127.0.0.1/32; every classic relay trick must be
# refused with 554 5.7.1, mail for our domains accepted.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtpd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_set "smtpd_helo_required = yes" "disable_vrfy_command = yes" \
	"smtpd_banner = \$myhostname ESMTP" "message_size_limit = 100000" \
	"local_recipient_maps =" "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination"
t_check "instance starts" inst_start

# rcpt_reply FROM_ADDR RCPT - the reply to RCPT TO:<RCPT> as Python smtplib gets it
rcpt_reply() {
	python3 - "$SMTP_PORT" "$1" "$2" <<'PY'
import smtplib, sys
port, src, rcpt = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = smtplib.SMTP("127.0.0.1", port, source_address=(src, 0), timeout=20)
s.ehlo("client.example.org")
s.mail("sender@example.org")
code, msg = s.docmd("RCPT TO:<%s>" % rcpt)
print(code, msg.decode())
s.quit()
PY
}

for trick in 'user%other.example@example.test' 'user@other.example@example.test' \
	'"user@other.example"@example.test' '@example.test:user@other.example' \
	'other.example!user@example.test' 'user@other.example.' 'user@[192.0.2.1]' \
	'USER%OTHER.EXAMPLE@Example.Test' 'user%other.example%example.test@example.test' \
	'user@OTHER.example' 'user@example.test.other.example'; do
	got=$(rcpt_reply 127.0.0.2 "$trick" 2>&1)
	case $got in
	554\ 5.7.1*|501\ 5.1.3*) t_ok "relay trick refused from outside: <$trick> ($got)" ;;
	*) t_fail "relay trick refused from outside: <$trick>" "got: $got" ;;
	esac
done
t_expect "mail for our domain is accepted from outside" "250 2.1.5 Ok" rcpt_reply 127.0.0.2 "user@example.test"
t_expect "mixed case of our domain is ours" "250 2.1.5 Ok" rcpt_reply 127.0.0.2 "User@EXAMPLE.Test"
t_expect "a trailing dot on our domain is ours" "250 2.1.5 Ok" rcpt_reply 127.0.0.2 "user@example.test."
t_expect "mynetworks may relay" "250 2.1.5 Ok" rcpt_reply 127.0.0.1 "user@other.example"

banner=$(python3 -c "
import socket; s = socket.create_connection(('127.0.0.1', $SMTP_PORT)); print(s.recv(200).decode().rstrip())")
t_expect "the banner is exactly '220 myhostname ESMTP'" "220 mx.example.test ESMTP" echo "$banner"

dialog=$(printf 'MAIL FROM:<a@example.org>\r\n<WAIT>\nEHLO c.example.org\r\n<WAIT>\nVRFY user\r\n<WAIT>\nQUIT\r\n' | smtp_dialog)
t_check "MAIL before HELO: 503" grep -q '^503 5.5.1 Error: send HELO/EHLO first' <<<"$dialog"
t_check "VRFY with disable_vrfy_command: 502 5.5.1" grep -q '^502 5.5.1' <<<"$dialog"
t_check "EHLO offers PIPELINING, SIZE 100000, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, CHUNKING, DSN" \
	bash -c "for k in PIPELINING 'SIZE 100000' 8BITMIME ENHANCEDSTATUSCODES SMTPUTF8 CHUNKING DSN; do grep -q \"^250[- ]\$k\$\" <<<'$dialog' || exit 1; done"

# send_size MODE - MAIL with SIZE=200000 ("declared") or 150 KB of body ("counted")
send_size() {
	python3 - "$SMTP_PORT" "$1" <<'PY'
import smtplib, sys
port, mode = int(sys.argv[1]), sys.argv[2]
s = smtplib.SMTP("127.0.0.1", port, timeout=20)
s.ehlo("client.example.org")
if mode == "declared":
    code, msg = s.mail("a@example.org", ["SIZE=200000"])
    print(code, msg.decode())
else:
    body = ("Subject: big\r\n\r\n" + ("x" * 70 + "\r\n") * 2100).encode()
    s.docmd("MAIL FROM:<a@example.org>")    # no SIZE=: the server must count
    s.docmd("RCPT TO:<user@example.test>")
    code, msg = s.data(body)
    print(code, msg.decode())
s.quit()
PY
}
t_expect "SIZE= over message_size_limit: 552 5.3.4" "552 5.3.4 Message size exceeds fixed limit" send_size declared
t_expect "a message over message_size_limit by counting: 552 5.3.4" "552 5.3.4 Message size exceeds fixed limit" send_size counted
t_expect "...and nothing was queued" "0" inst_queue_files

out=$(swaks --server 127.0.0.1:$SMTP_PORT --from a@example.org --to user@example.test \
	--header 'Subject: relay test' --body 'hello' 2>&1)
id=$(sed -n 's/.*250 2.0.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$out")
t_check "a local message gets '250 2.0.0 Ok: queued as ID'" test -n "$id"
t_check "...and the queue file incoming/$id exists" test -f "$I/queue/incoming/$id"
t_check "...mode 0700 (complete)" test "$(stat -c %a "$I/queue/incoming/$id" 2>/dev/null)" = 700
t_check "the log has the client line for $id" grep -q "$id: client=localhost\|$id: client=unknown" "$I/maillog"

# check_sender_access / check_recipient_access with hash: tables
printf 'spammer@bad.example REJECT no thanks\nbad.example REJECT\ngood@bad.example OK\n' >"$T/senders"
printf 'closed@example.test 550 this mailbox is closed\nprivate@ DUNNO\n' >"$T/rcpts"
"$B/bin/postmap" "hash:$T/senders" && "$B/bin/postmap" "hash:$T/rcpts"
inst_set "smtpd_sender_restrictions = check_sender_access hash:$T/senders" \
	"smtpd_recipient_restrictions = check_recipient_access hash:$T/rcpts, permit_mynetworks, reject_unauth_destination"
"$HATO" -c "$I" reload >/dev/null 2>&1; sleep 1
# mail_reply SENDER RCPT - the first refusal of MAIL/RCPT, or "250"
mail_reply() {
	python3 - "$SMTP_PORT" "$1" "$2" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), source_address=("127.0.0.2", 0), timeout=20)
s.ehlo("client.example.org")
code, msg = s.mail(sys.argv[2])
if code == 250:
    code, msg = s.rcpt(sys.argv[3])
print(code, msg.decode())
PY
}
t_expect "check_sender_access: a listed address is refused with its text" \
	"554 5.7.1 <spammer@bad.example>: Sender address rejected: no thanks" mail_reply spammer@bad.example user@example.test
t_expect "check_sender_access: the domain entry refuses other senders there" \
	"554 5.7.1 <other@bad.example>: Sender address rejected: Access denied" mail_reply other@bad.example user@example.test
t_expect "check_sender_access: an OK entry for the full address wins over its domain" \
	"250 2.1.5 Ok" mail_reply good@bad.example user@example.test
t_expect "check_recipient_access: a numeric code and text" \
	"550 5.7.1 <closed@example.test>: Recipient address rejected: this mailbox is closed" mail_reply a@example.org closed@example.test
t_expect "check_recipient_access: DUNNO goes on to the next restriction" \
	"250 2.1.5 Ok" mail_reply a@example.org private@example.test

inst_stop
t_check "hato stop leaves no smtpd or cleanup process" wait_gone
