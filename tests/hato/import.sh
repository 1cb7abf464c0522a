#!/usr/bin/env bash
# hato/import.sh - hato import on the VPS guide as Postfix and Dovecot had
# it (tests/examples/import: Postfix's main.cf, master.cf and tables with
# /etc/postfix paths; Debian 12's /etc/dovecot with the guide's changes),
# on top of a configuration made by hato init: --dry-run prints a unified
# diff and changes no file; what cannot be translated is listed with file
# and line; the import rewrites paths, keeps hato's own settings, copies
# the tables and rebuilds the access map with hato's postmap; a second
# import changes nothing; hato check accepts the result, and the guide's
# client checks pass against it in a network namespace with fake DNS
# (clients 1.2.3.4, allowed by the access map, and 1.2.3.5, refused):
# a relay attempt refused 554, the access map's REJECT, delivery to
# ~/Maildir of a system user read with POP3 and IMAP (and IMAPS), AUTH on
# submission.  Bad Dovecot input (an include loop, a missing include, a
# section left open) fails with file and line and changes nothing.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "import tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/netns.sh"
NS=hlimp$$
trap 'netns_down_all; inst_cleanup' EXIT
SRC=$TOPDIR/tests/examples/import
U=hlimp1 PW=Import-pass-1

# the fixtures with this run's ports and the instance's certificate
P=$(t_free_ports 6)
SMTP=$P SUBM=$((P + 1)) IMAP=$((P + 2)) IMAPS=$((P + 3)) POP3=$((P + 4)) POP3S=$((P + 5))
chmod 755 "$T"
cp -r "$SRC/postfix" "$T/postfix" && cp -r "$SRC/dovecot" "$T/dovecot"
sed -i "s/^smtp      inet/$SMTP inet/; s/^submission inet/$SUBM inet/" "$T/postfix/master.cf"
sed -i "s/port = 143\$/port = $IMAP/; s/port = 993\$/port = $IMAPS/; s/port = 110\$/port = $POP3/;
	s/port = 995\$/port = $POP3S/" "$T/dovecot/conf.d/10-master.conf"
sed -i "s#^ssl_cert = <.*#ssl_cert = <$I/cert.pem#; s#^ssl_key = <.*#ssl_key = <$I/key.pem#" \
	"$T/dovecot/conf.d/10-ssl.conf"
# and a table named through $config_directory, as Postfix's own files often do
printf 'transport_maps = hash:$config_directory/transport\n' >>"$T/postfix/main.cf"
printf '# no transports\nexample.invalid error:no such domain\n' >"$T/postfix/transport"

t_check "hato init makes the configuration to import into" "$HATO" init --dev "$I"
inst_set "myhostname = mail.acompass.net"
cp "$I/main.cf" "$T/main.cf.before"
# snapshot - every file of the config directory: type, mode, mtime, size, checksum
snapshot() {
	find "$I" -printf '%P %y %m %T@ %s\n' | sort
	find "$I" -type f -exec sha256sum {} + | sort
}
snapshot >"$T/snap.before"
import() { "$HATO" -c "$I" import --postfix "$T/postfix" --dovecot "$T/dovecot" "$@"; }

import --dry-run >"$T/dry.out" 2>"$T/dry.err"
t_expect "--dry-run exits 0" "0" echo $?
t_check "--dry-run changes no file (checksums and mtimes of the config directory)" \
	cmp -s "$T/snap.before" <(snapshot)
t_check "--dry-run prints a unified diff of main.cf" \
	grep -qxF -e "--- $I/main.cf" "$T/dry.out"
t_check "...with the rewritten access map in it" \
	grep -qxF "+    check_client_access hash:$I/access," "$T/dry.out"
t_check "...and the Dovecot settings" grep -qxF "+auth_mechanisms = plain login" "$T/dry.out"
t_check "...and master.cf's IMAP service on Dovecot's port" \
	grep -qE "^\+$IMAP +inet +n +- +n +- +- +imapd\$" "$T/dry.out"
t_check "...and the new access file" grep -qxF "+++ $I/access" "$T/dry.out"
t_check "...and says which table it would rebuild" grep -qxF "would run: postmap hash:$I/access" "$T/dry.out"
t_check "a Postfix parameter hato lacks: not translated, with file and line" grep -qxF \
	"not translated: $T/postfix/main.cf, line 10: smtp_tls_CApath: hato has no such parameter (left out)" "$T/dry.out"
