#!/usr/bin/env bash
# smtpd/guide.sh - the VPS guide's main.cf and master.cf as they are (paths
# changed), on port 25 inside a network namespace whose DNS is a fake
# server we control: clients 1.2.3.4 (allowed by the access map), 1.2.3.5
# (refused by it), 192.0.2.66 (listed on zen.spamhaus.org) and 192.0.2.77
# (no reverse DNS) talk to the server at 192.0.2.1 with Python smtplib.
# Also: the guide's header_checks and body_checks end to end.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "guide tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/netns.sh"
NS=hatog$$
trap 'netns_down_all; inst_cleanup' EXIT

cat >"$T/zone" <<'ZONE'
4.3.2.1.in-addr.arpa PTR client1.example.org
client1.example.org A 1.2.3.4
5.3.2.1.in-addr.arpa PTR client2.example.org
client2.example.org A 1.2.3.5
66.2.0.192.in-addr.arpa PTR spammer.example.org
spammer.example.org A 192.0.2.66
66.2.0.192.zen.spamhaus.org A 127.0.0.2
66.2.0.192.zen.spamhaus.org TXT "listed in the test zone"
example.org MX 10 client1.example.org
4.3.2.1.bl.spamcop.net TIMEOUT
ZONE
if netns_up $NS 192.0.2.1 1.2.3.4 1.2.3.5 192.0.2.66 192.0.2.77 && netns_dns $NS "$T/zone"; then
	t_ok "namespace with clients 1.2.3.4 1.2.3.5 192.0.2.66 192.0.2.77 and fake DNS"
else
	t_fail "namespace with clients 1.2.3.4 1.2.3.5 192.0.2.66 192.0.2.77 and fake DNS"
	exit 0
fi

inst_new
cp "$EXAMPLES"/{access,header_checks,body_checks} "$I/"
sed "s#/etc/hato/#$I/#g" "$EXAMPLES/main.cf" >>"$I/main.cf"
cp "$EXAMPLES/master.cf" "$I/master.cf"
printf 'postmaster: root\n' >"$I/aliases"
inst_set "myhostname = mail.acompass.net" "alias_maps = hash:$I/aliases" "alias_database = hash:$I/aliases"
t_check "postmap builds the guide's access file" "$B/bin/postmap" "hash:$I/access"
t_check "postalias builds the aliases" "$B/bin/postalias" "hash:$I/aliases"
t_check "hato check accepts the guide's configuration" "$HATO" -c "$I" check
t_check "the instance starts in the namespace with the guide's master.cf" netns_run $NS "$HATO" -c "$I" start
for _ in $(seq 50); do netns_run $NS ss -Hltn 'sport = :25' | grep -q . && break; sleep 0.1; done

# send SRC RCPT [MESSAGE_FILE] - the first refusal smtplib meets, or "250 queued"
send() {
	netns_run $NS python3 - "$@" <<'PY'
import smtplib, sys
src, rcpt = sys.argv[1], sys.argv[2]
msg = open(sys.argv[3], "rb").read() if len(sys.argv) > 3 else b"Subject: test\r\n\r\nhello\r\n"
try:
    s = smtplib.SMTP("192.0.2.1", 25, source_address=(src, 0), timeout=30, local_hostname="client1.example.org")
    s.sendmail("sender@example.org", [rcpt], msg)
    print("250 queued")
except smtplib.SMTPRecipientsRefused as e:
    code, text = list(e.recipients.values())[0]
    print(code, text.decode())
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode())
PY
}

t_expect "1.2.3.4 (access map OK) may send to root@acompass.net" "250 queued" send 1.2.3.4 root@acompass.net
t_check "...although bl.spamcop.net never answered: 'not listed' plus a warning" \
	grep -q 'warning: 4.3.2.1.bl.spamcop.net: RBL lookup error' "$I/maillog"
t_expect "1.2.3.5 (the access map's 1.2.3 REJECT) is refused" \
	"554 5.7.1 <client2.example.org[1.2.3.5]>: Client host rejected: Access denied" send 1.2.3.5 root@acompass.net
t_expect "192.0.2.66 (listed on zen.spamhaus.org) is refused with the list's text" \
	"554 5.7.1 Service unavailable; Client host [192.0.2.66] blocked using zen.spamhaus.org; listed in the test zone" \
	send 192.0.2.66 root@acompass.net
t_expect "192.0.2.77 (no reverse DNS) gets reject_unknown_client's 450" \
	"450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.77]" \
	send 192.0.2.77 root@acompass.net
t_expect "relaying from 1.2.3.4 to another domain is refused" \
	"554 5.7.1 <user@other.example>: Relay access denied" send 1.2.3.4 user@other.example
t_expect "an unknown local user is refused at RCPT" \
	"550 5.1.1 <nosuchuser@acompass.net>: Recipient address rejected: User unknown in local recipient table" \
	send 1.2.3.4 nosuchuser@acompass.net

printf 'From: <#x@example.org>\r\nSubject: t\r\n\r\nhello\r\n' >"$T/m1"
t_expect "the guide's header_checks refuse From: <#x@example.org> with 550 5.7.1" \
	"550 5.7.1 Message content rejected" send 1.2.3.4 root@acompass.net "$T/m1"
printf 'From: <x@example.org>\r\nSubject: t\r\n\r\nvisit example.com today\r\n' >"$T/m2"
t_expect "the guide's body_checks refuse a line containing example.com" \
	"550 5.7.1 Message content rejected" send 1.2.3.4 root@acompass.net "$T/m2"
printf 'From: <x@example.org>\r\nSubject: t\r\n\r\n> quoted example.com\r\n' >"$T/m3"
t_expect "...but not a quoted line '> quoted example.com'" "250 queued" send 1.2.3.4 root@acompass.net "$T/m3"
t_check "the log names the rejected header with the queue ID" \
	grep -q ': reject: header From: <#x@example.org>' "$I/maillog"
t_check "the master skipped the guide's services hato lacks, in one line" \
	grep -q 'Postfix services\? that hato does not provide or need: ' "$I/maillog"
"$HATO" -c "$I" stop >/dev/null 2>&1
