#!/usr/bin/env bash
# smtpd/chroot.sh - Debian's stock Postfix master.cf, verbatim but for the
# smtp service's address, with chroot "y" on smtpd, cleanup, pickup, showq
# and smtp, plus the guide's authd line: a system user made with useradd
# gets mail over SMTP into ~/Maildir (local users are looked up through the
# proxymap service, outside the chroot), an unknown user gets 550 5.1.1,
# and the client's name comes from a fake DNS server that is not on
# 127.0.0.1 (the resolver default a chrooted process falls back to when it
# cannot read /etc/resolv.conf) and shows in the log and the Received:
# header, dated in the zone TZ names (the zone file is read before the
# chroot).  STARTTLS, AUTH through private/auth and sendmail through the
# chrooted "pickup unix" work too; without proxymap a local user is a 451
# that names the fix, never a false 550.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "chroot tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/netns.sh"
NS=hatocr$$
U=h15cr$$
STOCK=/usr/share/postfix/master.cf.dist
[ -f "$STOCK" ] || STOCK=/etc/postfix/master.cf
trap 'netns_down_all; userdel -r "$U" >/dev/null 2>&1; inst_cleanup' EXIT

cat >"$T/zone" <<'ZONE'
7.100.51.198.in-addr.arpa PTR client.chroot.test
client.chroot.test A 198.51.100.7
remote.chroot.test MX 10 mx.remote.chroot.test
mx.remote.chroot.test A 192.0.2.25
ZONE
if netns_up $NS 192.0.2.1 192.0.2.25 192.0.2.53 198.51.100.7 && netns_dns $NS "$T/zone" 192.0.2.53 &&
	printf 'nameserver 192.0.2.53\noptions timeout:1 attempts:1\n' >"/etc/netns/$NS/resolv.conf"; then
	t_ok "namespace with a server, a client and fake DNS on 192.0.2.53"
else
	t_fail "namespace with a server, a client and fake DNS on 192.0.2.53"
	exit 0
fi
PW="chroot-Pa55 $$"
t_check "useradd makes the system user $U with a home" useradd -m -s /usr/sbin/nologin "$U"
echo "$U:$PW" | chpasswd || t_fail "chpasswd $U"

inst_new
sed 's/^smtp\( *\)inet /192.0.2.1:25 inet /' "$STOCK" >"$I/master.cf"
echo "auth      unix  -       n       n       -       1       authd" >>"$I/master.cf"	# as the guide adds
inst_set "home_mailbox = Maildir/" "mydestination = \$myhostname, localhost, \$mydomain" \
	"smtpd_client_restrictions = permit" \
	"smtpd_tls_cert_file = $I/cert.pem" "smtpd_tls_key_file = $I/key.pem" \
	"smtpd_tls_security_level = may" "ipc_idle = 1s" "smtpd_sasl_auth_enable = yes" \
	"passdb = system" "auth_mechanisms = plain login" "disable_plaintext_auth = no" \
	"mynetworks = 198.51.100.7/32" "queue_run_delay = 1s" "minimal_backoff_time = 1s" \
	"smtpd_recipient_restrictions = reject_unlisted_recipient, permit_auth_destination, permit_mynetworks, reject"
t_check "the stock master.cf has chroot y on smtp" \
	grep -Eq '^192\.0\.2\.1:25 +inet +n +- +y ' "$I/master.cf"
t_check "hato check accepts the stock master.cf" "$HATO" -c "$I" check
t_check "...with no warning about the chroot" bash -c "! '$HATO' -c '$I' check 2>&1 | grep 'is chrooted'"
t_check "the instance starts in the namespace" netns_run $NS env TZ=Asia/Tokyo "$HATO" -c "$I" start
for _ in $(seq 50); do netns_run $NS ss -Hltn 'sport = :25' | grep -q . && break; sleep 0.1; done

# rcpt ADDR - the reply to RCPT TO:<ADDR> from the client 198.51.100.7
rcpt() {
	netns_run $NS python3 - "$1" <<'PY'
import smtplib, sys
s = smtplib.SMTP("192.0.2.1", 25, source_address=("198.51.100.7", 0), timeout=30,
                 local_hostname="client.chroot.test")
s.ehlo()
s.mail("sender@example.org")
code, text = s.rcpt(sys.argv[1])
print(code, text.decode())
if code == 250:
    s.data(b"Subject: chroot test\r\n\r\nhello from outside\r\n")
s.quit()
PY
}

# tls - the STARTTLS reply code and the next EHLO's
tls() {
	netns_run $NS python3 - <<'PY'
import smtplib, ssl
s = smtplib.SMTP("192.0.2.1", 25, source_address=("198.51.100.7", 0), timeout=30,
                 local_hostname="client.chroot.test")
s.ehlo()
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
code, _ = s.starttls(context=ctx)
print(code, s.ehlo()[0])
s.quit()
PY
}

# auth - the reply code to AUTH PLAIN as $U
auth() {
	netns_run $NS python3 - "$U" "$PW" <<'PY'
import smtplib, sys
s = smtplib.SMTP("192.0.2.1", 25, source_address=("198.51.100.7", 0), timeout=30,
                 local_hostname="client.chroot.test")
s.ehlo()
try:
    print(s.login(sys.argv[1], sys.argv[2])[0])
except smtplib.SMTPException as e:
    print(e)
s.quit()
PY
}

t_expect "RCPT to the system user $U is accepted (looked up outside the chroot)" \
	"250 2.1.5 Ok" rcpt "$U@example.test"
