#!/usr/bin/env bash
# smtpd/tls.sh - STARTTLS with swaks, curl --ssl-reqd and Python; no
# command injection across the handshake; smtpd_tls_security_level =
# encrypt (530 before STARTTLS); smtpd_tls_wrappermode (port 465 style).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtpd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
P_ENC=$((SMTP_PORT + 1)) P_WRAP=$((SMTP_PORT + 2))
inst_set "local_recipient_maps =" "smtpd_tls_security_level = may"
cat >>"$I/master.cf" <<MCF
127.0.0.1:$P_ENC inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
127.0.0.1:$P_WRAP inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
MCF
t_check "instance starts" inst_start

out=$(swaks --server 127.0.0.1:$SMTP_PORT --tls --from a@example.org --to u@example.test 2>&1)
t_check "swaks --tls: STARTTLS offered and the message queued" grep -q '250 2.0.0 Ok: queued as' <<<"$out"
id=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$out")
t_check "...the log says TLS was established" grep -q 'Anonymous TLS connection established from localhost\[127.0.0.1\]: TLSv1' "$I/maillog"
t_check "...and Received: says ESMTPS" bash -c "'$B/bin/postcat' -c '$I' -h -q '$id' | grep -q 'with ESMTPS id $id'"

printf 'Subject: curl\r\n\r\nhello over TLS\r\n' >"$T/curl.msg"
t_check "curl --ssl-reqd smtp:// sends a message" \
	curl -s --ssl-reqd --insecure "smtp://127.0.0.1:$SMTP_PORT" --mail-from a@example.org \
	--mail-rcpt u@example.test -T "$T/curl.msg"

out=$(python3 - "$SMTP_PORT" <<'PY'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
f = s.makefile("rb"); f.readline()
s.sendall(b"EHLO c.example.org\r\n")
while f.readline()[3:4] == b"-": pass
s.sendall(b"STARTTLS\r\nHELP\r\n")            # HELP rides along before the handshake
print(f.readline().decode().rstrip())
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s)
t.sendall(b"NOOP\r\n")
print(t.makefile("rb").readline().decode().rstrip())
PY
)
t_expect "STARTTLS: input sent before the handshake is discarded (no injected HELP reply)" \
	"220 2.0.0 Ready to start TLS|250 2.0.0 Ok" bash -c "tr '\n' '|' <<<'$out' | sed 's/|\$//'"

out=$(printf 'EHLO c.example.org\r\n<WAIT>\nMAIL FROM:<a@example.org>\r\n<WAIT>\nQUIT\r\n' | SMTP_PORT=$P_ENC smtp_dialog)
t_check "smtpd_tls_security_level = encrypt: MAIL before STARTTLS gets 530 5.7.0" \
	grep -q '^530 5.7.0 Must issue a STARTTLS command first' <<<"$out"
t_check "...and swaks --tls works there" bash -c \
	"swaks --server 127.0.0.1:$P_ENC --tls --from a@example.org --to u@example.test 2>&1 | grep -q 'queued as'"

t_check "smtpd_tls_wrappermode: smtplib.SMTP_SSL sends a message" python3 - "$P_WRAP" <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20)
s.sendmail("a@example.org", ["u@example.test"], b"Subject: wrapped\r\n\r\nhi\r\n")
s.quit()
PY
inst_stop
