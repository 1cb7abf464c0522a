#!/usr/bin/env bash
# smtpd/auth.sh - SMTP AUTH through hato's authd (smtpd_sasl_type = authd,
# the default) on the guide's submission service: a useradd + chpasswd
# user authenticates with PLAIN (Python smtplib) and LOGIN (swaks) and
# relays through the relayhost sink; a virtual user from the users
# passwd-file (hash by hato pw) too; a wrong password gets 535 5.7.8 only
# after auth_failure_delay; a locked account is refused; unauthenticated
# clients are refused on submission and cannot relay on smtp;
# smtpd_sender_login_maps with reject_sender_login_mismatch; the
# (Authenticated sender:) header; an unreachable authd gives 454 4.7.0;
# a killed authd is restarted and AUTH works again.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "AUTH tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/submission.sh"

U=hlsub1 PW='s3cret pass' VPW='virtual-Pa55'
cleanup() { sink_stop; userdel -r "$U" >/dev/null 2>&1; userdel -r hlsub2 >/dev/null 2>&1; inst_cleanup; }
trap cleanup EXIT
userdel -r "$U" >/dev/null 2>&1; userdel -r hlsub2 >/dev/null 2>&1
useradd -m -s /usr/sbin/nologin "$U" && echo "$U:$PW" | chpasswd || t_fail "useradd + chpasswd $U"
useradd -m -s /usr/sbin/nologin hlsub2 && echo "hlsub2:$PW" | chpasswd && usermod -L hlsub2 || t_fail "a locked user"

sub_new -o smtpd_sasl_authenticated_header=yes \
	-o smtpd_sender_restrictions=reject_sender_login_mismatch
printf '%s\n' "127.0.0.1:$((SMTP_PORT + 4)) inet n - n - - smtpd" \
	"  -o smtpd_sasl_auth_enable=yes" "  -o smtpd_sasl_path=private/noauthd" \
	"auth      unix  -       n       n       -       1       authd" >>"$I/master.cf"
hash=$(printf '%s\n' "$VPW" | "$B/bin/hato" pw -s SHA512-CRYPT) || t_fail "hato pw"
echo "vuser@example.test:$hash:5000:5000::/nonexistent::" >>"$I/users"
printf '%s %s\n' "$U@mx.example.test" "$U" "vuser@example.test" "vuser@example.test" >"$I/senders"
inst_set "passdb = system, passwd-file:$I/users" "auth_mechanisms = plain login" \
	"disable_plaintext_auth = no" "auth_failure_delay = 1s" \
	"smtpd_sender_login_maps = texthash:$I/senders"
sink_start || t_fail "smtp-sink starts"
t_check "instance with authd starts" inst_start

out=$(auth_try $SUB_PORT PLAIN "$U" "$PW" "$U@mx.example.test" friend@example.net)
t_expect "EHLO offers auth_mechanisms on AUTH and AUTH=" "EHLO PLAIN LOGIN PLAIN LOGIN" sed -n 1p <<<"$out"
t_expect "smtplib AUTH PLAIN as the system user: 235 2.7.0" "AUTH 235 2.7.0 Authentication successful" sed -n 2p <<<"$out"
t_expect "...relaying to example.net is allowed and the message accepted" \
	"$(printf 'MAIL 250\nRCPT 250 2.1.5 Ok\nDATA 250')" sed -n 3,5p <<<"$out"
t_check "...it arrives at the relayhost sink" inst_wait bash -c "[ \$(find '$T/dump' -type f | wc -l) -ge 1 ]"
t_check "...with (Authenticated sender: $U) and ESMTPA in Received:" \
	bash -c "grep -q '(Authenticated sender: $U)' $T/dump/* && grep -q 'with ESMTPA id' $T/dump/*"
t_check "the log has sasl_method=PLAIN, sasl_username=$U" grep -q "sasl_method=PLAIN, sasl_username=$U" "$I/maillog"

t_check "swaks --auth LOGIN as the system user relays a message" \
	swaks --server 127.0.0.1:$SUB_PORT --auth LOGIN --auth-user "$U" --auth-password "$PW" \
		--from "$U@mx.example.test" --to other@example.net -n
t_expect "a virtual user from the users file (SHA512-CRYPT by hato pw): 235" "AUTH 235" \
	bash -c "python3 $TOPDIR/tests/lib/smtp_auth.py 127.0.0.1 $SUB_PORT PLAIN vuser@example.test '$VPW' | sed -n 2p | cut -d' ' -f1,2"

