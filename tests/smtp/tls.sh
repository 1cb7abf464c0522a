#!/usr/bin/env bash
# smtp/tls.sh - STARTTLS in the smtp client: smtp_tls_security_level = may
# uses TLS when offered, goes on in plain text when it is not, and after a
# failed handshake tries again without TLS; encrypt defers 4.7.4 when TLS
# is not offered and 4.7.5 when the handshake fails; none never asks.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtp tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/smtp/common.sh"
trap 'sinks_cleanup; inst_cleanup' EXIT

smtp_instance \
	"tlsmay    unix  -       -       n       -       -       smtp -o smtp_tls_security_level=may" \
	"tlsenc    unix  -       -       n       -       -       smtp -o smtp_tls_security_level=encrypt"
inst_set "smtp_connection_cache_on_demand = no"
t_check "instance starts" inst_start
P=$((SMTP_PORT + 1))
out() { printf '%s\n' "$1" | jfield "${3:-1}" "$2"; }
envf() { python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))" "$T/$1/$2.json" "$3"; }
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=sink.test -days 2 \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
t_check "a self-signed certificate for the server" test -s "$T/cert.pem"
id=$(queue_msg --from sender@example.org --to user@example.test --header "Subject: tls")

sink_start tls "$P" --tls "$T/cert.pem" "$T/key.pem"
r=$(deliver tlsmay "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "may, STARTTLS offered: sent" "sent" out "$r" status
t_expect "...over TLS, EHLO sent again after the handshake" "True EHLO mx.example.test" \
	echo "$(envf tls 1 tls) $(envf tls 1 helo)"
t_check "...logged: Untrusted TLS connection established to host[addr]:port: protocol and cipher" \
	grep -qE "hato/smtp\[[0-9]+\]: Untrusted TLS connection established to 127.0.0.1\[127.0.0.1\]:$P: TLSv1\.[23] with cipher" "$I/maillog"
r=$(deliver tlsenc "[127.0.0.1]:$P" "$id" b@remote.test)
t_expect "encrypt, STARTTLS offered: sent over TLS" "sent True" echo "$(out "$r" status) $(envf tls 2 tls)"
r=$(deliver smtp "[127.0.0.1]:$P" "$id" c@remote.test)
t_expect "level none (the default): plain text even when offered" "sent False" \
	echo "$(out "$r" status) $(envf tls 3 tls)"
t_check "...no STARTTLS command sent" bash -c "[ \$(grep -c '\"STARTTLS\"' '$T/tls.log') = 2 ]"
sink_stop tls

sink_start plain "$P"
r=$(deliver tlsmay "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "may, no STARTTLS offered: sent in plain text" "sent False" echo "$(out "$r" status) $(envf plain 1 tls)"
r=$(deliver tlsenc "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "encrypt, no STARTTLS offered: deferred 4.7.4" "deferred 4.7.4" echo "$(out "$r" status) $(out "$r" dsn)"
t_expect "...TLS is required, but was not offered by host" \
	"TLS is required, but was not offered by host 127.0.0.1[127.0.0.1]" out "$r" text
t_check "...and nothing was sent" bash -c "[ \$(ls '$T/plain' | grep -c msg) = 1 ]"
sink_stop plain

sink_start broken "$P" --tls "$T/cert.pem" "$T/key.pem" --tls-fail
r=$(deliver tlsmay "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "may, the handshake fails: tried again in plain text, sent" "sent False" \
	echo "$(out "$r" status) $(envf broken 1 tls)"
t_check "...the retry is logged" grep -q "TLS failed, trying again without TLS" "$I/maillog"
r=$(deliver tlsenc "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "encrypt, the handshake fails: deferred 4.7.5" "deferred 4.7.5" echo "$(out "$r" status) $(out "$r" dsn)"
t_check "...Cannot start TLS: handshake failure" grep -q "^Cannot start TLS: handshake failure with 127.0.0.1\[127.0.0.1\]" <<<"$(out "$r" text)"
sink_stop broken
t_check "no smtp process crashed" smtp_no_crash
