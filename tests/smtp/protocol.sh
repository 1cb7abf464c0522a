#!/usr/bin/env bash
# smtp/protocol.sh - what the smtp agent says on the wire, against
# tests/smtp/sink.py (a scriptable server that captures every byte): the
# content arrives intact (a 100 KB line, 8-bit bytes, lines starting with
# "."), PIPELINING, SIZE (sent; a message over the server's limit bounces
# 5.3.4 without MAIL), BODY=8BITMIME only for 8-bit content and only when
# offered, HELO when EHLO is refused, DSN parameters only to a DSN server,
# per-recipient results in one transaction, multi-line and over-long
# replies, a 5xx greeting, every timeout, a malformed reply, 250
# recipients in one transaction, SMTPUTF8, a recipient with CR LF in it,
# smtp_bind_address.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtp tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/smtp/common.sh"
trap 'sinks_cleanup; inst_cleanup' EXIT

smtp_instance \
	"smtpfast  unix  -       -       n       -       -       smtp -o smtp_rcpt_timeout=1s -o smtp_data_done_timeout=1s -o smtp_helo_timeout=1s -o smtp_connection_cache_on_demand=no" \
	"bind      unix  -       -       n       -       -       smtp -o smtp_bind_address=127.0.0.2"
t_check "instance with the smtp agent starts" inst_start
P=$((SMTP_PORT + 1))
out() { printf '%s\n' "$1" | jfield "${3:-1}" "$2"; }
# env N KEY - field KEY of the sink's Nth captured envelope
env() { python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))" "$T/$SINKNAME/$1.json" "$2"; }
start() { SINKNAME=$1; shift; sink_start "$SINKNAME" "$P" "$@"; }
stop() { sink_stop "$SINKNAME"; }

# the message: 8-bit text, a 100 KB line, lines that need dot-stuffing
python3 - "$T/msg8" "$T/msg7" <<'PY'
import sys
hdr = b"Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\n"
body8 = (hdr + b"From: sender@example.org\r\nTo: user@example.test\r\nSubject: content\r\n"
         b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"Content-Transfer-Encoding: 8bit\r\n\r\n"
         b"Gr\xc3\xbc\xc3\x9fe, \xe9t\xe9 latin-1 too\r\n"
         b".x\r\n..y\r\n.\r\n. \r\n"
         + b"L" * 100000 + b"\r\n"
         b"tab\there, NUL-free, trailing spaces   \r\n"
         b"last line\r\n")
open(sys.argv[1], "wb").write(body8)
open(sys.argv[2], "wb").write(hdr + b"From: sender@example.org\r\nSubject: seven\r\n\r\n.plain\r\n")
PY
id8=$(queue_raw "$T/msg8")
id7=$(queue_raw "$T/msg7")
t_check "two messages queued (8-bit with a 100 KB line, 7-bit)" test -n "$id8" -a -n "$id7"

# same_content FILE CAPTURE - CAPTURE is FILE plus the Received: header smtpd added
same_content() {
	python3 - "$1" "$2" <<'PY'
import sys
want, got = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert got.startswith(b"Received: "), got[:60]
i = got.index(b"\r\n") + 2
while got[i:i + 1] in (b" ", b"\t"):
    i = got.index(b"\r\n", i) + 2
sys.exit(0 if got[i:] == want else "differs at byte %d" % next(
    (k for k in range(min(len(want), len(got) - i)) if want[k] != got[i + k]), min(len(want), len(got) - i)))
PY
}

start full
r=$(deliver smtp "[127.0.0.1]:$P" "$id8" a@remote.test b@remote.test c@remote.test)
t_expect "8-bit message with a 100 KB line: sent" "sent sent sent" \
	echo "$(out "$r" status 1) $(out "$r" status 2) $(out "$r" status 3)"
t_check "...content arrives byte for byte (8-bit, 100 KB line, dot-stuffing undone by the server)" \
	same_content "$T/msg8" "$T/full/1.msg"
t_check "...a line \".x\" arrives as \".x\", \"..y\" as \"..y\", \".\" as \".\"" \
	python3 -c "import sys; sys.exit(b'\r\n.x\r\n..y\r\n.\r\n. \r\n' not in open('$T/full/1.msg', 'rb').read())"
