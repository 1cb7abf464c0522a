#!/usr/bin/env bash
# login.sh - imapd before login, side by side with a private Dovecot 2.3
# (tests/lib/dovecot.sh) where a client sees the words: the greeting and
# CAPABILITY (before and after STARTTLS), NOOP, ID, LOGOUT, LOGIN right
# and wrong (also with literals), AUTHENTICATE PLAIN with and without
# SASL-IR, "*" to cancel, an unknown mechanism, broken base64, a command
# of a later state; a command pipelined behind LOGIN is answered by the
# mail process; imaps; curl imap:// (clear, STARTTLS, imaps) and Python's
# imaplib.  Differences kept from Dovecot: IMAP4rev2 is announced,
# ENABLE before login is BAD (Dovecot answers OK and ignores it).
# LOGINDISABLED: plaintext.sh.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imapd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
. "$TOPDIR/tests/lib/imap_oracle.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlimap2 PW=Imap-pass-2
t_check "an instance with imapd and imaps starts" imap_instance $U $PW "auth_mechanisms = plain login" "auth_client_failure_limit = 0"
t_check "one message delivered" pop3_send 1
t_check "a private Dovecot (the oracle) starts" oracle_start
DS_QUIET=16	# Dovecot delays failed logins from one address by up to 15 s
caps="IMAP4rev1 IMAP4rev2 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+"
plain=$(printf '\0%s\0%s' $U "$PW" | base64 -w0)

hs 'a CAPABILITY\r\n' >"$T/cap.out"
t_expect "the greeting: CAPABILITY and login_greeting" \
	"* OK [CAPABILITY $caps STARTTLS AUTH=PLAIN AUTH=LOGIN] hato ready." head -1 "$T/cap.out"
t_check "CAPABILITY lists the same" grep -qxF "* CAPABILITY $caps STARTTLS AUTH=PLAIN AUTH=LOGIN" "$T/cap.out"
same "CAPABILITY's tagged OK is Dovecot's" '^a ' 'a CAPABILITY\r\n'
hs 'a STARTTLS\r\n' '<STARTTLS>' 'b CAPABILITY\r\n' >"$T/tls.out"
t_check "STARTTLS: Dovecot's OK" grep -qx "a OK Begin TLS negotiation now." "$T/tls.out"
t_check "...after it CAPABILITY has no STARTTLS" \
	grep -qxF "* CAPABILITY $caps AUTH=PLAIN AUTH=LOGIN" "$T/tls.out"
hs 'a STARTTLS\r\n' '<STARTTLS>' 'b STARTTLS\r\n' >"$T/tls2.out"
t_check "...and a second STARTTLS is BAD" grep -qx "b BAD TLS is already active." "$T/tls2.out"
same "NOOP: Dovecot's answer" '^a ' 'a NOOP\r\n'
same "LOGOUT: Dovecot's tagged answer" '^a ' 'a LOGOUT\r\n'
hs 'a LOGOUT\r\n' '<EXPECT-NOTHING>' >"$T/logout.out"
t_check "...after * BYE Logging out, and the connection closes" \
	bash -c "grep -qx '\* BYE Logging out' '$T/logout.out' && tail -1 '$T/logout.out' | grep -qx '\[closed\]'"
hs 'a ID ("name" "test" "version" NIL)\r\n' >"$T/id.out"
t_check "ID: * ID (\"name\" \"hato\")" grep -qxF '* ID ("name" "hato")' "$T/id.out"
same "...and Dovecot's tagged OK" '^a ' 'a ID ("name" "test" "version" NIL)\r\n'
same "ID with a nested list: Dovecot's BAD" '^a ' 'a ID (("x"))\r\n'
same "SELECT before login: Dovecot's BAD" '^a ' 'a SELECT INBOX\r\n'
hs 'a ENABLE CONDSTORE\r\n' >"$T/enable.out"
t_check "ENABLE before login is BAD (wrong state)" grep -q "^a BAD " "$T/enable.out"

hs "a1 LOGIN $U $PW\\r\\n" 'a2 SELECT INBOX\r\n' >"$T/login.out"
t_check "LOGIN: the mail process answers the same tag with its capabilities" \
	grep -q "^a1 OK \[CAPABILITY IMAP4rev1 .*\] Logged in$" "$T/login.out"
