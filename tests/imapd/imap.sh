#!/usr/bin/env bash
# imap.sh - the guide's IMAP flow with stock clients on a system user
# (useradd) whose mail hato delivered: Python's imaplib lists, reads,
# flags, copies, moves and expunges; curl imap:// lists and fetches; the
# same over STARTTLS and imaps.  (mutt, mbsync and fetchmail: clients.sh.)
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hlimap1 PW=Imap-pass-1
t_check "an instance with imapd, imaps and local delivery starts" imap_instance $U $PW
t_check "3 messages sent through smtpd reach ~/Maildir/new" pop3_send 3

cat >"$T/flow.py" <<'PY'
import imaplib, sys
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = imaplib.IMAP4("127.0.0.1", port)
print("login", m.login(user, pw)[0])
typ, data = m.list()
print("list", typ, sorted(l.decode().split(' "." ')[1] for l in data))
typ, data = m.select("INBOX")
print("select", typ, data[0].decode())
typ, data = m.search(None, "ALL")
print("search", data[0].decode())
typ, data = m.fetch("1:*", "(UID FLAGS RFC822.SIZE)")
print("fetch-n", len(data))
typ, data = m.fetch("1", "(BODY.PEEK[])")
body = data[0][1]
print("peek", b"Subject: pop3 test" in body, body.count(b"\r\n") == body.count(b"\n"))
typ, data = m.fetch("1", "(FLAGS)")
print("peek-flags", data[0].decode())
typ, data = m.fetch("2", "(RFC822)")
typ, data = m.fetch("2", "(FLAGS)")
print("rfc822-flags", data[0].decode())
print("store", m.store("3", "+FLAGS", "(\\Flagged $Work)")[1][0].decode())
print("create", m.create("Projects")[0])
print("copy", m.copy("1", "Projects")[1][0].decode())
print("move", m._simple_command("MOVE", "2", "Archive")[0])
print("after-move", m.select("INBOX")[1][0].decode())
print("store-del", m.store("1", "+FLAGS", "\\Deleted")[0])
typ, data = m.expunge()
print("expunge", typ, data)
print("status", m.status("Projects", "(MESSAGES UIDNEXT UNSEEN)")[1][0].decode())
print("status-archive", m.status("Archive", "(MESSAGES)")[1][0].decode())
typ, data = m.append("Projects", "(\\Seen $Label1)", None, b"Subject: appended\r\n\r\nhello\r\n")
print("append", typ, data[0].decode())
m.append("Trash", "($Other)", None, b"Subject: other\r\n\r\nx\r\n")
m.select("INBOX")
print("copy-kw", m.copy("1", "Trash")[0])
print("rename-inbox", m.rename("INBOX", "Old-Inbox")[0])
print("after-rename", m.status("INBOX", "(MESSAGES)")[1][0].decode(), m.status("Old-Inbox", "(MESSAGES)")[1][0].decode())
print("logout", m.logout()[0])
PY
python3 "$T/flow.py" $IMAP_PORT $U $PW >"$T/flow.out" 2>&1
t_check "imaplib: LOGIN" grep -qx "login OK" "$T/flow.out"
t_check "imaplib: LIST has INBOX and the SPECIAL-USE folders made at login" \
	grep -qx "list OK \['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'\]" "$T/flow.out"
t_check "imaplib: SELECT INBOX: 3 messages" grep -qx "select OK 3" "$T/flow.out"
t_check "imaplib: SEARCH ALL" grep -qx "search 1 2 3" "$T/flow.out"
t_check "imaplib: FETCH 1:* (UID FLAGS RFC822.SIZE) answers each" grep -qx "fetch-n 3" "$T/flow.out"
t_check "imaplib: BODY.PEEK[] is the message with CRLF line ends" grep -qx "peek True True" "$T/flow.out"
t_check "...and leaves it unseen" grep -qx '1 (FLAGS (\\Recent))' <(sed -n 's/^peek-flags //p' "$T/flow.out")
t_check "imaplib: RFC822 sets \\Seen" grep -q '^rfc822-flags 2 (FLAGS (\\Seen' "$T/flow.out"
t_check "imaplib: STORE +FLAGS (\\Flagged \$Work) answers the new flags" \
	grep -q '^store 3 (FLAGS (\\Flagged \$Work' "$T/flow.out"