t_check "...MAIL carries SIZE= and BODY=8BITMIME" \
	grep -qE '^MAIL FROM:<sender@example.org> SIZE=[0-9]+ BODY=8BITMIME$' <<<"$(env 1 mail)"
t_check "...MAIL and the RCPTs were pipelined (sent before the MAIL reply)" \
	python3 -c "
import json, sys
cmds = [json.loads(l) for l in open('$T/full.log')]
mail = [c for c in cmds if c['cmd'].startswith('MAIL')][0]
sys.exit(not mail['pipelined'])"
t_expect "...one transaction with three recipients" "3" \
	python3 -c "import json; print(len(json.load(open('$T/full/1.json'))['rcpt']))"
t_check "...text on the wire ends every line with CRLF (no bare LF)" \
	python3 -c "
import sys; d = open('$T/full/1.msg', 'rb').read(); sys.exit(d.count(b'\n') != d.count(b'\r\n'))"

r=$(deliver smtp "[127.0.0.1]:$P" "$id7" a@remote.test)
t_expect "7-bit message: sent" "sent" out "$r" status
t_check "...MAIL without BODY=" bash -c "grep -qE '^MAIL FROM:<sender@example.org> SIZE=[0-9]+$' <<<'$(env 2 mail)'"
t_check "...\".plain\" arrives intact" same_content "$T/msg7" "$T/full/2.msg"
stop

start no8 --ehlo "PIPELINING,SIZE 10240000,DSN"
r=$(deliver smtp "[127.0.0.1]:$P" "$id8" a@remote.test)
t_expect "server without 8BITMIME: 8-bit content is still sent" "sent" out "$r" status
t_check "...as it is, no BODY= parameter" bash -c "grep -qE '^MAIL FROM:<sender@example.org> SIZE=[0-9]+$' <<<'$(env 1 mail)'"
t_check "...content byte for byte" same_content "$T/msg8" "$T/no8/1.msg"
stop

start small --ehlo "PIPELINING,SIZE 1000,8BITMIME"
r=$(deliver smtp "[127.0.0.1]:$P" "$id8" a@remote.test b@remote.test)
t_expect "message over the server's SIZE: bounced 5.3.4" "bounced 5.3.4 bounced" \
	echo "$(out "$r" status) $(out "$r" dsn) $(out "$r" status 2)"
t_check "...message size N exceeds size limit 1000 of server host[addr]" \
	grep -qE '^message size [0-9]+ exceeds size limit 1000 of server 127.0.0.1\[127.0.0.1\]$' <<<"$(out "$r" text)"
t_check "...and no MAIL was sent" bash -c "! grep -q '^MAIL' <<<'$(sink_cmds small)'"
stop

start nopipe --ehlo "SIZE 10240000,8BITMIME"
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" a@remote.test b@remote.test)
t_expect "server without PIPELINING: sent" "sent sent" echo "$(out "$r" status) $(out "$r" status 2)"
t_check "...one command at a time (nothing sent ahead of a reply)" \
	python3 -c "
import json, sys
cmds = [json.loads(l) for l in open('$T/nopipe.log')]
sys.exit(any(c['pipelined'] for c in cmds if c['cmd'] != 'QUIT'))"
stop

start helo --ehlo reject
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" a@remote.test)
t_expect "EHLO refused with 5xx: HELO, then sent" "sent" out "$r" status
t_check "...HELO mx.example.test was sent" grep -qx 'HELO mx.example.test' <<<"$(sink_cmds helo)"
t_expect "...and MAIL has no ESMTP parameters" "MAIL FROM:<sender@example.org>" env 1 mail
stop

start dsn
r=$(DRIVER_RET=HDRS DRIVER_ENVID=env+2B123 deliver smtp "[127.0.0.1]:$P" "$id7" \
	"a@remote.test|SUCCESS,FAILURE|rfc822;Orig+2Bx@example.test" "b@remote.test|NEVER|rfc822;c d@example.test" c@remote.test)
