#!/usr/bin/env bash
# mail_hostile.sh - a logged-in client (or a hostile Maildir) against
# imapmail: mailbox names that would leave the Maildir or hide files, a
# symbolic link in cur/ to another user's file (never read), a literal
# over APPENDLIMIT (refused unread), deep nesting, huge sets, more
# keywords than letters, a stream of bad commands, and the per user+IP
# session limit: clean NO/BAD/BYE, no crash, nothing outside read.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hlimap4 PW=Imap-pass-4
t_check "an instance with imapd starts (APPENDLIMIT 100000, 2 sessions per user+IP)" \
	imap_instance $U $PW "message_size_limit = 100000" "mail_max_userip_connections = 2"
t_check "2 messages delivered" pop3_send 2
dialog() { python3 "$TOPDIR/tests/imapd/dialog.py" 127.0.0.1 $IMAP_PORT "a LOGIN $U $PW" "$@"; }

dialog "b CREATE ../x" "c CREATE a/b" "d CREATE .hidden" "e CREATE ~root" "f CREATE a..b" \
	"g CREATE &Jjo" "h SELECT ../../etc" "l CREATE &AAE-" "i CREATE x." "j LIST \"\" *" "k LOGOUT" >"$T/names.out"
for t in b c d e f g h l; do
	t_check "mailbox name refused: $(grep -m1 "^$t " "$T/names.out" | cut -c1-60)" grep -q "^$t NO " "$T/names.out"
done
t_check "CREATE x. (a trailing separator) makes x" grep -q '^i OK' "$T/names.out"
t_check "...and nothing was made outside the Maildir or hidden" \
	bash -c "[ ! -e '$INST_HOME/x' ] && [ ! -e '$INST_HOME/Maildir/..x' ] && [ ! -e '$INST_HOME/Maildir/..hidden' ] && [ -d '$INST_HOME/Maildir/.x' ]"

secret=$T/secret
echo "Subject: secret of another user" >"$secret"
chmod 644 "$secret"
ln -s "$secret" "$INST_HOME/Maildir/cur/9999999999.M1P1.evil:2,"
dialog "b SELECT INBOX" "c FETCH 1:* (BODY[])" "d LOGOUT" >"$T/link.out"
t_check "a symbolic link in cur/ is not a message" grep -q '^\* 2 EXISTS' "$T/link.out"
t_check "...and its target is never read" bash -c "! grep -q 'secret of another user' '$T/link.out'"

python3 - $IMAP_PORT $U $PW >"$T/lit.out" 2>&1 <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10); f = s.makefile("rb")
f.readline()
s.sendall(b"a LOGIN %s %s\r\n" % (sys.argv[2].encode(), sys.argv[3].encode())); f.readline()
s.sendall(b"b APPEND INBOX {200000}\r\n")
print("big", f.readline().decode().strip())
s.sendall(b"c SEARCH " + b"(" * 500 + b"ALL" + b")" * 500 + b"\r\n")
print("deep", f.readline().decode().strip()[:60])
s.sendall(b"d SELECT INBOX\r\n")
while not f.readline().startswith(b"d "): pass
s.sendall(b"e FETCH " + b",".join(b"%d" % i for i in range(1, 10000)) + b" (UID)\r\n")
l = f.readline()
while l.startswith(b"* "): l = f.readline()
print("set", l.decode().strip())
kw = b" ".join(b"kw%d" % i for i in range(30))
s.sendall(b"f STORE 1 +FLAGS (" + kw + b")\r\n")
l = f.readline()
while l.startswith(b"* "): l = f.readline()
print("keywords", l.decode().strip())
s.sendall(b"".join(b"g%d NONSENSE\r\n" % i for i in range(25)))
last = b""
while True:
    l = f.readline()
    if not l: break
    last = l