t_check "...and SELECT works after it" grep -q "^a2 OK \[READ-WRITE\]" "$T/login.out"
same "LOGIN with a wrong password: Dovecot's NO" '^a ' 'a LOGIN nosuchuser wrong-password\r\n'
hs "a1 LOGIN {${#U}}\\r\\n" "$U {${#PW}+}\\r\\n$PW\\r\\n" >"$T/literal.out"
t_check "LOGIN with a {n} literal: + OK" grep -qx "+ OK" "$T/literal.out"
t_check "...and a {n+} literal: logged in" grep -q "^a1 OK \[CAPABILITY .*\] Logged in$" "$T/literal.out"
hs "a1 LOGIN $U $PW\\r\\nb1 NOOP\\r\\n" >"$T/pipe.out"
t_check "a command pipelined behind LOGIN is answered by the mail process" \
	bash -c "grep -q '^a1 OK ' '$T/pipe.out' && sed -n '/^a1 OK/,\$p' '$T/pipe.out' | grep -q '^b1 OK'" ||
	sleep 0

hs "a AUTHENTICATE PLAIN $plain\\r\\n" >"$T/ir.out"
t_check "AUTHENTICATE PLAIN with SASL-IR logs in" grep -q "^a OK \[CAPABILITY .*\] Logged in$" "$T/ir.out"
hs 'a AUTHENTICATE PLAIN\r\n' "$plain\\r\\n" >"$T/cont.out"
t_check "AUTHENTICATE PLAIN without it: an empty challenge" grep -qx "+ " "$T/cont.out"
t_check "...then logged in" grep -q "^a OK \[CAPABILITY .*\] Logged in$" "$T/cont.out"
same "* cancels an exchange: Dovecot's BAD" '^a ' 'a AUTHENTICATE PLAIN\r\n' '*\r\n'
same "a wrong password through AUTHENTICATE: Dovecot's NO" '^a ' \
	"a AUTHENTICATE PLAIN $(printf '\0nosuchuser\0wrong' | base64 -w0)\\r\\n"
same "an unknown mechanism: Dovecot's NO" '^a ' 'a AUTHENTICATE X-NOSUCH\r\n'
same "an initial response that is not base64: Dovecot's BAD" '^a ' 'a AUTHENTICATE PLAIN !!!\r\n'
same "AUTHENTICATE without a mechanism: Dovecot's BAD" '^a ' 'a AUTHENTICATE\r\n'
same "a response that is not base64: Dovecot's NO" '^a ' 'a AUTHENTICATE PLAIN\r\n' '%%%not-base64\r\n'
hs 'a AUTHENTICATE LOGIN\r\n' "$(printf %s $U | base64 -w0)\\r\\n" "$(printf %s "$PW" | base64 -w0)\\r\\n" >"$T/alogin.out"
t_check "AUTHENTICATE LOGIN: two challenges, then logged in" \
	bash -c "[ \$(grep -c '^+ ' '$T/alogin.out') = 2 ] && grep -q '^a OK \[CAPABILITY' '$T/alogin.out'"

python3 "$TOPDIR/tests/imapd/session.py" --tls 127.0.0.1 $IMAPS_PORT 'a CAPABILITY\r\n' \
	"b LOGIN $U $PW\\r\\n" >"$T/imaps.out"
t_check "imaps: the greeting offers no STARTTLS" \
	grep -qxF "* OK [CAPABILITY $caps AUTH=PLAIN AUTH=LOGIN] hato ready." "$T/imaps.out"
t_check "...and LOGIN works" grep -q "^b OK \[CAPABILITY .*\] Logged in$" "$T/imaps.out"

url=imap://$U:$PW@127.0.0.1
t_check "curl imap:// lists INBOX" bash -c "curl -s '$url:$IMAP_PORT/' | grep -q 'INBOX'"
t_check "curl --ssl-reqd (STARTTLS) lists INBOX" bash -c "curl -sk --ssl-reqd '$url:$IMAP_PORT/' | grep -q INBOX"
t_check "curl imaps:// lists INBOX" bash -c "curl -sk 'imaps://$U:$PW@127.0.0.1:$IMAPS_PORT/' | grep -q INBOX"
t_check "curl imap:// with a wrong password fails" \
	bash -c "! curl -s 'imap://$U:wrong@127.0.0.1:$IMAP_PORT/' >/dev/null"
cat >"$T/lib.py" <<'PY'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
print("caps", "IMAP4REV1" in m.capabilities and "STARTTLS" in m.capabilities)
print("login", m.login(sys.argv[2], sys.argv[3])[0])
print("select", m.select("INBOX")[0])
print("logout", m.logout()[0])
PY
python3 "$T/lib.py" $IMAP_PORT $U "$PW" >"$T/lib.out" 2>&1
t_expect "Python imaplib: capabilities, login, select, logout" \
	"caps True login OK select OK logout BYE" bash -c "tr '\n' ' ' <'$T/lib.out' | sed 's/ $//'"
t_check_fail "the log names no password" grep -qF "$PW" "$I/maillog"
t_check_fail "imapd logged no crash" grep -qE "imapd.*(panic|fatal|signal|sanitizer)" "$I/maillog"
