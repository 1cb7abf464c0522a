#!/usr/bin/env bash
# plaintext.sh - disable_plaintext_auth for an IMAP client that is not on
# this host (a network namespace with 192.0.2.10 for hato and 192.0.2.20
# for the client): the greeting says LOGINDISABLED and hides AUTH=PLAIN,
# LOGIN gets Dovecot's [ALERT] and [PRIVACYREQUIRED] answers, AUTHENTICATE
# PLAIN the latter; after STARTTLS both are offered and LOGIN works; with
# disable_plaintext_auth = no, LOGIN works in the clear.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imapd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/netns.sh"
NS=hatoimap$$ SRV=192.0.2.10 CLI=192.0.2.20
trap 'netns_run $NS "$HATO" -c "$I" stop >/dev/null 2>&1; netns_down_all; inst_cleanup' EXIT

U=hlimap5 PW=Imap-pass-5
t_check "a namespace with a server and a client address" netns_up $NS $SRV $CLI
t_check "an instance configured" imap_configure $U $PW
echo "$SRV:$IMAP_PORT inet n - n - - imapd" >>"$I/master.cf"
t_check "hato starts in the namespace" netns_run $NS "$HATO" -c "$I" start
inst_wait bash -c "ip netns exec $NS ss -Hltn 'sport = :$IMAP_PORT' | grep -q '$SRV'"

hs() { netns_run $NS python3 "$TOPDIR/tests/imapd/session.py" --source $CLI $SRV $IMAP_PORT "$@"; }
caps="IMAP4rev1 IMAP4rev2 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+"
hs "a LOGIN $U $PW\\r\\n" "b AUTHENTICATE PLAIN\\r\\n" >"$T/clear.out" 2>&1
t_check "in the clear from another host: LOGINDISABLED, no AUTH=PLAIN" \
	grep -qxF "* OK [CAPABILITY $caps STARTTLS LOGINDISABLED] hato ready." "$T/clear.out"
t_check "...LOGIN gets Dovecot's alert" grep -qxF "* BAD [ALERT] Plaintext authentication not allowed without SSL/TLS, but your client did it anyway. If anyone was listening, the password was exposed." "$T/clear.out"
t_check "...and Dovecot's NO" grep -qxF "a NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections." "$T/clear.out"
t_check "...and so does AUTHENTICATE PLAIN" grep -qxF "b NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections." "$T/clear.out"
hs 'a STARTTLS\r\n' '<STARTTLS>' 'b CAPABILITY\r\n' "c LOGIN $U $PW\\r\\n" >"$T/tls.out" 2>&1
t_check "after STARTTLS: AUTH=PLAIN, no LOGINDISABLED" grep -qxF "* CAPABILITY $caps AUTH=PLAIN" "$T/tls.out"
t_check "...and LOGIN logs in" grep -q "^c OK \[CAPABILITY .*\] Logged in$" "$T/tls.out"
inst_set "disable_plaintext_auth = no"
netns_run $NS "$HATO" -c "$I" reload >/dev/null 2>&1
sleep 1
hs "a LOGIN $U $PW\\r\\n" >"$T/plain.out" 2>&1
t_check "disable_plaintext_auth = no: LOGIN works in the clear" grep -q "^a OK \[CAPABILITY .*\] Logged in$" "$T/plain.out"
