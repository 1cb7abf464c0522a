#!/usr/bin/env bash
# dovecot.sh - differential against Dovecot 2.3 on the same Maildir: a
# private Dovecot (tests/lib/dovecot.sh) serves the mailbox first, as
# before a migration, and its IMAP assigns the UIDs (SELECT); then hato
# serves the same Maildir and must give the same UIDL strings, LIST
# sizes, RETR and TOP bytes, and keep Dovecot's UIDs and UIDVALIDITY
# (read back from the default UIDLs, %08Xu%08Xv).  The messages: hato's
# deliveries (",S=,W=" names) and files put there by hand (CRLF line
# ends, no final newline, leading dots, a long line, 8-bit bytes).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "dovecot differential skipped: needs root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_fail "dovecot is not installed (make deps installs dovecot-pop3d)"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/pop3.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlpop4 PW=Pop-pass-4
t_check "an instance with pop3d starts" pop3_instance $U $PW
t_check "four messages delivered by hato" pop3_send 4
new=$INST_HOME/Maildir/new
printf 'Subject: crlf\r\n\r\nline one\r\n.dot line\r\n' >"$new/1700000001.M1P1.hand1"
printf 'Subject: no final newline\n\nlast line has no newline' >"$new/1700000002.M1P1.hand2"
python3 -c "
import sys
lines = [b'Subject: big', b''] + [(b'.' if i % 7 == 0 else b'') + b'line %d \xe9\xe8' % i for i in range(3000)] + [b'x' * 5000]
sys.stdout.buffer.write(b'\n'.join(lines) + b'\n')" >"$new/1700000003.M1P1.hand3"
printf 'Subject: empty body\n' >"$new/1700000004.M1P1.hand4"
chown $U "$new"/*.hand*
t_check "a private Dovecot starts on loopback ports" dovecot_start $((SMTP_PORT + 3)) $((SMTP_PORT + 4))

python3 - $((SMTP_PORT + 4)) $U "$DOVECOT_PASS" >"$T/imap.out" <<'PY'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3])
typ, data = m.select("INBOX")
uv = m.response("UIDVALIDITY")[1][0].decode()
typ, data = m.uid("FETCH", "1:*", "(UID)")
uids = sorted(int(d.decode().split("UID ")[1].rstrip(")")) for d in data)
print(uv, " ".join(map(str, uids)))
m.logout()
PY
t_expect "Dovecot's IMAP assigned 8 UIDs" 8 bash -c "cut -d' ' -f2- '$T/imap.out' | wc -w"
python3 "$TOPDIR/tests/pop3d/pop3dump.py" 127.0.0.1 $((SMTP_PORT + 3)) $U "$DOVECOT_PASS" >"$T/dovecot.dump"
t_expect "Dovecot's POP3 lists 8 messages" "stat 8" bash -c "tail -1 '$T/dovecot.dump' | cut -d' ' -f1-2"
dovecot_stop

python3 "$TOPDIR/tests/pop3d/pop3dump.py" 127.0.0.1 $POP3_PORT $U $PW >"$T/hato.dump"
t_check "hato gives the same UIDLs, LIST sizes, RETR and TOP bytes as Dovecot" diff "$T/dovecot.dump" "$T/hato.dump"
read -r uv uids <"$T/imap.out"
# field N of the UIDLs: 1 the UID, 2 the UIDVALIDITY (hex, 8 digits each)
uidl_field() { python3 -c 'import sys
for l in open(sys.argv[1]):
    f = l.split()
    if f[0] != "stat": print(int(f[1][8 * (int(sys.argv[2]) - 1):][:8], 16))' "$T/hato.dump" "$1"; }
t_expect "hato kept Dovecot's UIDVALIDITY (in every UIDL)" "$uv" bash -c "$(declare -f uidl_field); T='$T'; uidl_field 2 | sort -u"
t_expect "...and its UIDs" "$uids" bash -c "$(declare -f uidl_field); T='$T'; uidl_field 1 | tr '\n' ' ' | sed 's/ \$//'"

# after hato: Dovecot again on the same Maildir still agrees
t_check "Dovecot restarted on the Maildir hato served" dovecot_start $((SMTP_PORT + 3)) $((SMTP_PORT + 4))
python3 "$TOPDIR/tests/pop3d/pop3dump.py" 127.0.0.1 $((SMTP_PORT + 3)) $U "$DOVECOT_PASS" >"$T/dovecot2.dump"
t_check "...and gives the same answers as hato" diff "$T/hato.dump" "$T/dovecot2.dump"

# a UIDL Dovecot saved in dovecot-uidlist ('P': a user who came to Dovecot
# from another server keeps the old UIDLs there) is the one both give
dovecot_stop
sed -i 's/^2 /2 Plegacy-uidl-of-2 /' "$INST_HOME/Maildir/dovecot-uidlist"
python3 "$TOPDIR/tests/pop3d/pop3dump.py" 127.0.0.1 $POP3_PORT $U $PW >"$T/hato3.dump"
t_check "hato gives the saved UIDL of UID 2" grep -q "^2 legacy-uidl-of-2 " "$T/hato3.dump"
t_check "...and keeps it in dovecot-uidlist" grep -q "^2 Plegacy-uidl-of-2 " "$INST_HOME/Maildir/dovecot-uidlist"
t_check "Dovecot started again" dovecot_start $((SMTP_PORT + 3)) $((SMTP_PORT + 4))
python3 "$TOPDIR/tests/pop3d/pop3dump.py" 127.0.0.1 $((SMTP_PORT + 3)) $U "$DOVECOT_PASS" >"$T/dovecot3.dump"
t_check "...gives the same UIDLs as hato, the saved one included" diff "$T/hato3.dump" "$T/dovecot3.dump"
