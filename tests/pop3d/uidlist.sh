#!/usr/bin/env bash
# uidlist.sh - the dovecot-uidlist hato keeps, read by the real Dovecot
# 2.3 (tests/lib/dovecot.sh): hato alone serves a fresh Maildir (it
# makes a UIDVALIDITY, gives UIDs, a POP3 DELE expunges one, new mail
# is appended); then Dovecot's IMAP on the same Maildir must see hato's
# UIDVALIDITY, UIDs and UIDNEXT (UID FETCH 1:* (UID)).  Dovecot then
# APPENDs a message (its UID goes into the file); while it runs, hato's
# POP3 shows that UID, the next delivery gets the one after, and the
# running Dovecot sees it with the same UID.  With the index deleted
# every UIDL stays the same; finally Dovecot, started again, agrees.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "uidlist scenario skipped: needs root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_fail "dovecot is not installed (make deps installs dovecot-imapd)"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/pop3.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlpop9 PW=Pop-pass-9
IMAP_PORT=$((SMTP_PORT + 4))

# uidls [DELE-N] - hato's POP3 UIDLs as "UID UIDVALIDITY" lines (the
# default format %08Xu%08Xv), after DELE N and QUIT when N is given
uidls() {
	python3 - $POP3_PORT $U $PW "${1:-}" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=20)
p.user(sys.argv[2])
p.pass_(sys.argv[3])
for line in p.uidl()[1]:
    u = line.decode().split()[1]
    print(int(u[:8], 16), int(u[8:16], 16))
if sys.argv[4]:
    p.dele(int(sys.argv[4]))
p.quit()
PY
}

# imap_view [APPEND] - Dovecot's "UIDVALIDITY UIDNEXT UID..." for INBOX
# (SELECT, UID FETCH 1:* (UID)); with APPEND, a message appended first
imap_view() {
	python3 - $IMAP_PORT $U "$DOVECOT_PASS" "${1:-}" <<'PY'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3])
if sys.argv[4]:
    m.append("INBOX", None, None, b"Subject: appended by Dovecot\r\n\r\nhello\r\n")
m.select("INBOX")
uv = m.response("UIDVALIDITY")[1][0].decode()
nx = m.response("UIDNEXT")[1][0].decode()
typ, data = m.uid("FETCH", "1:*", "(UID)")
uids = sorted(int(d.decode().split("UID ")[1].rstrip(")")) for d in data if d)
print(uv, nx, " ".join(map(str, uids)))
m.logout()
PY
}

t_check "an instance with pop3d starts" pop3_instance $U $PW
t_check "three messages delivered by hato" pop3_send 3
uidls 1 >"$T/h1"
t_expect "hato gives UIDs 1-3, then DELE 1 expunges UID 1" "1 2 3" bash -c "cut -d' ' -f1 '$T/h1' | tr '\n' ' ' | sed 's/ \$//'"
uv=$(head -1 "$T/h1" | cut -d' ' -f2)
ul=$INST_HOME/Maildir/dovecot-uidlist
t_check "hato wrote dovecot-uidlist (version 3, its UIDVALIDITY)" grep -q "^3 V$uv N4 G[0-9a-f]\{32\}\$" "$ul"
t_check "two more messages delivered" pop3_send 2
uidls >"$T/h2"
t_expect "hato: UIDs 2-5" "2 3 4 5" bash -c "cut -d' ' -f1 '$T/h2' | tr '\n' ' ' | sed 's/ \$//'"
t_expect "...and the uidlist has the same lines, owned by the user" "2 3 4 5 $U" \
	bash -c "tail -n +2 '$ul' | cut -d' ' -f1 | tr '\n' ' '; stat -c %U '$ul'"

t_check "a private Dovecot starts on the Maildir hato served" dovecot_start $((SMTP_PORT + 3)) $IMAP_PORT
t_expect "Dovecot's IMAP sees hato's UIDVALIDITY, UIDNEXT and UIDs" "$uv 6 2 3 4 5" imap_view
t_expect "Dovecot APPENDs: UID 6" "$uv 7 2 3 4 5 6" imap_view append

# side by side: hato gives the next UID while Dovecot runs
uidls >"$T/h3"
t_expect "hato adopts the UID Dovecot gave" "2 3 4 5 6" bash -c "cut -d' ' -f1 '$T/h3' | tr '\n' ' ' | sed 's/ \$//'"
t_check "one more message delivered" pop3_send 1
uidls >"$T/h4"
t_expect "hato's next UID is above Dovecot's" "2 3 4 5 6 7" bash -c "cut -d' ' -f1 '$T/h4' | tr '\n' ' ' | sed 's/ \$//'"
t_expect "...and the running Dovecot sees it with that UID" "$uv 8 2 3 4 5 6 7" imap_view
dovecot_stop
t_check_fail "Dovecot found nothing wrong with hato's uidlist" grep -Ei "uidlist|broken|corrupt" "$DOVECOT_DIR/log"

rm -rf "$INST_HOME/Maildir/hato-index.lmdb"
uidls >"$T/h5"
t_check "the index deleted: the same UIDLs (UIDs and UIDVALIDITY)" diff "$T/h4" "$T/h5"

t_check "Dovecot again" dovecot_start $((SMTP_PORT + 3)) $IMAP_PORT
t_expect "...sees the same UIDVALIDITY, UIDNEXT and UIDs" "$uv 8 2 3 4 5 6 7" imap_view
t_check_fail "...and still finds nothing wrong with the uidlist" grep -Ei "uidlist|broken|corrupt" "$DOVECOT_DIR/log"