start=$(date +%s.%N)
out=$(auth_try $SUB_PORT PLAIN "$U" wrong-password)
t_expect "a wrong password: 535 5.7.8" "AUTH 535 5.7.8" bash -c "sed -n 2p <<<'$out' | cut -d' ' -f1-3"
t_check "...answered only after auth_failure_delay (1s)" \
	python3 -c "import sys,time; sys.exit(0 if time.time() - $start >= 1.0 else 1)"
t_expect "a locked account (usermod -L) is refused: 535" "AUTH 535" \
	bash -c "python3 $TOPDIR/tests/lib/smtp_auth.py 127.0.0.1 $SUB_PORT PLAIN hlsub2 '$PW' | sed -n 2p | cut -d' ' -f1,2"
t_check "no password reaches the log" bash -c "! grep -qF -e '$PW' -e wrong-password -e '$VPW' '$I/maillog'"

t_check "without AUTH the submission port refuses the client (554 5.7.1 Client host rejected)" \
	bash -c "swaks --server 127.0.0.1:$SUB_PORT --from '$U@mx.example.test' --to friend@example.net -n 2>&1 | grep -qF '554 5.7.1 <localhost[127.0.0.1]>: Client host rejected: Access denied'"
t_check "without AUTH the smtp port refuses to relay (554 5.7.1 Relay access denied)" \
	bash -c "swaks --server 127.0.0.1:$SMTP_PORT --from '$U@mx.example.test' --to friend@example.net -n 2>&1 | grep -qF '554 5.7.1 <friend@example.net>: Relay access denied'"

out=$(auth_try $SUB_PORT PLAIN "$U" "$PW" "vuser@example.test" friend@example.net)
t_expect "reject_sender_login_mismatch: $U may not send as vuser@example.test (553 5.7.1)" \
	"RCPT 553 5.7.1 <vuser@example.test>: Sender address rejected: not owned by user $U" sed -n 4p <<<"$out"

# brute force from 127.0.0.2: auth_client_failure_limit = 10, 12 wrong passwords at once
bf=
for i in $(seq 12); do auth_try --source=127.0.0.2 $SUB_PORT PLAIN "$U" "guess-$i" >"$T/bf.$i" & bf="$bf $!"; done
wait $bf
t_expect "12 wrong passwords at once from 127.0.0.2: every one refused with 535 5.7.8" "12" \
	bash -c "cat $T/bf.* | grep -c '^AUTH 535 5.7.8'"
t_check "...the later ones without their password being checked (authd logs the limit)" \
	grep -q "Too many authentication failures" "$I/maillog"
t_expect "...so now even the right password from 127.0.0.2 is refused" "AUTH 535" \
	bash -c "python3 $TOPDIR/tests/lib/smtp_auth.py --source=127.0.0.2 127.0.0.1 $SUB_PORT PLAIN $U '$PW' | sed -n 2p | cut -d' ' -f1,2"
t_expect "...while $U from 127.0.0.1 still logs in" "AUTH 235" \
	bash -c "python3 $TOPDIR/tests/lib/smtp_auth.py 127.0.0.1 $SUB_PORT PLAIN $U '$PW' | sed -n 2p | cut -d' ' -f1,2"
t_check "...and no guessed password is in the log" bash -c "! grep -q 'guess-' '$I/maillog'"

t_expect "authd unreachable (smtpd_sasl_path=private/noauthd): 454 4.7.0" "AUTH 454 4.7.0" \
	bash -c "python3 $TOPDIR/tests/lib/smtp_auth.py 127.0.0.1 $((SMTP_PORT + 4)) PLAIN $U '$PW' | sed -n 2p | cut -d' ' -f1-3"

apid=$(inst_pids authd | head -1)
t_check "authd is running" test -n "$apid"
kill -9 "$apid" 2>/dev/null
out=$(auth_try $SUB_PORT PLAIN "$U" "$PW")
t_check "right after kill -9 of authd, AUTH is answered 235 or 454, never accepted otherwise" \
	grep -qE '^AUTH (235|454) ' <<<"$out"
t_check "...master restarts authd and AUTH works again" \
	inst_wait bash -c "python3 $TOPDIR/tests/lib/smtp_auth.py 127.0.0.1 $SUB_PORT PLAIN $U '$PW' | grep -q '^AUTH 235'"
new_authd() { local p; p=$(inst_pids authd | head -1); [ -n "$p" ] && [ "$p" != "$apid" ]; }
t_check "...with a new authd process" new_authd