print("bad", last.decode().strip())
PY
t_check "a literal over APPENDLIMIT is refused without its '+'" grep -q '^big b \(NO\|BAD\)' "$T/lit.out"
t_check "500 nested parentheses: a clean BAD" grep -q '^deep c BAD' "$T/lit.out"
t_check "a set of 10000 numbers (48 KB): answered" grep -q '^set e OK' "$T/lit.out"
t_check "30 new keywords, 26 letters: NO, not a crash" grep -q '^keywords f NO' "$T/lit.out"
t_check "25 unknown commands end with BYE" grep -q '^bad \* BYE Too many invalid IMAP commands' "$T/lit.out"

python3 - $IMAP_PORT $U $PW >"$T/issue.out" 2>&1 <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 20); f = s.makefile("rb")
f.readline()
s.sendall(b"a LOGIN %s %s\r\n" % (sys.argv[2].encode(), sys.argv[3].encode())); f.readline()
def ask(line, tag):
    s.sendall(line)
    while True:
        l = f.readline()
        if not l or l.startswith(tag + b" ") or l.startswith(b"* BYE"):
            return l.decode(errors="replace").strip()
print("state", ask(b"b FETCH 1 FLAGS\r\n", b"b"))
print("huge", ask(b"c APPEND INBOX {4294967295}\r\n", b"c"))
print("parens", ask(b"d SEARCH " + b"(" * 100000 + b"ALL" + b")" * 100000 + b"\r\n", b"d"))
print("nul", ask(b'e CREATE "a\x00b"\r\n', b"e"))
print("select", ask(b"f SELECT INBOX\r\n", b"f"))
print("range", ask(b"g FETCH 1:4294967295 (UID)\r\n", b"g"))
print("uidrange", ask(b"h UID FETCH 1:4294967295 (UID)\r\n", b"h"))
# a {10+} literal that carries more than 10 bytes: the rest is the next
# line, read as a command of its own
print("overrun", ask(b"i APPEND Drafts {10+}\r\n0123456789abcdefgh\r\nj NOOP\r\n", b"j"))
print("alive", ask(b"k NOOP\r\n", b"k"))
PY
t_check "FETCH before SELECT: BAD" grep -q '^state b BAD' "$T/issue.out"
t_check "a {4294967295} literal: refused, no continuation" grep -q '^huge c \(BAD\|NO\)' "$T/issue.out"
t_check "100,000 nested parentheses after login: BAD" grep -q '^parens d BAD' "$T/issue.out"
t_check "NUL in a quoted string: BAD" grep -q '^nul e BAD' "$T/issue.out"
t_check "FETCH 1:4294967295: answered" grep -q '^range g OK' "$T/issue.out"
t_check "UID FETCH 1:4294967295: answered" grep -q '^uidrange h OK' "$T/issue.out"
t_check "a {10+} literal that overruns: the rest is a line of its own, the session goes on" \
	grep -q '^overrun j OK' "$T/issue.out"
t_check "...and answers after it" grep -q '^alive k OK' "$T/issue.out"

python3 - $IMAP_PORT $U $PW >"$T/limit.out" 2>&1 <<'PY'
import imaplib, sys
port, u, p = int(sys.argv[1]), sys.argv[2], sys.argv[3]
a = imaplib.IMAP4("127.0.0.1", port); a.login(u, p)
b = imaplib.IMAP4("127.0.0.1", port); b.login(u, p)
c = imaplib.IMAP4("127.0.0.1", port)
try:
    c.login(u, p); print("third", "OK")
except imaplib.IMAP4.error as e:
    print("third", e)
a.logout(); b.logout()
PY
t_check "mail_max_userip_connections = 2: a third session is refused with [LIMIT]" \
	grep -q "^third.*LIMIT.*mail_max_userip_connections=2" "$T/limit.out"
t_check "imapmail did not crash" bash -c "! grep -E 'imapmail.*(signal|panic|fatal)' '$I/maillog'"
cat "$T/lit.out" "$T/limit.out"; grep -E "imapmail|imapd" "$I/maillog" | tail; inst_stop
