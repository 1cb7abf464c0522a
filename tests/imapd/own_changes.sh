#!/usr/bin/env bash
# own_changes.sh - a session's own STORE, EXPUNGE and APPEND reach the
# index without the folder being read (imapmail_watch.h), and nothing
# else is lost on the way: a file renamed by hand between two of the
# session's own STOREs is reported at the second (FETCH FLAGS); each own
# change takes a higher MODSEQ (CONDSTORE); an APPEND without flags stays
# in new/ and gets its UID and its dovecot-uidlist line; a second session
# sees the same UIDs, flags and HIGHESTMODSEQ, and so does a third after
# the index is deleted and rebuilt from the Maildir and its uidlist.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hlown1 PW=Own-pass-1
t_check "an instance with imapd and local delivery starts" imap_instance $U $PW
t_check "3 messages delivered" pop3_send 3

cat >"$T/own.py" <<'PY'
import imaplib, os, re, sys
port, user, pw, home = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
md = os.path.join(home, "Maildir")
def modseq(data):
    return int(re.search(rb"MODSEQ \((\d+)\)", b" ".join(x for x in data if isinstance(x, bytes))).group(1))
def view(c):
    typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
    return " ".join(re.sub(r"\s+", " ", x.decode().replace(" \\Recent", "")) for x in data if x)
a = imaplib.IMAP4("127.0.0.1", port); a.login(user, pw)
a._simple_command("ENABLE", "CONDSTORE")
a.select("INBOX")
typ, d1 = a.store("1", "+FLAGS", "(\\Flagged)")
m1 = modseq(d1)
cur, new = os.path.join(md, "cur"), os.path.join(md, "new")
names = sorted(os.listdir(new)) + sorted(os.listdir(cur))
second = [n for n in os.listdir(new) + os.listdir(cur) if ":2,F" not in n]
second.sort()
src = os.path.join(new if second[0] in os.listdir(new) else cur, second[0])
os.rename(src, os.path.join(cur, second[0].split(":2,")[0] + ":2,S"))	# by hand, as mutt
a.untagged_responses.clear()
typ, d3 = a.store("3", "+FLAGS", "(\\Answered)")
fetches = [x.decode() for x in a.untagged_responses.get("FETCH", []) + d3 if x]
print("hand", any("\\Seen" in x for x in fetches))
m3 = modseq(d3)
print("modseq-up", m3 > m1)
typ, d = a.append("INBOX", None, None, b"Subject: own\r\n\r\nappended\r\n")
print("appenduid", re.search(rb"APPENDUID \d+ (\d+)", d[0]).group(1).decode())
print("in-new", len([n for n in os.listdir(new) if ",S=" in n and ":2," not in n]) >= 1)
print("uidlist-line", any(l.startswith("4 ") for l in open(os.path.join(md, "dovecot-uidlist"))))
a.store("4", "+FLAGS", "(\\Deleted)")
typ, d = a.expunge()
print("expunged", d)
typ, d = a.status("INBOX", "(HIGHESTMODSEQ UIDNEXT MESSAGES)")
st = d[0].decode()
print("status", re.search(r"UIDNEXT (\d+)", st).group(1), re.search(r"MESSAGES (\d+)", st).group(1))
print("view-a", view(a))
b = imaplib.IMAP4("127.0.0.1", port); b.login(user, pw); b.select("INBOX")
print("view-b", view(b))
a.logout(); b.logout()
PY

python3 "$T/own.py" $IMAP_PORT $U $PW "$INST_HOME" >"$T/own.out" 2>&1
t_check "a file renamed by hand between two own STOREs is reported at the second" grep -qx "hand True" "$T/own.out"
t_check "each own STORE takes a higher MODSEQ" grep -qx "modseq-up True" "$T/own.out"
t_check "an own APPEND gets the next UID" grep -qx "appenduid 4" "$T/own.out"
t_check "...stays in new/ (no flags)" grep -qx "in-new True" "$T/own.out"
t_check "...and has its dovecot-uidlist line" grep -qx "uidlist-line True" "$T/own.out"
t_check "an own EXPUNGE reports it" grep -qx "expunged \[b'4'\]" "$T/own.out"
t_check "UIDNEXT 5, 3 messages" grep -qx "status 5 3" "$T/own.out"
a=$(sed -n 's/^view-a //p' "$T/own.out") b=$(sed -n 's/^view-b //p' "$T/own.out")
t_expect "the session's view has the flags it stored and the one set by hand" \
	'1 (UID 1 FLAGS (\Flagged)) 2 (UID 2 FLAGS (\Seen)) 3 (UID 3 FLAGS (\Answered))' echo "$a"
t_expect "a second session sees the same UIDs and flags" "$a" echo "$b"
rm -rf "$INST_HOME/Maildir/hato-index.lmdb"
python3 - $IMAP_PORT $U $PW >"$T/rebuilt.out" 2>&1 <<'PY'
import imaplib, re, sys
c = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); c.login(sys.argv[2], sys.argv[3]); c.select("INBOX")
typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
print(" ".join(re.sub(r"\s+", " ", x.decode().replace(" \\Recent", "")) for x in data if x))
c.logout()
PY
t_expect "the index deleted: rebuilt with the same UIDs and flags" "$a" cat "$T/rebuilt.out"
