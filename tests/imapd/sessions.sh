#!/usr/bin/env bash
# sessions.sh - a selected folder changing under a session: IDLE reports
# a message delivered by SMTP within a second (inotify, not polling);
# a second session's STORE and EXPUNGE reach the first at NOOP; a file
# renamed by hand (as mutt does) is a FETCH FLAGS, one deleted by hand an
# EXPUNGE; no EXPUNGE while a FETCH by sequence number runs.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hlimap7 PW=Imap-pass-7
t_check "an instance with imapd and local delivery starts" imap_instance $U $PW
t_check "2 messages delivered" pop3_send 2

cat >"$T/idle.py" <<'PY'
import socket, subprocess, sys, time
port, user, pw, send = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", port), 10)
f = s.makefile("rb")
def cmd(line):
    s.sendall(line.encode() + b"\r\n")
    tag, out = line.split()[0].encode(), []
    while True:
        l = f.readline()
        out.append(l)
        if l.startswith(tag + b" ") or not l:
            return out
f.readline()
cmd("a LOGIN %s %s" % (user, pw))
cmd("b SELECT INBOX")
s.sendall(b"c IDLE\r\n")
print("cont", f.readline().decode().strip())
t0 = time.monotonic()
subprocess.run(["bash", "-c", send], check=True)
t1 = time.monotonic()
l = f.readline()
t2 = time.monotonic()
print("got", l.decode().strip())
print("within 1s of delivery", t2 - t1 < 1.0)
s.sendall(b"DONE\r\n")
l = f.readline()
while l.startswith(b"* "):		# "* 1 RECENT" after the EXISTS, as Dovecot
    l = f.readline()
print("done", l.decode().strip())
PY

python3 "$T/idle.py" $IMAP_PORT $U $PW \
	"swaks -s 127.0.0.1:$SMTP_PORT -f s@example.test -t $U@localhost --h-Subject idle-test >/dev/null && for i in \$(seq 50); do [ \$(find $INST_HOME/Maildir/new $INST_HOME/Maildir/cur -type f | wc -l) -ge 3 ] && exit 0; sleep 0.1; done; exit 1" \
	>"$T/idle.out" 2>&1
t_check "IDLE: the continuation" grep -qx "cont + idling" "$T/idle.out"
t_check "IDLE: a message delivered through SMTP is reported as EXISTS" grep -qx "got \* 3 EXISTS" "$T/idle.out"
t_check "...within a second of reaching the Maildir" grep -qx "within 1s of delivery True" "$T/idle.out"
t_check "IDLE: DONE ends it" grep -q "^done c OK" "$T/idle.out"

cat >"$T/two.py" <<'PY'
import imaplib, os, sys
port, user, pw, home = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
a = imaplib.IMAP4("127.0.0.1", port); a.login(user, pw); a.select("INBOX")
b = imaplib.IMAP4("127.0.0.1", port); b.login(user, pw); b.select("INBOX")
b.store("1", "+FLAGS", "\\Flagged")
typ, data = a.noop()
print("flag-seen", [x for x in a.untagged_responses.get("FETCH", [])])
a.untagged_responses.clear()
b.store("2", "+FLAGS", "\\Deleted"); b.expunge()
a.noop()
print("expunge-seen", a.untagged_responses.get("EXPUNGE"))
a.untagged_responses.clear()
cur = os.path.join(home, "Maildir", "cur")
name = sorted(n for n in os.listdir(cur))[0]
base = name.split(":2,")[0]
os.rename(os.path.join(cur, name), os.path.join(cur, base + ":2,RS"))
a.noop()
print("rename-seen", a.untagged_responses.get("FETCH"))
a.untagged_responses.clear()
new = os.path.join(home, "Maildir", "new")	# hato leaves unflagged mail there
# the file of message 2, found by its Subject (names made in one second
# do not sort by time: the microseconds are not zero-padded)
typ, data = a.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
subject = data[0][1].strip()
last = [os.path.join(d, n) for d in (cur, new) for n in os.listdir(d)
        if subject in open(os.path.join(d, n), "rb").read()]
os.unlink(last[0])
typ, data = a.fetch("1:*", "(UID)")
print("no-expunge-in-fetch", a.untagged_responses.get("EXPUNGE"))
a.noop()
print("then-expunge", a.untagged_responses.get("EXPUNGE"))
a.logout(); b.logout()
PY
python3 "$T/two.py" $IMAP_PORT $U $PW "$INST_HOME" >"$T/two.out" 2>&1
t_check "another session's STORE reaches the first at NOOP (FETCH FLAGS)" grep -q "^flag-seen \[b'1 (FLAGS (\\\\\\\\Flagged" "$T/two.out"
t_check "another session's EXPUNGE reaches the first at NOOP" grep -qx "expunge-seen \[b'2'\]" "$T/two.out"
t_check "a file renamed by hand (flags RS) is a FETCH FLAGS" grep -q "^rename-seen \[b'1 (FLAGS (\\\\\\\\Answered \\\\\\\\Seen" "$T/two.out"
t_check "a file deleted by hand: no EXPUNGE during FETCH by sequence number" grep -qx "no-expunge-in-fetch None" "$T/two.out"
t_check "...then EXPUNGE at NOOP" grep -qx "then-expunge \[b'2'\]" "$T/two.out"
inst_stop