t_check "a Dovecot plugin setting: not translated, with file and line" grep -qxF \
	"not translated: $T/dovecot/conf.d/90-plugin.conf, line 11: plugin { sieve = ~/.dovecot.sieve }: hato has no plugins (left out)" "$T/dry.out"
t_check "hato's own queue_directory is kept, and says so" grep -qxF \
	"note: $T/postfix/main.cf, line 9: queue_directory: hato keeps its own value ($I/queue)" "$T/dry.out"

t_check "hato import writes the merged configuration" import
t_check "...keeping the old main.cf as main.cf.hato-import-backup" cmp -s "$T/main.cf.before" "$I/main.cf.hato-import-backup"
t_expect "main.cf: /etc/postfix paths are now the config directory's" "regexp:$I/header_checks" \
	"$POSTCONF" -c "$I" -h header_checks
t_expect "...hato's own queue_directory stays" "$I/queue" "$POSTCONF" -c "$I" -h queue_directory
t_expect "...the Postfix parameter hato lacks is left out" "" \
	bash -c "grep smtp_tls_CApath '$I/main.cf'"
t_expect "...Dovecot's protocols" "imap pop3" "$POSTCONF" -c "$I" -h protocols
t_expect "...Dovecot's mail_location" "maildir:~/Maildir" "$POSTCONF" -c "$I" -h mail_location
t_expect "...Dovecot's passdb (pam) and userdb (passwd) are hato's system" "system system" \
	bash -c "echo \$('$POSTCONF' -c '$I' -h passdb userdb)"
t_expect "...ssl_cert from '<file'" "$I/cert.pem" "$POSTCONF" -c "$I" -h ssl_cert
t_check "the access source is copied" cmp -s "$SRC/postfix/access" "$I/access"
t_expect "...and its .lmdb built by hato's postmap: 1.2.3 REJECT" "REJECT" "$B/bin/postmap" -q 1.2.3 "hash:$I/access"
t_expect "...1.2.3.4 OK" "OK" "$B/bin/postmap" -q 1.2.3.4 "hash:$I/access"
t_expect "a table named as \$config_directory/transport is copied and built too" "error:no such domain" \
	"$B/bin/postmap" -q example.invalid "hash:$I/transport"
t_check "header_checks and body_checks are copied" \
	bash -c "cmp -s '$SRC/postfix/header_checks' '$I/header_checks' && cmp -s '$SRC/postfix/body_checks' '$I/body_checks'"
t_check "master.cf: imaps on Dovecot's port, implicit TLS" \
	bash -c "grep -A1 -E '^$IMAPS +inet' '$I/master.cf' | grep -q 'imapd_tls_wrappermode=yes'"
t_check "...and authd with the post-login services" \
	bash -c "grep -qE '^auth +unix.*authd\$' '$I/master.cf' && grep -qE '^login/imap +unix.*imapmail\$' '$I/master.cf'"
t_expect "a second import changes nothing" "hato import: dry run, 0 files would change, nothing written" \
	bash -c "\"\$0\" -c '$I' import --postfix '$T/postfix' --dovecot '$T/dovecot' --dry-run | grep '^hato import: dry run'" "$HATO"
t_check "hato check accepts the imported configuration" "$HATO" -c "$I" check

# bad Dovecot input: an error naming file and line, exit 1, nothing changed
snapshot >"$T/snap.imported"
bad() {	# NAME - a fresh copy of the Dovecot fixture in $T/NAME
	rm -rf "${T:?}/$1" && cp -r "$T/dovecot" "$T/$1"
}
bad loop && echo '!include ../dovecot.conf' >"$T/loop/conf.d/99-loop.conf"
t_expect_err "an include loop: refused with file and line" \
	"$T/loop/conf.d/99-loop.conf, line 1: include loop: $T/loop/dovecot.conf is already being read" \
	"$HATO" -c "$I" import --postfix "$T/postfix" --dovecot "$T/loop"
bad missing && printf '\n!include conf.d/nothere.conf\n' >>"$T/missing/dovecot.conf"
line=$(wc -l <"$T/missing/dovecot.conf")
t_expect_err "a missing include: refused with file and line" \
	"$T/missing/dovecot.conf, line $line: !include $T/missing/conf.d/nothere.conf: no such file" \
	"$HATO" -c "$I" import --postfix "$T/postfix" --dovecot "$T/missing"
