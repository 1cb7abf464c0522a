#!/usr/bin/env bash
# smtpd/restrictions.sh - every restriction's reply (code, enhanced status,
# text) compared live with Debian's Postfix on the same main.cf.
#
# One network namespace with a fake DNS server; hato listens on
# 192.0.2.1:2500+N and a private Postfix instance (own config directory,
# queue and data directory, never the system service) on 192.0.2.1:2600+N,
# where N is one of the master.cf services below, each with its own
# restriction lists (-o).  Clients come from 1.2.3.4 (good reverse DNS),
# 192.0.2.77 (no PTR), 192.0.2.88 (PTR lookup fails: SERVFAIL), 192.0.2.99
# (PTR name that does not resolve back) and 192.0.2.66 (on the DNSBL).
# tests/smtpd/smtp_cases.py sends the same dialogue to both servers; each
# case passes when hato's replies equal Postfix's word for word.  Without
# Postfix installed the test fails (it never skips).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_fail "restriction tests need root for ip netns"; exit 1; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/netns.sh"
NS=hator$$ PF=$T/pf SRV=192.0.2.1
pf_stop() {
	[ -f "$PF/main.cf" ] && netns_run $NS /usr/sbin/postfix -c "$PF" stop >/dev/null 2>&1
}
trap 'pf_stop; netns_down_all; inst_cleanup' EXIT
if [ ! -x /usr/sbin/postfix ]; then
	t_fail "Debian's postfix is installed (/usr/sbin/postfix)"; exit 1
fi

cat >"$T/zone" <<'ZONE'
4.3.2.1.in-addr.arpa PTR client1.example.org
client1.example.org A 1.2.3.4
88.2.0.192.in-addr.arpa SERVFAIL
99.2.0.192.in-addr.arpa PTR liar.example.org
liar.example.org A 192.0.2.100
66.2.0.192.in-addr.arpa PTR spammer.example.org
spammer.example.org A 192.0.2.66
66.2.0.192.zen.test A 127.0.0.2
66.2.0.192.zen.test TXT "listed in the test zone"
example.org MX 10 client1.example.org
mxonly.example.org MX 10 client1.example.org
fail.test SERVFAIL
fail2.test SERVFAIL
nullmx.example MX 0 .
88.2.0.192.zen.test SERVFAIL
4.3.2.1.wl.test A 127.0.0.2
77.2.0.192.wl.test SERVFAIL
client1.example.org.wl.test A 127.0.0.2
bad.example.org A 1.2.3.4
bad.example.org.dbl.test A 127.0.1.2
client1.example.org.dbl.test A 127.0.1.2
liar.example.org.dbl.test A 127.0.1.2
ZONE
if netns_up $NS $SRV 1.2.3.4 192.0.2.77 192.0.2.88 192.0.2.99 192.0.2.66 \
	&& netns_dns $NS "$T/zone"; then
	t_ok "namespace with server $SRV, five clients and a fake DNS"
else
	t_fail "namespace with server $SRV, five clients and a fake DNS"; exit 1
fi

# the files both servers read
printf 'rej@example.org REJECT\nrejtext@example.org REJECT go away\ndefer@example.org DEFER\n%s\n%s\n%s\n%s\n' \
	'defertext@example.org DEFER busy now' 'code4@example.org 451 4.7.9 try later' \
	'code5@example.org 550 no thanks' 'dsn5@example.org 553 5.1.8 bad sender domain' >"$T/sender_access"