t_check "...and the file name carries F and a keyword letter (moved with INBOX's rename)" bash -c "ls '$INST_HOME/Maildir/.Old-Inbox/cur' | grep -q ':2,Fa\$'"
t_check "...whose keyword the renamed folder knows" grep -qx '0 \$Work' "$INST_HOME/Maildir/.Old-Inbox/dovecot-keywords"
t_check "...and dovecot-keywords names it" grep -qx '0 \$Work' "$INST_HOME/Maildir/dovecot-keywords"
t_check "imaplib: CREATE Projects" grep -qx "create OK" "$T/flow.out"
t_check "imaplib: COPY answers COPYUID" grep -q '^copy \[COPYUID [0-9]* 1 1\] Copy completed' "$T/flow.out"
t_check "imaplib: MOVE" grep -qx "move OK" "$T/flow.out"
t_check "...INBOX has 2 left" grep -qx "after-move 2" "$T/flow.out"
t_check "imaplib: EXPUNGE of a \\Deleted message" grep -qx "expunge OK \[b'1'\]" "$T/flow.out"
t_check "imaplib: STATUS Projects" grep -q '^status "\?Projects"\? (MESSAGES 1 UIDNEXT 2 UNSEEN 1)' "$T/flow.out"
t_check "imaplib: STATUS Archive has the moved message" grep -q '(MESSAGES 1)' <(grep '^status-archive' "$T/flow.out")
t_check "imaplib: APPEND answers APPENDUID" grep -q '^append OK \[APPENDUID [0-9]* 2\]' "$T/flow.out"
t_check "...with its keyword: a letter in the file name, named in the folder's dovecot-keywords" \
	bash -c "ls '$INST_HOME/Maildir/.Projects/cur' | grep -q ':2,Sa\$' && grep -qx '0 \$Label1' '$INST_HOME/Maildir/.Projects/dovecot-keywords'"
t_check "COPY of a message with a keyword: the target folder's letter for that name" \
	bash -c "grep -qx '0 \$Other' '$INST_HOME/Maildir/.Trash/dovecot-keywords' && grep -qx '1 \$Work' '$INST_HOME/Maildir/.Trash/dovecot-keywords' && ls '$INST_HOME/Maildir/.Trash/cur' | grep -q ':2,Fb\$'"
t_check "imaplib: RENAME INBOX moves its messages to a new folder" grep -qx "rename-inbox OK" "$T/flow.out"
t_check "...and INBOX stays, empty (RFC 9051 6.3.6)" grep -qx 'after-rename INBOX (MESSAGES 0) "\?Old-Inbox"\? (MESSAGES 1)' "$T/flow.out"
t_check "imaplib: LOGOUT" grep -qx "logout BYE" "$T/flow.out"
t_expect "INBOX's files: none left after the rename" 0 bash -c "ls '$INST_HOME/Maildir/cur' '$INST_HOME/Maildir/new' | grep -c ','"
t_expect "Projects has the copy and the appended message, in cur/" 2 bash -c "ls '$INST_HOME/Maildir/.Projects/cur' | wc -l"

t_check "one more message delivered, for curl" pop3_send 1
url=imap://$U:$PW@127.0.0.1:$IMAP_PORT
t_check "curl imap:// lists INBOX" bash -c "curl -s '$url/' | grep -q 'INBOX'"
t_check "curl imap:///INBOX;UID=N fetches a message" bash -c \
	"uid=\$(curl -s '$url/INBOX' -X 'UID SEARCH ALL' | tr -d '\r' | awk '{print \$3}'); curl -s \"$url/INBOX;UID=\$uid\" | grep -q '^Subject: pop3 test'"
t_check "curl --ssl-reqd (STARTTLS) lists INBOX" bash -c "curl -s -k --ssl-reqd '$url/' | grep -q INBOX"
t_check "curl imaps:// lists INBOX" bash -c "curl -s -k 'imaps://$U:$PW@127.0.0.1:$IMAPS_PORT/' | grep -q INBOX"
cat >"$T/tls.py" <<'PY'
import imaplib, ssl, sys
port, sport, user, pw = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
for name, m in (("starttls", None), ("imaps", imaplib.IMAP4_SSL("127.0.0.1", sport, ssl_context=ctx))):
    if m is None:
        m = imaplib.IMAP4("127.0.0.1", port)
        m.starttls(ssl_context=ctx)
    m.login(user, pw)
    n = m.select("INBOX")[1][0].decode()
    typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    print(name, n, data[0][1].decode().strip())
    m.logout()
PY
python3 "$T/tls.py" $IMAP_PORT $IMAPS_PORT $U $PW >"$T/tls.out" 2>&1
t_check "imaplib over STARTTLS: login, SELECT, FETCH" grep -q "^starttls 1 Subject: pop3 test" "$T/tls.out"
t_check "imaplib over imaps: login, SELECT, FETCH" grep -q "^imaps 1 Subject: pop3 test" "$T/tls.out"
printf 'a LOGIN %s %s\r\nb SELECT INBOX\r\nc LOGOUT\r\n' $U $PW >"$T/stls.in"
(sleep 1; cat "$T/stls.in"; sleep 2) | timeout 10 openssl s_client -quiet -starttls imap -connect 127.0.0.1:$IMAP_PORT >"$T/stls.out" 2>/dev/null
t_check "openssl s_client -starttls imap: logged in over TLS" grep -q '^a OK' "$T/stls.out"
t_check "...SELECT answers" grep -q '^b OK \[READ-WRITE\]' "$T/stls.out"
inst_stop