bad open && printf 'protocol imap {\n  mail_plugins = quota\n' >>"$T/open/conf.d/20-imap.conf"
line=$(($(wc -l <"$T/open/conf.d/20-imap.conf") - 1))
t_expect_err "a section left open: refused with file and line" \
	"$T/open/conf.d/20-imap.conf, line $line: section \"protocol imap\" is not closed in this file" \
	"$HATO" -c "$I" import --postfix "$T/postfix" --dovecot "$T/open"
rm -rf "$T/badpf" && cp -r "$T/postfix" "$T/badpf" && echo "this line is wrong" >>"$T/badpf/main.cf"
line=$(wc -l <"$T/badpf/main.cf")
t_expect_err "a Postfix main.cf line that does not parse: refused with file and line" \
	"$T/badpf/main.cf, line $line: missing '=' after parameter name \"this\"" \
	"$HATO" -c "$I" import --postfix "$T/badpf" --dovecot "$T/dovecot"
t_expect_err "a --postfix directory without main.cf: refused" "$T/nowhere/main.cf" \
	"$HATO" -c "$I" import --postfix "$T/nowhere" --dovecot "$T/dovecot"
t_check "...and after each refusal no file of the config directory changed" \
	cmp -s "$T/snap.imported" <(snapshot)
mv "$I/header_checks" "$T/header_checks.saved"
echo "not to be written" >"$T/victim"
ln -s "$T/victim" "$I/header_checks"
t_expect_err "a symbolic link planted in the config directory: refused, not followed" \
	"$I/header_checks: open: Too many levels of symbolic links" import
t_expect "...the file it pointed to is unchanged" "not to be written" cat "$T/victim"
t_check "...and the link is still there, not replaced" test -L "$I/header_checks"
rm "$I/header_checks" && mv "$T/header_checks.saved" "$I/header_checks"

# one side only: the other side of hato's master.cf stays as it was
J=$T/only
"$HATO" init --dev "$J" >/dev/null 2>&1
"$HATO" -c "$J" import --postfix "$T/postfix" --no-dovecot >"$T/only.out" 2>&1
t_check "--no-dovecot: Postfix's services, then hato's own IMAP and POP3 lines" \
	bash -c "grep -qE '^$SUBM inet' '$J/master.cf' && grep -qE '^2143 +inet.*imapd\$' '$J/master.cf' &&
		grep -qE '^login/pop3 +unix.*pop3mail\$' '$J/master.cf'"
t_expect "...and main.cf gets no Dovecot settings" "" bash -c "grep -F 'dovecot.conf (hato import)' '$J/main.cf'"
"$HATO" -c "$J" import --dovecot "$T/dovecot" --no-postfix >"$T/only2.out" 2>&1
t_check "then --no-postfix: the Postfix services stay, the mail access side is Dovecot's" \
	bash -c "grep -qE '^$SUBM inet' '$J/master.cf' && grep -qE '^$IMAP +inet.*imapd\$' '$J/master.cf' &&
		! grep -qE '^2143 ' '$J/master.cf' && [ \$(grep -c '^# The mail access side' '$J/master.cf') = 1 ]"
t_check "...and hato check accepts it" "$HATO" -c "$J" check

# the guide's client checks against the imported configuration
cat >"$T/zone" <<'ZONE'
4.3.2.1.in-addr.arpa PTR client1.example.org
client1.example.org A 1.2.3.4
5.3.2.1.in-addr.arpa PTR client2.example.org
client2.example.org A 1.2.3.5
example.org MX 10 client1.example.org
ZONE
if netns_up $NS 192.0.2.1 1.2.3.4 1.2.3.5 && netns_dns $NS "$T/zone"; then
	t_ok "namespace with clients 1.2.3.4 1.2.3.5 and fake DNS"
else
	t_fail "namespace with clients 1.2.3.4 1.2.3.5 and fake DNS"
	exit 0
fi
inst_user $U
t_check "a system user with a password" t_retry bash -c "printf '%s:%s\n' $U '$PW' | chpasswd"
t_check "the imported instance starts in the namespace" netns_run $NS "$HATO" -c "$I" start
listening() { for p in $SMTP $SUBM $IMAP $IMAPS $POP3 $POP3S; do
	netns_run $NS ss -Hltn "sport = :$p" | grep -q . || return 1; done; }
t_check "...listening on the Postfix and Dovecot ports" inst_wait listening