printf 'okdomain.example OK\nbad.example.org REJECT\nfail2.test REJECT\n' >>"$T/sender_access"
printf 'dip@example.org DEFER_IF_PERMIT maybe later\ndir@example.org DEFER_IF_REJECT\n' >>"$T/sender_access"
printf 'relay@example.org RELAY\nnum@example.org 12345\nrej5@example.org REJECT 5.7.9 custom text\n' >>"$T/sender_access"
printf 'cls@example.org myclass\nlist@example.org reject_unknown_client_hostname\n' >>"$T/sender_access"
printf 'weird@example.org 299 odd\nuser@ REJECT by local part\n<> REJECT no bounces\n' >>"$T/sender_access"
printf 'rej+ext@example.test REJECT extension\nrej2@example.test REJECT base\n' >>"$T/rcpt_access"
printf 'client1.example.org REJECT by name\n192.0.2 REJECT by net\nunknown REJECT no name\n' >"$T/client_access"
printf 'org REJECT by top-level domain\n' >"$T/client_access2"
printf 'client1.example.org REJECT helo by name\n' >"$T/helo_access"
printf 'rej@example.test REJECT\ncode5@example.test 550 5.1.1 gone\ndefer@example.test DEFER\n' >"$T/rcpt_access"
printf 'owned@example.org someone\n' >"$T/login_maps"
printf 'box@vmail.test x\n' >"$T/vmailbox"
printf 'alias@valias.test root@example.test\n' >"$T/valias"
printf 'known@relay.test x\n' >"$T/relayrcpt"
printf 'root x\nuser x\nroot@example.test x\nuser@example.test x\n' >"$T/local_rcpt"
COMMON=(
	"myhostname = mx.example.test" "mydomain = example.test"
	"mydestination = \$myhostname, localhost, \$mydomain" "mynetworks = 127.0.0.0/8"
	"inet_protocols = ipv4" "alias_maps =" "local_recipient_maps = texthash:$T/local_rcpt"
	"smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination"
	"virtual_mailbox_domains = vmail.test" "virtual_mailbox_maps = texthash:$T/vmailbox"
	"virtual_alias_domains = valias.test" "virtual_alias_maps = texthash:$T/valias"
	"relay_domains = relay.test" "relay_recipient_maps = texthash:$T/relayrcpt"
)
# N|-o overrides (no spaces inside a value: commas separate list items)
SERVICES=(
	"0|smtpd_client_restrictions=reject_unknown_client_hostname"
	"1|smtpd_client_restrictions=reject_unknown_reverse_client_hostname"
	"2|smtpd_helo_restrictions=reject_invalid_helo_hostname"
	"3|smtpd_helo_restrictions=reject_non_fqdn_helo_hostname"
	"4|smtpd_helo_restrictions=reject_unknown_helo_hostname"
	"5|smtpd_sender_restrictions=reject_non_fqdn_sender,reject_unknown_sender_domain,check_sender_access,texthash:$T/sender_access"
	"6|smtpd_relay_restrictions= smtpd_recipient_restrictions=reject_non_fqdn_recipient,reject_unknown_recipient_domain,check_recipient_access,texthash:$T/rcpt_access,reject_unauth_destination"
	"7|smtpd_helo_restrictions=reject_unknown_helo_hostname smtpd_sender_restrictions=check_sender_access,texthash:$T/sender_access"
	"8|smtpd_client_restrictions=reject_rbl_client,zen.test,reject_rhsbl_client,dbl.test smtpd_helo_restrictions=reject_rhsbl_helo,dbl.test smtpd_sender_restrictions=reject_rhsbl_sender,dbl.test"
	"9|smtpd_client_restrictions=defer_if_permit"
	"10|smtpd_client_restrictions=reject"
	"11|smtpd_client_restrictions=defer"
	"12|smtpd_client_restrictions=defer_if_reject,reject"
	"13|smtpd_reject_unlisted_sender=yes"
	"14|smtpd_sender_restrictions=reject_plaintext_session"
	"15|smtpd_data_restrictions=reject_unauth_pipelining"
	"16|smtpd_client_restrictions=warn_if_reject,reject smtpd_sender_restrictions=reject_unknown_sender_domain,check_sender_access,texthash:$T/sender_access"
	"17|smtpd_client_restrictions=reject_unknown_client_hostname smtpd_sender_restrictions=check_sender_access,texthash:$T/sender_access"
	"18|smtpd_recipient_restrictions=reject_unlisted_recipient,reject_unauth_destination smtpd_reject_unlisted_recipient=no"
	"19|smtpd_recipient_restrictions=reject_non_fqdn_helo_hostname,reject_invalid_helo_hostname,reject_unknown_helo_hostname"
	"20|smtpd_sender_restrictions=check_sender_access,texthash:$T/sender_access,reject"
	"21|smtpd_relay_restrictions= smtpd_recipient_restrictions=reject_rhsbl_recipient,dbl.test,reject_unauth_destination smtpd_data_restrictions=reject_multi_recipient_bounce"
	"22|smtpd_recipient_restrictions=reject_unauth_pipelining"
	"24|smtpd_delay_reject=no smtpd_helo_restrictions=reject_unknown_helo_hostname smtpd_sender_restrictions=check_sender_access,texthash:$T/sender_access"
	"25|smtpd_delay_reject=no smtpd_client_restrictions=reject_unknown_client_hostname"
	"26|smtpd_client_restrictions=permit_dnswl_client,wl.test,reject"
	"27|smtpd_client_restrictions=permit_rhswl_client,wl.test,reject"
	"28|smtpd_data_restrictions=reject"
	"29|smtpd_restriction_classes=myclass myclass=reject_unknown_sender_domain,reject smtpd_sender_restrictions=check_sender_access,texthash:$T/sender_access"
	"30|smtpd_client_restrictions=check_client_access,texthash:$T/client_access smtpd_helo_restrictions=check_helo_access,texthash:$T/helo_access"
	"31|soft_bounce=yes smtpd_client_restrictions=reject"
	"32|recipient_delimiter=+ smtpd_recipient_restrictions=check_recipient_access,texthash:$T/rcpt_access"
	"33|smtpd_client_restrictions=texthash:$T/client_access"
	"34|smtpd_client_restrictions=reject_rbl_client,zen.test smtpd_sender_restrictions=check_sender_access,texthash:$T/sender_access"
	"35|smtpd_data_restrictions=defer_if_permit"
	"36|unknown_helo_hostname_tempfail_action=defer smtpd_helo_restrictions=reject_unknown_helo_hostname smtpd_sender_restrictions=check_sender_access,texthash:$T/sender_access"
	"37|reject_tempfail_action=defer smtpd_sender_restrictions=reject_unknown_sender_domain,check_sender_access,texthash:$T/sender_access"
	"39|smtpd_client_restrictions=reject_rhsbl_reverse_client,dbl.test"
	"40|smtpd_client_restrictions=check_client_access,texthash:$T/client_access2"
	"41|recipient_delimiter=+ smtpd_sender_restrictions=check_sender_access,texthash:$T/sender_access"
	"42|smtpd_helo_restrictions=check_helo_access,texthash:$T/helo_access"
	"23|smtpd_sender_login_maps=texthash:$T/login_maps smtpd_sender_restrictions=reject_sender_login_mismatch"
)
# master_cf BASEPORT - the services as master.cf lines
master_cf() {
	local s n o
	for s in "${SERVICES[@]}"; do
		n=${s%%|*}
		echo "$SRV:$(($1 + n)) inet n - n - - smtpd"
		for o in ${s#*|}; do echo "  -o $o"; done
	done
}

inst_new
inst_set "${COMMON[@]}"
{ master_cf 2500; echo "cleanup unix n - n - 0 cleanup"; } >"$I/master.cf"
mkdir -p "$PF/queue" "$PF/data"
chown postfix "$PF/data"
{
	printf '%s\n' "${COMMON[@]}"
	echo "compatibility_level = 3.6"
	echo "queue_directory = $PF/queue"
	echo "data_directory = $PF/data"
	echo "maillog_file = $PF/maillog"
	echo "maillog_file_prefixes = $PF"
	echo "smtpd_banner = \$myhostname ESMTP"
} >"$PF/main.cf"
{
	master_cf 2600
	cat <<'MCF'
cleanup unix n - n - 0 cleanup
rewrite unix - - n - - trivial-rewrite
proxymap unix - - n - - proxymap
anvil unix - - n - 1 anvil
postlog unix-dgram n - n - 1 postlogd
MCF
} >"$PF/master.cf"
t_check "hato starts in the namespace" netns_run $NS "$HATO" -c "$I" start
t_check "the private Postfix starts in the namespace" netns_run $NS /usr/sbin/postfix -c "$PF" start
for _ in $(seq 50); do
	netns_run $NS ss -Hltn "sport = :2500" | grep -q . && netns_run $NS ss -Hltn "sport = :2600" | grep -q . && break
	sleep 0.1
done

# NAME|SERVICE|CLIENT|COMMANDS
M='MAIL FROM:<s@example.org>' R='RCPT TO:<root@example.test>' H='EHLO client1.example.org'
cat >"$T/cases" <<CASES
client_ok|0|1.2.3.4|$H;$M;$R
client_no_ptr|0|192.0.2.77|$H;$M;$R
client_ptr_tempfail|0|192.0.2.88|$H;$M;$R
client_forged|0|192.0.2.99|$H;$M;$R
reverse_ok|1|1.2.3.4|$H;$M;$R
reverse_no_ptr|1|192.0.2.77|$H;$M;$R
reverse_tempfail|1|192.0.2.88|$H;$M;$R
reverse_forged_is_ok|1|192.0.2.99|$H;$M;$R
invalid_helo_dotdot|2|1.2.3.4|HELO bad..name;$M;$R
invalid_helo_bare_ip|2|1.2.3.4|HELO 1.2.3.5;$M;$R
invalid_helo_literal|2|1.2.3.4|HELO [1.2.3.5];$M;$R
invalid_helo_bad_literal|2|1.2.3.4|HELO [999.1.1.1];$M;$R
invalid_helo_underscore|2|1.2.3.4|HELO under_score.example.org;$M;$R
invalid_helo_trailing_dot|2|1.2.3.4|HELO client1.example.org.;$M;$R
invalid_helo_leading_hyphen|2|1.2.3.4|HELO -bad.example.org;$M;$R
invalid_helo_numeric_tld|2|1.2.3.4|HELO example.123;$M;$R
invalid_helo_all_numeric|2|1.2.3.4|HELO 123.456;$M;$R
invalid_helo_ipv6_literal|2|1.2.3.4|HELO [IPv6:2001:db8::1];$M;$R
invalid_helo_bare_ipv6|2|1.2.3.4|HELO 2001:db8::1;$M;$R
invalid_helo_long_label|2|1.2.3.4|HELO aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.org;$M;$R
invalid_helo_double_trailing_dot|2|1.2.3.4|HELO client1.example.org..;$M;$R
nonfqdn_helo_bare_ipv6|3|1.2.3.4|HELO 2001:db8::1;$M;$R
nonfqdn_helo_numeric_tld|3|1.2.3.4|HELO example.123;$M;$R
nonfqdn_helo_nodot|3|1.2.3.4|HELO nodot;$M;$R
nonfqdn_helo_bare_ip|3|1.2.3.4|HELO 1.2.3.5;$M;$R
nonfqdn_helo_literal|3|1.2.3.4|HELO [1.2.3.5];$M;$R
nonfqdn_helo_bad_literal|3|1.2.3.4|HELO [1.2.3];$M;$R
nonfqdn_helo_ok|3|1.2.3.4|HELO client1.example.org;$M;$R
unknown_helo_nx|4|1.2.3.4|HELO nx.example.org;$M;$R
unknown_helo_tempfail|4|1.2.3.4|HELO fail.test;$M;$R
unknown_helo_mx_only|4|1.2.3.4|HELO mxonly.example.org;$M;$R
unknown_helo_literal|4|1.2.3.4|HELO [1.2.3.4];$M;$R
unknown_helo_bare_ip|4|1.2.3.4|HELO 1.2.3.5;$M;$R
sender_nonfqdn|5|1.2.3.4|$H;MAIL FROM:<user>;$R
sender_nonfqdn_domain|5|1.2.3.4|$H;MAIL FROM:<user@nodot>;$R
sender_unknown_domain|5|1.2.3.4|$H;MAIL FROM:<u@nx.example.org>;$R
sender_domain_tempfail|5|1.2.3.4|$H;MAIL FROM:<u@fail.test>;$R
rcpt_bad_syntax|0|1.2.3.4|$H;$M;RCPT TO:<rej
sender_trailing_dot|5|1.2.3.4|$H;MAIL FROM:<u@example.org.>;$R
sender_bad_label|5|1.2.3.4|$H;MAIL FROM:<u@-bad.example>;$R
sender_unknown_trailing_dot|5|1.2.3.4|$H;MAIL FROM:<u@nx.example.org.>;$R
sender_mx_only|5|1.2.3.4|$H;MAIL FROM:<u@mxonly.example.org>;$R
sender_ours|5|1.2.3.4|$H;MAIL FROM:<nobody@example.test>;$R
sender_literal|5|1.2.3.4|$H;MAIL FROM:<u@[1.2.3.4]>;$R
sender_null|5|1.2.3.4|$H;MAIL FROM:<>;$R
sender_access_reject|5|1.2.3.4|$H;MAIL FROM:<rej@example.org>;$R
sender_access_reject_text|5|1.2.3.4|$H;MAIL FROM:<rejtext@example.org>;$R
sender_access_defer|5|1.2.3.4|$H;MAIL FROM:<defer@example.org>;$R
sender_access_defer_text|5|1.2.3.4|$H;MAIL FROM:<defertext@example.org>;$R
sender_access_4xx|5|1.2.3.4|$H;MAIL FROM:<code4@example.org>;$R
sender_access_5xx|5|1.2.3.4|$H;MAIL FROM:<code5@example.org>;$R
sender_access_5xx_dsn|5|1.2.3.4|$H;MAIL FROM:<dsn5@example.org>;$R
sender_access_domain|5|1.2.3.4|$H;MAIL FROM:<x@bad.example.org>;$R
rcpt_nonfqdn|6|1.2.3.4|$H;$M;RCPT TO:<user@nodot>
rcpt_unknown_domain|6|1.2.3.4|$H;$M;RCPT TO:<u@nx.example.org>
rcpt_domain_tempfail|6|1.2.3.4|$H;$M;RCPT TO:<u@fail.test>
rcpt_access_reject|6|1.2.3.4|$H;$M;RCPT TO:<rej@example.test>
rcpt_access_5xx|6|1.2.3.4|$H;$M;RCPT TO:<code5@example.test>
rcpt_access_defer|6|1.2.3.4|$H;$M;RCPT TO:<defer@example.test>
rcpt_relay_denied|6|1.2.3.4|$H;$M;RCPT TO:<u@example.org>
rcpt_unlisted|6|1.2.3.4|$H;$M;RCPT TO:<nouser@example.test>
rcpt_postmaster|6|1.2.3.4|$H;$M;RCPT TO:<postmaster>
rcpt_relay_default|0|1.2.3.4|$H;$M;RCPT TO:<u@example.org>
dip_helo_tempfail_then_reject|7|1.2.3.4|HELO fail.test;MAIL FROM:<rej@example.org>;$R
dip_helo_tempfail_then_ok|7|1.2.3.4|HELO fail.test;MAIL FROM:<s@example.org>;$R
dip_helo_tempfail_then_permit|7|1.2.3.4|HELO fail.test;MAIL FROM:<x@okdomain.example>;$R
dip_sender_tempfail_then_reject|16|1.2.3.4|$H;MAIL FROM:<u@fail2.test>;$R
dip_sender_tempfail_alone|16|1.2.3.4|$H;MAIL FROM:<u@fail.test>;$R
sender_nullmx|5|1.2.3.4|$H;MAIL FROM:<u@nullmx.example>;$R
rcpt_nullmx|6|1.2.3.4|$H;$M;RCPT TO:<u@nullmx.example>
access_defer_if_permit|5|1.2.3.4|$H;MAIL FROM:<dip@example.org>;$R
access_defer_if_reject_then_reject|20|1.2.3.4|$H;MAIL FROM:<dir@example.org>;$R
access_defer_if_reject_then_ok|5|1.2.3.4|$H;MAIL FROM:<dir@example.org>;$R
multi_recipient_bounce|21|1.2.3.4|$H;MAIL FROM:<>;$R;RCPT TO:<user@example.test>;DATA
rhsbl_recipient|21|1.2.3.4|$H;$M;RCPT TO:<u@bad.example.org>
sender_nonfqdn_trailing_dot|5|1.2.3.4|$H;MAIL FROM:<u@nodot.>;$R
rbl_client_listed|8|192.0.2.66|$H;$M;$R
rhsbl_client|8|1.2.3.4|$H;$M;$R
rbl_rhsbl_helo|8|192.0.2.77|HELO bad.example.org;$M;$R
rbl_rhsbl_sender|8|192.0.2.77|HELO nodot;MAIL FROM:<u@bad.example.org>;$R
defer_if_permit|9|1.2.3.4|$H;$M;$R
reject|10|1.2.3.4|$H;$M;$R
defer|11|1.2.3.4|$H;$M;$R
defer_if_reject|12|1.2.3.4|$H;$M;$R
unlisted_sender|13|1.2.3.4|$H;MAIL FROM:<nouser@example.test>;$R
listed_sender|13|1.2.3.4|$H;MAIL FROM:<user@example.test>;$R
plaintext_session|14|1.2.3.4|$H;$M;$R
unauth_pipelining|15|1.2.3.4|$H;$M;$R;DATA<P>QUIT
pipelining_after_ehlo_is_fine|22|1.2.3.4|$H;$M<P>$R<P>RCPT TO:<user@example.test>
nodelay_helo_tempfail_then_reject|24|1.2.3.4|HELO fail.test;MAIL FROM:<rej@example.org>;$R
nodelay_helo_tempfail_then_ok|24|1.2.3.4|HELO fail.test;$M;$R;RCPT TO:<user@example.test>
nodelay_helo_nx|24|1.2.3.4|HELO nx.example.org;$M;$R
nodelay_client_unknown|25|192.0.2.77|$H;$M;$R;QUIT
dnswl_listed|26|1.2.3.4|$H;$M;$R
dnswl_listed_relay|26|1.2.3.4|$H;$M;RCPT TO:<u@example.org>
dnswl_tempfail_then_reject|26|192.0.2.77|$H;$M;$R
dnswl_not_listed|26|192.0.2.99|$H;$M;$R
rhswl_listed|27|1.2.3.4|$H;$M;$R
rhswl_unknown_client|27|192.0.2.77|$H;$M;$R
data_reject|28|1.2.3.4|$H;$M;$R;DATA
access_class|29|1.2.3.4|$H;MAIL FROM:<cls@example.org>;$R
access_restriction_list|29|192.0.2.77|$H;MAIL FROM:<list@example.org>;$R
access_relay|29|1.2.3.4|$H;MAIL FROM:<relay@example.org>;$R
access_numeric_ok|29|1.2.3.4|$H;MAIL FROM:<num@example.org>;$R
access_reject_dsn|29|1.2.3.4|$H;MAIL FROM:<rej5@example.org>;$R
access_weird_code|29|1.2.3.4|$H;MAIL FROM:<weird@example.org>;$R
access_localpart|29|1.2.3.4|$H;MAIL FROM:<user@elsewhere.example>;$R
access_null_sender|29|1.2.3.4|$H;MAIL FROM:<>;$R
access_parent_domain|29|1.2.3.4|$H;MAIL FROM:<x@sub.bad.example.org>;$R
client_access_name|30|1.2.3.4|HELO x.example.org;$M;$R
client_access_net|30|192.0.2.77|HELO x.example.org;$M;$R
helo_access|30|192.0.2.99|HELO client1.example.org;$M;$R
soft_bounce|31|1.2.3.4|$H;$M;$R
rcpt_access_extension|32|1.2.3.4|$H;$M;RCPT TO:<rej+ext@example.test>
rcpt_access_base|32|1.2.3.4|$H;$M;RCPT TO:<rej2+foo@example.test>
implicit_client_table|33|192.0.2.77|$H;$M;$R
rbl_tempfail_then_reject|34|192.0.2.88|$H;MAIL FROM:<rej@example.org>;$R
rbl_tempfail_alone|34|192.0.2.88|$H;$M;$R
data_defer_if_permit|35|1.2.3.4|$H;$M;$R;DATA
tempfail_action_defer_helo|36|1.2.3.4|HELO fail.test;MAIL FROM:<rej@example.org>;$R
tempfail_action_defer_sender|37|1.2.3.4|$H;MAIL FROM:<u@fail2.test>;$R
unlisted_virtual_mailbox|0|1.2.3.4|$H;$M;RCPT TO:<box@vmail.test>;RCPT TO:<nobox@vmail.test>
unlisted_virtual_alias|0|1.2.3.4|$H;$M;RCPT TO:<alias@valias.test>;RCPT TO:<noalias@valias.test>
unlisted_relay_recipient|0|1.2.3.4|$H;$M;RCPT TO:<known@relay.test>;RCPT TO:<unknown@relay.test>
unlisted_routing|0|1.2.3.4|$H;$M;RCPT TO:<user%other.example@example.test>
rhsbl_reverse_client|39|192.0.2.99|$H;$M;$R
rhsbl_reverse_client_none|39|192.0.2.77|$H;$M;$R
client_access_parent|40|1.2.3.4|$H;$M;$R
access_case_insensitive|29|1.2.3.4|$H;MAIL FROM:<REJ@Example.ORG>;$R
access_sender_extension|41|1.2.3.4|$H;MAIL FROM:<rej+tag@example.org>;$R
access_helo_parent|42|1.2.3.4|HELO mx.client1.example.org;$M;$R
login_mismatch_without_sasl|23|1.2.3.4|$H;MAIL FROM:<owned@example.org>;$R
pipelining_without_ehlo|22|1.2.3.4|HELO client1.example.org;$M<P>$R;RCPT TO:<user@example.test>
warn_if_reject|16|1.2.3.4|$H;$M;$R
unknown_client_tempfail_then_reject|17|192.0.2.88|$H;MAIL FROM:<rej@example.org>;$R
unknown_client_then_reject|17|192.0.2.77|$H;MAIL FROM:<rej@example.org>;$R
helo_checks_in_rcpt_bare_ip|19|1.2.3.4|HELO 1.2.3.5;$M;$R
helo_checks_in_rcpt_nx|19|1.2.3.4|HELO nx.example.org;$M;$R
helo_checks_in_rcpt_nodot|19|1.2.3.4|HELO nodot;$M;$R
unlisted_rcpt_restriction|18|1.2.3.4|$H;$M;RCPT TO:<nouser@example.test>
mail_bad_option_esmtp|0|1.2.3.4|$H;MAIL FROM:<s@example.org> FOO=bar;MAIL FROM:<s@example.org> FOO;MAIL FROM:<s@example.org> SIZE=abc
mail_option_after_helo|0|1.2.3.4|HELO client1.example.org;MAIL FROM:<s@example.org> SIZE=100
rcpt_bad_option|0|1.2.3.4|$H;$M;RCPT TO:<root@example.test> BAR=1
CASES

netns_run $NS python3 "$TOPDIR/tests/smtpd/smtp_cases.py" $SRV 2600 "$T/cases" >"$T/postfix.out" 2>&1
netns_run $NS python3 "$TOPDIR/tests/smtpd/smtp_cases.py" $SRV 2500 "$T/cases" >"$T/hato.out" 2>&1
if [ "$(grep -c . "$T/postfix.out")" -lt 10 ] || grep -q '(error\|no greeting' "$T/postfix.out"; then
	t_fail "the private Postfix answers" "$(head -5 "$T/postfix.out")" "$(tail -5 "$PF/maillog" 2>/dev/null)"
fi
while IFS= read -r want; do
	name=${want%%: *}
	got=$(grep -m1 "^$name: " "$T/hato.out")
	if [ "$got" = "$want" ]; then t_ok "$name: hato answers as Postfix (${want#*: })"
	else t_fail "$name: hato answers as Postfix" "Postfix: ${want#*: }" "hato:    ${got#*: }"; fi
done <"$T/postfix.out"
# the log lines: "NOQUEUE: reject: STAGE from CLIENT: REPLY; from=<> to=<> ..."
# (NOQUEUE or the queue ID: hato names the queue file at DATA, Postfix at RCPT)
rejects() { sed -n 's/.*: [0-9A-Za-z]*: \(reject\(_warning\)\{0,1\}: .*\)/ID: \1/p' "$1" | sort; }
rejects "$PF/maillog" >"$T/pf.rej"; rejects "$I/maillog" >"$T/hato.rej"
t_expect "the reject log lines are Postfix's, one for one" "" diff "$T/pf.rej" "$T/hato.rej"
exit 0