sleep 1.5	# past ipc_idle: proxymap has closed smtpd's connection; it reconnects
t_expect "RCPT to an unknown user gets 550 5.1.1" \
	"550 5.1.1 <nosuch$U@example.test>: Recipient address rejected: User unknown in local recipient table" \
	rcpt "nosuch$U@example.test"
for _ in $(seq 100); do
	ls "/home/$U/Maildir/new/" 2>/dev/null | grep -q . && break
	sleep 0.1
done
msg=$(cat "/home/$U/Maildir/new/"* 2>/dev/null)
printf "%s\n" "$msg" >"$T/msg"
t_check "the message is in ~$U/Maildir/new" test -n "$msg"
t_check "its Received: header names the client found in DNS" \
	grep -q 'from client.chroot.test (client.chroot.test \[198.51.100.7\])' <<<"$msg"
t_check "...dated in the zone of TZ=Asia/Tokyo, read before the chroot" \
	grep -Eq '^	for <.*>; .* \+0900 \(JST\)$' <<<"$msg"
t_check "the log names the client at connect, not unknown" \
	grep -q 'connect from client.chroot.test\[198.51.100.7\]' "$I/maillog"
t_check "...and in the message's client= line" \
	grep -q 'client=client.chroot.test\[198.51.100.7\]' "$I/maillog"
t_check "no lookup failed in the chroot" \
	bash -c "! grep -E 'warning|error|fatal' '$I/maillog' | grep -v 'service skipped' | grep -v 'that hato does not provide or need' | grep -v 'not supported by hato'"
# chrooted - a process running COMMAND has the queue directory as its root
chrooted() {
	local p
	for p in $(pgrep -f -- "^$1 -n "); do
		[ "$(readlink "/proc/$p/root")" = "$I/queue" ] && return 0
	done
	return 1
}
t_check "smtpd runs chrooted into the queue directory" chrooted smtpd
t_check "cleanup runs chrooted into the queue directory" chrooted cleanup
t_expect "STARTTLS works in the chroot (certificate read before it)" "220 250" tls
t_expect "AUTH PLAIN through authd's private/auth from inside the chroot" "235" auth

# Local submission as the user: sendmail -> postdrop (set-group-ID, as
# installed) -> maildrop/, wakes "pickup unix" (Postfix 3's stock type) at
# once, not at its 60 s wakeup; pickup and cleanup are chrooted
mkdir -p "$T/bin" && cp "$B/bin/sendmail" "$B/bin/postdrop" "$T/bin/" &&
	chgrp hatodrop "$T/bin/postdrop" && chmod 2755 "$T/bin/postdrop" && chmod 755 "$T/bin" "$T/bin/sendmail"
printf 'Subject: local\n\nfrom sendmail\n' | runuser -u "$U" -- env HATO_CONFIG="$I" "$T/bin/sendmail" "$U"
for _ in $(seq 100); do
	[ "$(ls "/home/$U/Maildir/new/" 2>/dev/null | wc -l)" -ge 2 ] && break
	sleep 0.1
done
t_check "sendmail as $U: delivered within 10 s through the chrooted pickup unix service" \
	test "$(ls "/home/$U/Maildir/new/" 2>/dev/null | wc -l)" -ge 2
t_check "pickup runs chrooted into the queue directory" chrooted pickup

# Outbound through the chrooted smtp client: the MX comes from the fake DNS
mkdir -p "$T/dump" && chmod 777 "$T/dump"
netns_run $NS smtp-sink -u nobody -d "$T/dump/%Y%m%d%H%M%S." 192.0.2.25:25 100 >/dev/null 2>&1 &
for _ in $(seq 50); do netns_run $NS ss -Hltn 'sport = :25' | grep -q '192.0.2.25' && break; sleep 0.1; done
t_expect "relaying from mynetworks to user@remote.chroot.test is accepted" "250 2.1.5 Ok" \
	rcpt user@remote.chroot.test
for _ in $(seq 100); do find "$T/dump" -type f | grep -q . && break; sleep 0.1; done
t_check "the chrooted smtp client found the MX through the fake DNS and delivered" \
	bash -c "find '$T/dump' -type f | grep -q ."
t_check "smtp runs chrooted into the queue directory" chrooted smtp
t_expect "postqueue -p through the chrooted showq" "Mail queue is empty" \
	env HATO_CONFIG="$I" "$B/bin/postqueue" -p

# Without the proxymap service, unix:passwd.byname is read in the chroot,
# where it cannot be: a temporary error naming the way out, never a 550
sed -i '/^proxy\(map\|write\) /d' "$I/master.cf"
t_check "hato check warns: chrooted smtpd, proxy: tables, no proxymap service" \
	bash -c "'$HATO' -c '$I' check 2>&1 | grep -q 'is chrooted and local_recipient_maps uses proxy: tables, but master.cf has no proxymap service'"
t_check "reload without the proxymap service" netns_run $NS "$HATO" -c "$I" reload
sleep 1
t_expect "RCPT to $U without proxymap in a chroot: 451 4.3.0, not 550" \
	"451 4.3.0 <$U@example.test>: Temporary lookup failure" rcpt "$U@example.test"
t_check "...and the log says why and what to do" \
	grep -q "/etc/passwd is out of reach (a chrooted daemon? use proxy:unix:passwd.byname" "$I/maillog"
inst_set "local_recipient_maps = unix:passwd.byname"
t_check "hato check warns: chrooted smtpd with local_recipient_maps = unix:passwd.byname" \
	bash -c "'$HATO' -c '$I' check 2>&1 | grep -q 'local_recipient_maps = unix:passwd.byname cannot read /etc/passwd: use proxy:unix:passwd.byname'"
"$HATO" -c "$I" stop >/dev/null 2>&1