# smtp SRC PORT RCPT [USER PASS [FROM]] - the first refusal smtplib meets, or "250 queued"
smtp() {
	netns_run $NS python3 - "$@" <<'PY'
import smtplib, sys
src, port, rcpt = sys.argv[1], int(sys.argv[2]), sys.argv[3]
user = sys.argv[4] if len(sys.argv) > 5 else None
sender = sys.argv[6] if len(sys.argv) > 6 else "sender@example.org"
try:
    s = smtplib.SMTP("192.0.2.1", port, source_address=(src, 0), timeout=30, local_hostname="client1.example.org")
    if user:
        s.login(user, sys.argv[5])
    s.sendmail(sender, [rcpt], b"Subject: imported guide\r\n\r\nhello through the imported configuration\r\n")
    print("250 queued")
except smtplib.SMTPRecipientsRefused as e:
    code, text = list(e.recipients.values())[0]
    print(code, text.decode())
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode())
PY
}
t_expect "a relay attempt from 1.2.3.4 is refused 554" \
	"554 5.7.1 <user@other.example>: Relay access denied" smtp 1.2.3.4 $SMTP user@other.example
t_expect "1.2.3.5: the access map's REJECT is honoured" \
	"554 5.7.1 <client2.example.org[1.2.3.5]>: Client host rejected: Access denied" \
	smtp 1.2.3.5 $SMTP $U@acompass.net
t_expect "1.2.3.4 (the access map's OK) sends to $U@acompass.net" "250 queued" smtp 1.2.3.4 $SMTP $U@acompass.net
maildir_files() { find "$INST_HOME/Maildir/new" "$INST_HOME/Maildir/cur" -type f 2>/dev/null | wc -l; }
has_mail() { [ "$(maildir_files)" -ge 1 ]; }
t_check "...delivered to ~/Maildir" inst_wait has_mail

netns_run $NS python3 - $POP3 $U "$PW" >"$T/pop3.out" 2>&1 <<'PY'
import poplib, sys
p = poplib.POP3("192.0.2.1", int(sys.argv[1]), timeout=30)
p.user(sys.argv[2]); p.pass_(sys.argv[3])
print("count", p.stat()[0])
print(b"\n".join(p.retr(1)[1]).decode())
p.quit()
PY
t_check "POP3 LOGIN of the system user on Dovecot's port" grep -qx "count 1" "$T/pop3.out"
t_check "...reads the delivered message" grep -qx "Subject: imported guide" "$T/pop3.out"
imap() {	# PORT [ssl] - LOGIN, SELECT, the first message's Subject
	netns_run $NS python3 - "$@" $U "$PW" <<'PY'
import imaplib, ssl, sys
port, rest = int(sys.argv[1]), sys.argv[2:]
if rest[0] == "ssl":
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    m = imaplib.IMAP4_SSL("192.0.2.1", port, ssl_context=ctx, timeout=30); rest = rest[1:]
else:
    m = imaplib.IMAP4("192.0.2.1", port, timeout=30)
m.login(rest[0], rest[1])
typ, data = m.select("INBOX")
print("exists", data[0].decode())
typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print(data[0][1].decode().strip())
m.logout()
PY
}
imap $IMAP >"$T/imap.out" 2>&1
t_check "IMAP LOGIN of the system user on Dovecot's port" grep -qx "exists 1" "$T/imap.out"
t_check "...reads the delivered message" grep -qx "Subject: imported guide" "$T/imap.out"
imap $IMAPS ssl >"$T/imaps.out" 2>&1
t_check "IMAPS (Dovecot's imaps listener, ssl = yes) LOGIN reads it too" grep -qx "Subject: imported guide" "$T/imaps.out"

t_expect "submission without AUTH from 1.2.3.5: refused" \
	"554 5.7.1 <client2.example.org[1.2.3.5]>: Client host rejected: Access denied" \
	smtp 1.2.3.5 $SUBM $U@acompass.net
t_expect "submission with AUTH (authd, the system password) from 1.2.3.5 may relay" "250 queued" \
	smtp 1.2.3.5 $SUBM user@other.example $U "$PW" ""
t_expect "...a wrong password is refused 535" "535 5.7.8 Error: authentication failed: Authentication failed" \
	smtp 1.2.3.5 $SUBM user@other.example $U "wrong-$PW" ""
t_check "the log names no password" bash -c "! grep -qF -e '$PW' '$I/maillog'"
"$HATO" -c "$I" stop >/dev/null 2>&1
