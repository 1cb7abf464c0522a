#!/usr/bin/env bash
# smtpd/restriction_names.sh - a restriction name that does not exist (a
# typo such as reject_unknwon_sender_domain) is reported by "hato check"
# and "hato start", naming main.cf, its line and the parameter, and by
# smtpd in the log when it starts, before any client meets it.  A client
# that does meet it gets Postfix's "451 4.3.5 Server configuration error".
# Also: a restriction class's list, a restriction that lacks its argument,
# and no report for a correct configuration (classes, tables, old names);
# a typo in a master.cf "-o smtpd_client_restrictions=..." is reported with
# master.cf's line and the service.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_fail "restriction name tests need root"; exit 1; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_set "smtpd_restriction_classes = myclass" \
	"myclass = permit_mynetworks, reject_unknwon_client_hostname" \
	"smtpd_helo_restrictions = myclass, reject_invalid_hostname, check_helo_access" \
	"smtpd_recipient_restrictions = permit_mynetworks, reject_unknwon_sender_domain, reject_unauth_destination" \
	"smtpd_data_restrictions = reject_unverified_sender"
printf '127.0.0.1:%s inet n - n - - smtpd\n  -o smtpd_client_restrictions=permit_mynetwroks,reject\n' \
	$((SMTP_PORT + 1)) >>"$I/master.cf"
mline=$(grep -n "^127.0.0.1:$((SMTP_PORT + 1))" "$I/master.cf" | cut -d: -f1)
line=$(grep -n '^smtpd_recipient_restrictions' "$I/main.cf" | cut -d: -f1)
cline=$(grep -n '^myclass' "$I/main.cf" | cut -d: -f1)
hline=$(grep -n '^smtpd_helo_restrictions' "$I/main.cf" | cut -d: -f1)
"$HATO" -c "$I" check >"$T/check.out" 2>&1
t_check "hato check names main.cf, the line and the parameter of the typo" \
	grep -qF "$I/main.cf, line $line: smtpd_recipient_restrictions: unknown restriction \"reject_unknwon_sender_domain\"" "$T/check.out"
t_check "...and the typo in a restriction class" \
	grep -qF "$I/main.cf, line $cline: myclass: unknown restriction \"reject_unknwon_client_hostname\"" "$T/check.out"
t_check "...and a restriction at the end of a list without its table" \
	grep -qF "$I/main.cf, line $hline: smtpd_helo_restrictions: restriction \"check_helo_access\" needs an argument" "$T/check.out"
t_check "...and a typo in a master.cf -o override, naming master.cf, the line and the service" \
	grep -qF "$I/master.cf, line $mline: service 127.0.0.1:$((SMTP_PORT + 1)): -o smtpd_client_restrictions: unknown restriction \"permit_mynetwroks\"" "$T/check.out"
dline=$(grep -n '^smtpd_data_restrictions' "$I/main.cf" | cut -d: -f1)
t_check "...and a Postfix restriction that hato lacks is named as such" \
	grep -qF "$I/main.cf, line $dline: smtpd_data_restrictions: restriction \"reject_unverified_sender\" is not implemented by hato" "$T/check.out"
t_expect "...five problems, nothing about the valid names" "5" grep -c "restriction" "$T/check.out"
"$HATO" -c "$I" start >"$T/start.out" 2>&1
t_check "hato start reports the typo too" \
	grep -qF "line $line: smtpd_recipient_restrictions: unknown restriction \"reject_unknwon_sender_domain\"" "$T/start.out"
for _ in $(seq 50); do ss -Hltn "sport = :$SMTP_PORT" | grep -q . && break; sleep 0.1; done
got=$(printf 'EHLO client.example.org\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<user@example.org>\r\nQUIT\r\n' |
	smtp_dialog 127.0.0.2 | grep '^451')
t_expect "a client that meets the typo gets 451 4.3.5, as from Postfix" "451 4.3.5 Server configuration error" echo "$got"
t_check "smtpd warned in the log when it started" \
	grep -qF "smtpd_recipient_restrictions: unknown restriction \"reject_unknwon_sender_domain\"" "$I/maillog"
"$HATO" -c "$I" stop >/dev/null 2>&1

inst_set "myclass = permit_mynetworks, reject_unknown_client" "smtpd_data_restrictions =" \
	"smtpd_helo_restrictions = myclass, reject_invalid_hostname, check_helo_access texthash:$T/none, hash:$T/none2" \
	"smtpd_recipient_restrictions = permit_mynetworks, warn_if_reject, reject_unknown_sender_domain, reject_rbl_client zen.example=127.0.0.2, reject_unauth_destination"
: >"$T/none"
sed -i 's/permit_mynetwroks/permit_mynetworks/' "$I/master.cf"
: >"$T/none2"
"$B/bin/postmap" "hash:$T/none2"
"$HATO" -c "$I" check >"$T/check2.out" 2>&1
t_expect "a correct configuration (class, tables, old names, arguments) gets no report" "" \
	grep "restriction" "$T/check2.out"
