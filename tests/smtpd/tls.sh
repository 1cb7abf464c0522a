#!/usr/bin/env bash
# smtpd/tls.sh - STARTTLS with swaks, curl --ssl-reqd and Python; no
# command injection across the handshake; smtpd_tls_security_level =
# encrypt (530 before STARTTLS); smtpd_tls_wrappermode (port 465 style);
# a certificate chain (leaf and CA in one file) is sent whole; a key that
# does not load gets 454 at STARTTLS and STARTTLS is not offered again; a
# certificate file that cannot be read: STARTTLS never offered.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtpd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
P_ENC=$((SMTP_PORT + 1)) P_WRAP=$((SMTP_PORT + 2)) P_CHAIN=$((SMTP_PORT + 3))
P_BADKEY=$((SMTP_PORT + 4)) P_NOCERT=$((SMTP_PORT + 5))
# a CA and a leaf it signed, in one file (leaf first, as Postfix wants)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Test CA" \
	-keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=mx.example.test" \
	-keyout "$T/leaf.key" -out "$T/leaf.csr" 2>/dev/null
openssl x509 -req -in "$T/leaf.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
	-days 2 -out "$T/leaf.pem" 2>/dev/null
cat "$T/leaf.pem" "$T/ca.pem" >"$T/chain.pem"
printf -- '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' >"$T/bad.key"
inst_set "local_recipient_maps =" "smtpd_tls_security_level = may"
cat >>"$I/master.cf" <<MCF
127.0.0.1:$P_ENC inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
127.0.0.1:$P_WRAP inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
127.0.0.1:$P_CHAIN inet n - n - - smtpd
  -o smtpd_tls_cert_file=$T/chain.pem -o smtpd_tls_key_file=$T/leaf.key
127.0.0.1:$P_BADKEY inet n - n - 1 smtpd
  -o smtpd_tls_key_file=$T/bad.key
127.0.0.1:$P_NOCERT inet n - n - - smtpd
  -o smtpd_tls_cert_file=$T/missing.pem
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
certs=$(openssl s_client -starttls smtp -connect 127.0.0.1:$P_CHAIN -showcerts </dev/null 2>/dev/null |
	grep -c 'BEGIN CERTIFICATE')
t_expect "a chain file: the leaf and the CA certificate are both sent" 2 echo "$certs"
t_check "...and openssl verifies the leaf against that CA" bash -c \
	"openssl s_client -starttls smtp -connect 127.0.0.1:$P_CHAIN -CAfile '$T/ca.pem' </dev/null 2>/dev/null | grep -q 'Verify return code: 0 (ok)'"

dialog='EHLO c.example.org\r\n<WAIT>\nSTARTTLS\r\n<WAIT>\nEHLO c.example.org\r\n<WAIT>\nQUIT\r\n'
out=$(printf "$dialog" | SMTP_PORT=$P_BADKEY smtp_dialog)
t_check "a key that does not load: STARTTLS is offered first" grep -q '^250-STARTTLS' <<<"$out"
t_check "...STARTTLS gets 454 4.7.0" grep -q '^454 4.7.0 TLS not available due to local problem' <<<"$out"
t_expect "...and the next EHLO does not offer it again" 1 bash -c "grep -c STARTTLS <<<'$out'"
t_check "...the log names the key file" grep -q "cannot load the TLS certificate or key: $T/bad.key" "$I/maillog"
out=$(printf 'EHLO c.example.org\r\n<WAIT>\nQUIT\r\n' | SMTP_PORT=$P_NOCERT smtp_dialog)
t_check "a certificate file that cannot be read: no STARTTLS in EHLO" bash -c "! grep -q STARTTLS <<<'$out'"
t_check "...and the log says why" grep -q "cannot read the TLS certificate or key: $T/missing.pem" "$I/maillog"
inst_stop