t_expect "DSN server: sent" "sent" out "$r" status
t_check "...MAIL carries RET= and ENVID=" bash -c "grep -qE ' RET=HDRS ENVID=env\+2B123$' <<<'$(env 1 mail)'"
t_expect "...RCPT carries NOTIFY= and ORCPT= (xtext kept; a raw ORCPT encoded)" \
	"['RCPT TO:<a@remote.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Orig+2Bx@example.test', 'RCPT TO:<b@remote.test> NOTIFY=NEVER ORCPT=rfc822;c+20d@example.test', 'RCPT TO:<c@remote.test>']" \
	env 1 rcpt
stop
start nodsn --ehlo "PIPELINING,8BITMIME"
r=$(DRIVER_RET=HDRS DRIVER_ENVID=e1 deliver smtp "[127.0.0.1]:$P" "$id7" "a@remote.test|SUCCESS|rfc822;a@remote.test")
t_expect "server without DSN: no DSN parameters" "MAIL FROM:<sender@example.org> ['RCPT TO:<a@remote.test>']" \
	echo "$(env 1 mail) $(env 1 rcpt)"
stop

start mixed --rule 'RCPT:bad*=550 5.1.1 <bad@remote.test>: Recipient address rejected: no such user' \
	--rule 'RCPT:later*=450 4.2.0 mailbox busy' \
	--rule 'RCPT:multi*=550 5.7.1 first line\n550 5.7.1 second line'
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" good@remote.test bad@remote.test later@remote.test multi@remote.test)
t_expect "one transaction: sent, bounced, deferred, bounced" "sent bounced deferred bounced" \
	echo "$(out "$r" status 1) $(out "$r" status 2) $(out "$r" status 3) $(out "$r" status 4)"
t_expect "...5xx text: host H[A] said: REPLY (in reply to RCPT TO command)" \
	"host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <bad@remote.test>: Recipient address rejected: no such user (in reply to RCPT TO command)" \
	out "$r" text 2
t_expect "...dsn from the enhanced status codes" "2.0.0 5.1.1 4.2.0 5.7.1" \
	echo "$(out "$r" dsn 1) $(out "$r" dsn 2) $(out "$r" dsn 3) $(out "$r" dsn 4)"
t_expect "...a multi-line reply is kept whole" \
	"host 127.0.0.1[127.0.0.1] said: 550-5.7.1 first line 550 5.7.1 second line (in reply to RCPT TO command)" \
	out "$r" text 4
t_expect "...only the good recipient got the message" "['RCPT TO:<good@remote.test>']" env 1 rcpt
t_check "...four log lines, one per recipient" \
	bash -c "[ \$(grep -c '$id7: to=<\(good\|bad\|later\|multi\)@remote.test>' '$I/maillog') -ge 4 ]"
stop

start long --rule "RCPT:*=550 5.1.1 $(printf 'x%.0s' $(seq 9000))"
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" a@remote.test)
t_expect "a 9000-byte reply line: bounced all the same" "bounced" out "$r" status
t_check "...its text is cut to a bounded length" bash -c "[ \$(printf '%s' '$(out "$r" text)' | wc -c) -lt 2200 ]"
stop

start greet --greeting "554 5.7.1 go away"
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" a@remote.test)
t_expect "554 greeting: deferred (the next MX might take it)" "deferred 4.7.1" echo "$(out "$r" status) $(out "$r" dsn)"
t_expect "...host refused to talk to me" "host 127.0.0.1[127.0.0.1] refused to talk to me: 554 5.7.1 go away" out "$r" text
stop

start junk --rule "MAIL=hello there"
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" a@remote.test)
t_expect "a malformed reply: deferred" "deferred" out "$r" status
t_check "...as a protocol error" grep -q "protocol error with 127.0.0.1\[127.0.0.1\] while sending MAIL FROM" <<<"$(out "$r" text)"
stop

start slow --rule "RCPT:slow*=SLEEP 3" --rule ".=SLEEP 3"
r=$(deliver smtpfast "[127.0.0.1]:$P" "$id7" slow@remote.test)
t_expect "smtp_rcpt_timeout: deferred 4.4.2" "deferred 4.4.2" echo "$(out "$r" status) $(out "$r" dsn)"
t_expect "...conversation timed out while sending RCPT TO" \
	"conversation with 127.0.0.1[127.0.0.1] timed out while sending RCPT TO" out "$r" text
