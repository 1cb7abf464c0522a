#!/usr/bin/env bash
# pop3.sh - the guide's POP3 flow with stock clients on a system user
# (useradd) whose mail hato delivered: curl lists and retrieves each
# message byte for byte, Python's poplib does UIDL/TOP/DELE/QUIT and the
# file is gone, fetchmail downloads everything; the same over STLS (curl
# --ssl-reqd, openssl s_client -starttls pop3) and implicit TLS on the
# pop3s port.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pop3 tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/pop3.sh"

U=hlpop1 PW=Pop-pass-1
t_check "an instance with pop3d, pop3s and local delivery starts" pop3_instance $U $PW
t_check "3 messages sent through smtpd reach ~/Maildir/new" pop3_send 3
url=pop3://$U:$PW@127.0.0.1:$POP3_PORT

t_expect "curl lists 3 messages" 3 bash -c "curl -s '$url/' | wc -l"
# crlf FILE - the file as POP3 sends it: CRLF line ends
crlf() { python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(d.replace(b"\r\n",b"\n").replace(b"\n",b"\r\n"))' "$1"; }
same=0
for n in 1 2 3; do
	curl -s "$url/$n" >"$T/got.$n"
	# the file with the same Subject (message numbers follow UIDs, which
	# follow file names, not the order of delivery)
	subj=$(grep -m1 '^Subject: ' "$T/got.$n" | tr -d '\r')
	f=$(grep -lx "$subj" "$INST_HOME"/Maildir/*/* | head -1)
	[ -n "$subj" ] && [ -n "$f" ] && crlf "$f" >"$T/want.$n" && cmp -s "$T/got.$n" "$T/want.$n" && same=$((same + 1))
done
t_expect "curl RETR returns each message byte for byte (CRLF, dot-unstuffed)" 3 echo $same
t_check "...and the leading dot survived" grep -q '^\.a line with a leading dot' "$T/got.1"
t_expect "after login new/ is empty: mail moved to cur/ (as Dovecot)" 0 bash -c "ls '$INST_HOME/Maildir/new' | wc -l"

cat >"$T/pl.py" <<'PY'
import poplib, sys
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.user(user); p.pass_(pw)
resp, uidls, _ = p.uidl()
print("uidls", len(uidls), len(set(u.split()[1] for u in uidls)))
resp, lines, _ = p.top(1, 1)
print("top", b"" in lines, lines[-1].decode())
print(p.dele(1).decode())
print(p.quit().decode())
PY
python3 "$T/pl.py" $POP3_PORT $U $PW >"$T/pl.out" 2>&1
t_check "poplib: UIDL gives 3 distinct UIDLs" grep -qx "uidls 3 3" "$T/pl.out"
t_check "poplib: TOP 1 1 gives the header, the blank line and one body line" grep -qx "top True body of message [123]" "$T/pl.out"
t_check "poplib: QUIT after DELE says messages were deleted" grep -qx "+OK Logging out, messages deleted." "$T/pl.out"
t_expect "...and the file is gone" 2 pop3_files
first=$(grep -m1 '^Subject: ' "$T/got.1" | tr -d '\r')
t_check "...and message 1 is the one that went" bash -c "! grep -lx '$first' '$INST_HOME'/Maildir/cur/*"
t_expect "the messages curl retrieved (RETR, then QUIT) are flagged seen, as Dovecot does" 2 \
	bash -c "ls '$INST_HOME/Maildir/cur' | grep -c ':2,.*S'"

# fetchmail: a stock client, its rc file as it wants it (0600, the user's)
cat >"$T/fetchmailrc" <<RC
set no syslog
poll 127.0.0.1 protocol pop3 port $POP3_PORT
  user "$U" password "$PW" is root here
  mda "/bin/sh -c 'cat >> $T/fetched'"
  keep sslproto '' no sslcertck
RC
chmod 600 "$T/fetchmailrc"
HOME=$T fetchmail -f "$T/fetchmailrc" --nodetach --fetchall >"$T/fm.out" 2>&1
t_expect "fetchmail downloads both messages" 2 bash -c "grep -c '^Subject: pop3 test' '$T/fetched'"

# STLS and implicit TLS
t_expect "curl --ssl-reqd (STLS) lists 2 messages" 2 bash -c "curl -s -k --ssl-reqd '$url/' | wc -l"
t_expect "curl pop3s:// (port $POP3S_PORT) lists 2 messages" 2 bash -c "curl -s -k 'pop3s://$U:$PW@127.0.0.1:$POP3S_PORT/' | wc -l"
t_check "curl pop3s:// RETR 1 (what was message 2) is byte for byte" \
	bash -c "curl -s -k 'pop3s://$U:$PW@127.0.0.1:$POP3S_PORT/1' | cmp -s - '$T/got.2'"
printf 'USER %s\r\nPASS %s\r\nSTAT\r\nQUIT\r\n' $U $PW >"$T/stls.in"
(sleep 1; cat "$T/stls.in"; sleep 2) | timeout 10 openssl s_client -quiet -starttls pop3 -connect 127.0.0.1:$POP3_PORT >"$T/stls.out" 2>/dev/null
t_check "openssl s_client -starttls pop3: logged in over TLS" grep -q '^+OK Logged in' "$T/stls.out"
t_check "...STAT counts 2 messages" grep -q '^+OK 2 ' "$T/stls.out"
t_check "a second session while one is open gets [IN-USE]" python3 - $POP3_PORT $U $PW <<'PY'
import poplib, sys
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
a = poplib.POP3("127.0.0.1", port, timeout=10); a.user(user); a.pass_(pw)
b = poplib.POP3("127.0.0.1", port, timeout=10); b.user(user)
try:
    b.pass_(pw); sys.exit(1)
except poplib.error_proto as e:
    sys.exit(0 if b"[IN-USE]" in e.args[0] else 1)
PY
t_check "the log names no password" bash -c "! grep -q '$PW' '$I/maillog'"
