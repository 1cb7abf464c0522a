#!/usr/bin/env bash
# imapd/session_log.sh - one session id per client in the log: an IMAP
# login's lines in imapd (the login process), authd and imapmail (the
# mail process) end with the same ", session=<ID>" (as Dovecot's), a
# failed login's with another; a POP3 session the same across pop3d,
# authd and pop3mail; `hato log ID` prints exactly a session's lines.
# With maillog_format = json the lines carry "session", smtpd's too (its
# text lines stay Postfix's, without one), and `hato log` of an SMTP
# session's id follows the message it queued through cleanup, qmgr and
# local.  Clients: Python's imaplib and poplib, swaks.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "session log tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
trap 'inst_cleanup' EXIT

U=hlslog1 PW=Slog-pass-1
t_check "an instance with imapd and pop3d starts" imap_instance $U $PW "auth_failure_delay = 0"
t_check "one message delivered" pop3_send 1

# in_session ID ERE - a maillog line ending with ID's session matches ERE
# (the id is base64: + and / are no ERE for it)
in_session() { grep -F ", session=<$1>" "$I/maillog" | grep -qE "$2"; }
# sid_of PATTERN - the session id ending the maillog line that matches
sid_of() { grep -E "$1" "$I/maillog" | tail -1 | sed -n 's/.*, session=<\([A-Za-z0-9+/]*\)>$/\1/p'; }

python3 - "$IMAP_PORT" $U "$PW" <<'PY' >"$T/imap.out" 2>&1
import imaplib, sys
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = imaplib.IMAP4("127.0.0.1", port)
m.login(user, pw)
m.select("INBOX")
m.noop()
m.logout()
m = imaplib.IMAP4("127.0.0.1", port)
try:
    m.login(user, "wrong-" + pw)
except imaplib.IMAP4.error:
    print("refused")
m.logout()
PY
t_check "imaplib: a login and a refused one" grep -qx refused "$T/imap.out"
t_check "...imapmail logs the end of the session" \
	inst_wait grep -q "hato/imapmail\[[0-9]*\]: user $U: disconnected" "$I/maillog"
ok=$(sid_of "hato/imapmail\[[0-9]+\]: user $U: logged in")
t_check "imapmail's login line ends with a session id" test ${#ok} = 16
t_check "...authd's auth ok line has the same one" \
	in_session "$ok" "hato/authd\[[0-9]+\]: auth ok: user=<$U>, .*service=imap"
t_check "...and so has the disconnect line" \
	in_session "$ok" "hato/imapmail\[[0-9]+\]: user $U: disconnected: "
t_check "...and authd's token line" \
	in_session "$ok" "hato/authd\[[0-9]+\]: login token redeemed: user=<$U>, service=imap"
bad=$(sid_of "hato/authd\[[0-9]+\]: warning: auth failed: user=<$U>, .*service=imap")
t_check "the refused login has a session id of its own" test ${#bad} = 16 -a "$bad" != "$ok"

"$HATO" -c "$I" log "$ok" >"$T/log.out" 2>"$T/log.err"
t_expect "hato log ID prints exactly the session's lines, in order" "" \
	bash -c "grep -F ', session=<$ok>' '$I/maillog' | diff - '$T/log.out'"
t_check "...which come from authd and imapmail" \
	bash -c "grep -q 'hato/authd\[' '$T/log.out' && grep -q 'hato/imapmail\[' '$T/log.out'"

python3 - "$POP3_PORT" $U "$PW" <<'PY' >"$T/pop.out" 2>&1
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]))
p.user(sys.argv[2]); p.pass_(sys.argv[3])
print("messages", p.stat()[0])
p.quit()
PY
t_check "poplib: a POP3 session" grep -qx "messages 1" "$T/pop.out"
t_check "...pop3mail logs its end" \
	inst_wait grep -q "hato/pop3mail\[[0-9]*\]: user $U: disconnected" "$I/maillog"
pop=$(sid_of "hato/pop3mail\[[0-9]+\]: user $U: logged in")
t_check "pop3mail's login line has a new session id" test ${#pop} = 16 -a "$pop" != "$ok"
t_check "...authd's auth ok line has the same" \
	in_session "$pop" "hato/authd\[[0-9]+\]: auth ok: user=<$U>, .*service=pop3"
t_check "...and so has pop3mail's end" in_session "$pop" "hato/pop3mail\[[0-9]+\]: user $U: disconnected: "
t_check "smtpd's text lines stay Postfix's: no session" \
	bash -c "grep 'hato/smtpd\[' '$I/maillog' | grep -q 'connect from' && ! grep 'hato/smtpd\[' '$I/maillog' | grep -q session"

inst_set "maillog_format = json"
"$HATO" -c "$I" reload >/dev/null 2>&1
sleep 1
qid=$(inst_send sender@example.test "$U@localhost" "json session")
t_check "a message queued after the switch to JSON" test -n "$qid"
inst_wait grep -q "\"queue_id\":\"$qid\",.*\"message\":\"$qid: removed\"" "$I/maillog"
smtp=$(grep -F "\"queue_id\":\"$qid\"" "$I/maillog" | grep '"program":"hato/smtpd"' | head -1 |
	sed -n 's/.*"session":"\([A-Za-z0-9+/]*\)".*/\1/p')
t_check "smtpd's JSON line about the message carries the SMTP session's id" test ${#smtp} = 16
t_check "...as does its connect line" \
	grep -qF "\"session\":\"$smtp\",\"message\":\"connect from" "$I/maillog"
"$HATO" -c "$I" log "$smtp" >"$T/smtp.out" 2>&1
t_check "hato log SESSION follows the message: cleanup, qmgr, local, removed" \
	bash -c "grep -q '\"program\":\"hato/cleanup\".*$qid' '$T/smtp.out' &&
		 grep -q '\"program\":\"hato/local\".*status=sent' '$T/smtp.out' &&
		 tail -1 '$T/smtp.out' | grep -q '$qid: removed'"
t_check "...and starts with the session's connect line" \
	bash -c "head -1 '$T/smtp.out' | grep -q 'connect from'"
python3 - "$IMAP_PORT" $U "$PW" <<'PY' >"$T/imap2.out" 2>&1
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3]); m.logout(); print("done")
PY
inst_wait bash -c "grep -q '\"program\":\"hato/imapmail\".*disconnected' '$I/maillog'"
js=$(grep '"program":"hato/imapmail"' "$I/maillog" | grep 'logged in' | tail -1 |
	sed -n 's/.*"session":"\([A-Za-z0-9+/]*\)".*/\1/p')
t_check "JSON: imapmail's and authd's lines of an IMAP login carry one session" \
	bash -c "[ ${#js} = 16 ] && grep '\"program\":\"hato/authd\"' '$I/maillog' | grep -qF '\"session\":\"$js\"'"