r=$(deliver smtpfast "[127.0.0.1]:$P" "$id7" fast@remote.test)
t_expect "smtp_data_done_timeout: deferred, may be sent twice" \
	"conversation with 127.0.0.1[127.0.0.1] timed out while sending end of data -- message may be sent more than once" \
	out "$r" text
stop
start slowgreet --rule "CONNECT=SLEEP 3"
r=$(deliver smtpfast "[127.0.0.1]:$P" "$id7" a@remote.test)
t_expect "smtp_helo_timeout on the greeting" \
	"conversation with 127.0.0.1[127.0.0.1] timed out while receiving the initial server greeting" out "$r" text
stop
start many --rule 'RCPT:r7*=550 5.1.1 no'
rcpts=$(for n in $(seq 250); do echo "r$n@remote.test"; done)
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" $rcpts)
t_expect "250 recipients in one request: 239 sent, 11 bounced (r7, r70-r79)" "239 11" \
	echo "$(grep -c '"status": "sent"' <<<"$r") $(grep -c '"status": "bounced"' <<<"$r")"
t_expect "...in one transaction" "239 1" \
	python3 -c "import json; print(len(json.load(open('$T/many/1.json'))['rcpt']), len([l for l in open('$T/many.log') if '\"CONNECT\"' in l]))"
stop

start utf8
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" plain@remote.test $'caf\xc3\xa9@remote.test')
t_expect "an 8-bit recipient and a server with SMTPUTF8: sent, MAIL ... SMTPUTF8" "sent SMTPUTF8" \
	echo "$(out "$r" status 2) $(env 1 mail | grep -o SMTPUTF8)"
stop
start noutf8 --ehlo "PIPELINING,8BITMIME"
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" $'caf\xc3\xa9@remote.test')
t_expect "...a server without SMTPUTF8: bounced 5.6.7" \
	"bounced 5.6.7 SMTPUTF8 is required, but was not offered by host 127.0.0.1[127.0.0.1]" \
	echo "$(out "$r" status) $(out "$r" dsn) $(out "$r" text)"
stop

# SMTPUTF8 asked by the sender's client (ASCII envelope, UTF-8 header):
# smtpd's smtputf8=yes in the queue file passes it on where offered, and
# a server without it still gets the message (nothing in the envelope
# needs it)
idu=$(queue_raw "$T/msg8" SMTPUTF8)
start utf8asked
r=$(deliver smtp "[127.0.0.1]:$P" "$idu" a@remote.test)
t_expect "SMTPUTF8 asked, ASCII envelope: MAIL ... SMTPUTF8 where offered" "sent SMTPUTF8" \
	echo "$(out "$r" status) $(env 1 mail | grep -o SMTPUTF8)"
stop
start noutf8asked --ehlo "PIPELINING,8BITMIME"
r=$(deliver smtp "[127.0.0.1]:$P" "$idu" a@remote.test)
t_expect "...and sent without it to a server without SMTPUTF8" "sent" echo "$(out "$r" status)"
stop

start inject
r=$(deliver smtp "[127.0.0.1]:$P" "$id7" $'a@remote.test>\r\nRSET' b@remote.test)
t_expect "a recipient with CR LF in it: bounced 5.1.3, the other one sent" "bounced 5.1.3 sent" \
	echo "$(out "$r" status) $(out "$r" dsn) $(out "$r" status 2)"
t_check "...and no command was smuggled" bash -c "! grep -q '\"RSET\"' '$T/inject.log'"
stop

start bound
r=$(deliver bind "[127.0.0.1]:$P" "$id7" a@remote.test)
t_expect "smtp_bind_address = 127.0.0.2: the connection comes from there" "sent 127.0.0.2" \
	echo "$(out "$r" status) $(python3 -c "import json; print([json.loads(l) for l in open('$T/bound.log')][0]['peer'])")"
stop
t_check "no smtp process crashed" smtp_no_crash
