#!/usr/bin/env bash
# smtpd/auth_cyrus.sh - SMTP AUTH with smtpd_sasl_type = cyrus against a
# real saslauthd -a shadow (the guide's step 3): the guide's smtpd.conf
# (pwcheck_method: saslauthd, mech_list: plain login), a useradd user
# with a chpasswd password authenticates with PLAIN and LOGIN (Python
# smtplib, swaks) on the submission port and relays through the
# relayhost sink; a wrong password gets 535 5.7.8; without AUTH the
# submission port refuses the client and the smtp port refuses to relay.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "cyrus AUTH tests skipped: they need root # SKIP"; exit 0; }
command -v saslauthd >/dev/null || { t_fail "saslauthd is installed (make deps: sasl2-bin)"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/submission.sh"

U=hlcyr1 PW='c0rrect horse;battery'
MUX=/run/saslauthd own_mux=yes
[ -S "$MUX/mux" ] && { MUX=$T/saslauthd; own_mux=; }	# one runs already: use our own
sasl_pid=
added_group=
cleanup() {
	[ -n "$sasl_pid" ] && kill "$sasl_pid" 2>/dev/null
	[ -n "$added_group" ] && gpasswd -d hato sasl >/dev/null 2>&1
	sink_stop; userdel -r "$U" >/dev/null 2>&1; inst_cleanup
}
trap cleanup EXIT
userdel -r "$U" >/dev/null 2>&1
useradd -m -s /usr/sbin/nologin "$U" && echo "$U:$PW" | chpasswd || t_fail "useradd + chpasswd $U"

mkdir -p "$MUX" "$T/sasl"
saslauthd -a shadow -m "$MUX" -n 1 || t_fail "saslauthd -a shadow starts"
for _ in $(seq 50); do [ -S "$MUX/mux" ] && break; sleep 0.1; done
sasl_pid=$(cat "$MUX/saslauthd.pid" 2>/dev/null)
t_check "saslauthd -a shadow runs with its socket in $MUX" test -S "$MUX/mux"
t_check "testsaslauthd accepts $U's password (the reference)" testsaslauthd -f "$MUX/mux" -u "$U" -p "$PW"

cp "$EXAMPLES/smtpd.conf" "$T/sasl/smtpd.conf"
[ -z "$own_mux" ] && echo "saslauthd_path: $MUX/mux" >>"$T/sasl/smtpd.conf"
sub_new -o smtpd_sasl_type=cyrus -o cyrus_sasl_config_path=$T/sasl
# as with Debian's Postfix: mail_owner (made by hato init, in sub_new) joins
# the sasl group to reach the socket
id -nG hato | grep -qw sasl || { gpasswd -a hato sasl >/dev/null && added_group=yes; }
t_check "mail_owner hato is in the sasl group" bash -c "id -nG hato | grep -qw sasl"
TLS_PORT=$((SMTP_PORT + 4))
printf '%s\n' "127.0.0.1:$TLS_PORT inet n - n - - smtpd" "  -o smtpd_tls_auth_only=yes" \
	"  -o smtpd_client_restrictions=permit_sasl_authenticated,reject" >>"$I/master.cf"
inst_set "smtpd_sasl_type = cyrus" "cyrus_sasl_config_path = $T/sasl" "smtpd_sasl_local_domain = example.test"
sink_start || t_fail "smtp-sink starts"
t_check "instance starts" inst_start

out=$(auth_try $SUB_PORT PLAIN "$U" "$PW" "$U@mx.example.test" friend@example.net)
t_expect "EHLO on submission offers the guide's mech_list on AUTH and AUTH= (broken_sasl_auth_clients)" "EHLO PLAIN LOGIN PLAIN LOGIN" \
	sed -n 1p <<<"$out"
t_expect "smtplib AUTH PLAIN with the system password: 235 2.7.0" "AUTH 235 2.7.0 Authentication successful" \
	sed -n 2p <<<"$out"
t_expect "...and the message to example.net is accepted for relaying" "$(printf 'MAIL 250\nRCPT 250 2.1.5 Ok\nDATA 250')" \
	sed -n 3,5p <<<"$out"
t_check "...and arrives at the relayhost sink" inst_wait bash -c "[ \$(find '$T/dump' -type f | wc -l) -ge 1 ]"
t_check "...with Received: ... with ESMTPA" bash -c "grep -q 'with ESMTPA id' $T/dump/*"
t_check "the log has client=..., sasl_method=PLAIN, sasl_username=$U" \
	grep -q "client=localhost\[127.0.0.1\], sasl_method=PLAIN, sasl_username=$U" "$I/maillog"

t_expect "smtplib AUTH LOGIN: 235" "AUTH 235 2.7.0 Authentication successful" \
	bash -c "python3 $TOPDIR/tests/lib/smtp_auth.py 127.0.0.1 $SUB_PORT LOGIN $U '$PW' | sed -n 2p"
t_check "swaks --auth LOGIN relays a message through the submission port" \
	swaks --server 127.0.0.1:$SUB_PORT --auth LOGIN --auth-user "$U" --auth-password "$PW" \
		--from "$U@mx.example.test" --to other@example.net -n
t_check "...which reaches the sink too" inst_wait bash -c "[ \$(find '$T/dump' -type f | wc -l) -ge 2 ]"

t_expect "a wrong password: 535 5.7.8" "AUTH 535" \
	bash -c "python3 $TOPDIR/tests/lib/smtp_auth.py 127.0.0.1 $SUB_PORT PLAIN $U wrong | sed -n 2p | cut -d' ' -f1,2"
t_check "...logged as a SASL PLAIN failure without the password" \
	bash -c "grep -q 'SASL PLAIN authentication failed' '$I/maillog' && ! grep -qF -- '$PW' '$I/maillog' && ! grep -q wrong '$I/maillog'"

t_check "no AUTH on submission: MAIL refused by smtpd_client_restrictions (554 5.7.1 ... Client host rejected)" \
	bash -c "swaks --server 127.0.0.1:$SUB_PORT --from '$U@mx.example.test' --to friend@example.net -n 2>&1 | grep -qF '554 5.7.1 <localhost[127.0.0.1]>: Client host rejected: Access denied'"
t_check "no AUTH on the smtp port: relaying refused with 554 5.7.1 Relay access denied" \
	bash -c "swaks --server 127.0.0.1:$SMTP_PORT --from '$U@mx.example.test' --to friend@example.net -n 2>&1 | grep -qF '554 5.7.1 <friend@example.net>: Relay access denied'"

out=$(auth_try $TLS_PORT PLAIN "$U" "$PW")
t_expect "smtpd_tls_auth_only: no AUTH in EHLO before STARTTLS, and AUTH then gets 503" \
	"$(printf 'EHLO -\nAUTH 503 5.5.1 Error: authentication not enabled')" sed -n 1,2p <<<"$out"
t_check "...the AUTH command itself gets 503 5.5.1" bash -c "printf 'EHLO c\r\nAUTH PLAIN\r\nQUIT\r\n' | python3 $TOPDIR/tests/lib/smtp_dialog.py 127.0.0.1 $TLS_PORT 127.0.0.1 2>&1 | grep -q '^503 5.5.1 Error: authentication not enabled'"
out=$(auth_try --starttls $TLS_PORT PLAIN "$U" "$PW" "$U@mx.example.test" tls@example.net)
t_expect "...after STARTTLS: AUTH offered, PLAIN accepted, relaying allowed" \
	"$(printf 'EHLO PLAIN LOGIN PLAIN LOGIN\nAUTH 235 2.7.0 Authentication successful\nMAIL 250\nRCPT 250 2.1.5 Ok\nDATA 250')" echo "$out"
t_check "...and that message is received with ESMTPSA" \
	inst_wait bash -c "grep -l 'tls@example.net' $T/dump/* 2>/dev/null | xargs -r grep -q 'with ESMTPSA id'"
