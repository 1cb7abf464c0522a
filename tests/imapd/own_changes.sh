#!/usr/bin/env bash
# own_changes.sh - a session's own STORE, EXPUNGE and APPEND reach the
# index without the folder being read (imapmail_watch.h), and nothing
# else is lost on the way: a flag set by hand on a file the session then
# STOREs +FLAGS to is reported and kept (FETCH FLAGS); each own
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
    return " ".join(re.sub(r"\s+", " ", re.sub(r" ?\\Recent ?", "", x.decode())) for x in data if x)
a = imaplib.IMAP4("127.0.0.1", port); a.login(user, pw)
a._simple_command("ENABLE", "CONDSTORE")
a.select("INBOX")
typ, d1 = a.store("1", "+FLAGS", "(\\Flagged)")
m1 = modseq(d1)
cur, new = os.path.join(md, "cur"), os.path.join(md, "new")
base3 = [l.split(":", 1)[1].strip() for l in open(os.path.join(md, "dovecot-uidlist")) if l.startswith("3 ") and " :" in l][0]
src = [os.path.join(d, n) for d in (new, cur) for n in os.listdir(d) if n.startswith(base3)][0]
os.rename(src, os.path.join(cur, base3 + ":2,S"))	# by hand, as mutt
a.untagged_responses.clear()
typ, d3 = a.store("3", "+FLAGS", "(\\Answered)")
fetches = [x.decode() for x in a.untagged_responses.get("FETCH", []) + d3 if x]
print("hand", any("\\Seen" in x for x in fetches))
m3 = modseq(d3)
print("modseq-up", m3 > m1)
typ, d = a.append("INBOX", None, None, b"Subject: own\r\n\r\nappended\r\n")
print("appenduid", re.search(rb"APPENDUID \d+ (\d+)", d[0]).group(1).decode())
base4 = [l.split(":", 1)[1].strip() for l in open(os.path.join(md, "dovecot-uidlist"))
         if l.startswith("4 ") and " :" in l]
print("uidlist-line", len(base4) == 1)
print("in-new", bool(base4) and base4[0] in os.listdir(new) and
      not any(n.startswith(base4[0]) for n in os.listdir(cur)))
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
t_check "a flag set by hand before an own STORE +FLAGS is reported" grep -qx "hand True" "$T/own.out"
t_check "each own STORE takes a higher MODSEQ" grep -qx "modseq-up True" "$T/own.out"
t_check "an own APPEND gets the next UID" grep -qx "appenduid 4" "$T/own.out"
t_check "...stays in new/ (no flags)" grep -qx "in-new True" "$T/own.out"
t_check "...and has its dovecot-uidlist line" grep -qx "uidlist-line True" "$T/own.out"
t_check "an own EXPUNGE reports it" grep -qx "expunged \[b'4'\]" "$T/own.out"
t_check "UIDNEXT 5, 3 messages" grep -qx "status 5 3" "$T/own.out"
a=$(sed -n 's/^view-a //p' "$T/own.out") b=$(sed -n 's/^view-b //p' "$T/own.out")
t_expect "the session's view has the flags it stored and the one set by hand, kept" \
	'1 (UID 1 FLAGS (\Flagged)) 2 (UID 2 FLAGS ()) 3 (UID 3 FLAGS (\Answered \Seen))' echo "$a"
t_expect "a second session sees the same UIDs and flags" "$a" echo "$b"
rm -rf "$INST_HOME/Maildir/hato-index.lmdb"
python3 - $IMAP_PORT $U $PW >"$T/rebuilt.out" 2>&1 <<'PY'
import imaplib, re, sys
c = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); c.login(sys.argv[2], sys.argv[3]); c.select("INBOX")
typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
print(" ".join(re.sub(r"\s+", " ", re.sub(r" ?\\Recent ?", "", x.decode())) for x in data if x))
c.logout()
PY
t_expect "the index deleted: rebuilt with the same UIDs and flags" "$a" cat "$T/rebuilt.out"

# without CONDSTORE a session's renames wait for its next change that
# needs the index; CONDSTORE enabled (by a FETCH MODSEQ), or the
# session's end, tells them; the end keeps the folder's look, and a
# change by hand after it is still seen
python3 - $IMAP_PORT $U $PW "$INST_HOME" >"$T/defer.out" 2>&1 <<'PY'
import imaplib, os, re, sys
port, user, pw, home = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def login():
    c = imaplib.IMAP4("127.0.0.1", port); c.login(user, pw); return c
def modseq(c, n):
    typ, d = c.fetch(n, "(FLAGS MODSEQ)")
    s = d[0].decode()
    return int(re.search(r"MODSEQ \((\d+)\)", s).group(1)), s
b = login(); b._simple_command("ENABLE", "CONDSTORE"); b.select("INBOX")
m0, _ = modseq(b, "1"); b.logout()
a = login(); a.select("INBOX")
a.store("1", "+FLAGS", "(\\Draft)")
m1, s1 = modseq(a, "1")		# FETCH MODSEQ enables CONDSTORE (RFC 7162 3.1)
print("enable", m1 > m0, "\\Draft" in s1)
a.logout()
c = login(); c.select("INBOX"); c.store("3", "+FLAGS", "(\\Flagged)"); c.logout()
md = os.path.join(home, "Maildir")
base2 = [l.split(":", 1)[1].strip() for l in open(os.path.join(md, "dovecot-uidlist"))
         if l.startswith("2 ") and " :" in l][0]
src = [os.path.join(md, d, n) for d in ("new", "cur") for n in os.listdir(os.path.join(md, d))
       if n.startswith(base2)][0]
os.rename(src, os.path.join(md, "cur", base2 + ":2,S"))	# by hand, after the session's end
d = login(); d._simple_command("ENABLE", "CONDSTORE"); d.select("INBOX")
m3, s3 = modseq(d, "3")
print("logout", m3 > m1, "\\Flagged" in s3)
print("hand-after", "\\Seen" in modseq(d, "2")[1])
d.logout()
PY
t_check "a STORE's MODSEQ kept back is given when CONDSTORE is enabled" grep -qx "enable True True" "$T/defer.out"
t_check "...and at the session's end" grep -qx "logout True True" "$T/defer.out"
t_check "a flag set by hand after a session's end (its look kept) is seen by the next" \
	grep -qx "hand-after True" "$T/defer.out"
