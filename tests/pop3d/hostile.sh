#!/usr/bin/env bash
# hostile.sh - bad input before and after login gets a clean -ERR, no
# crash and nothing deleted: a 10 KB line, unknown commands, RETR 0,
# RETR 4294967296, RETR -1, TOP 1 -5, commands before login, AUTH with
# broken base64, STLS with a USER pipelined in the same packet (never
# answered inside TLS), a connection dropped without QUIT after DELE, a
# file name with odd bytes.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pop3 tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/pop3.sh"

U=hlpop3 PW=Pop-pass-3
t_check "an instance with pop3d starts" pop3_instance $U $PW
t_check "two messages delivered" pop3_send 2
# a file with odd bytes in its name, put there by hand (its time, the
# leading number, after the deliveries: message 3 of the listing)
printf 'Subject: odd\n\nodd name\n' >"$INST_HOME/Maildir/cur/9999999999.odd"$'\x01\xff'"name:2,"
chown $U "$INST_HOME"/Maildir/cur/9999999999.odd*

# dialog LINES... - one session, each line sent after the previous answer
dialog() { python3 "$TOPDIR/tests/pop3d/dialog.py" 127.0.0.1 $POP3_PORT "$@"; }

dialog CAPA "LIST" "RETR 1" "NOOP" QUIT >"$T/pre.out"
t_check "before login: LIST is an unknown command" grep -q '^-ERR Unknown command' "$T/pre.out"
t_check "...three bad commands end the session (as Dovecot)" grep -q '^-ERR Too many invalid bad commands' "$T/pre.out"
dialog "AUTH PLAIN" "%%%not-base64%%%" QUIT >"$T/b64.out"
t_check "AUTH with broken base64 fails cleanly" grep -q '^-ERR \[AUTH\]' "$T/b64.out"
t_check "...and the session goes on (QUIT answered)" grep -q '^+OK Logging out' "$T/b64.out"
dialog "$(head -c 10240 /dev/zero | tr '\0' A)" >"$T/long.out"
t_check "a 10 KB line before login: -ERR, connection closed" grep -q '^-ERR Input line too long' "$T/long.out"

dialog "USER $U" "PASS $PW" "RETR 0" "RETR 4294967296" "RETR -1" "TOP 1 -5" "FROB" "LIST 99" \
	"DELE 1" "RETR 1" "STAT" "LIST" "$(head -c 10240 /dev/zero | tr '\0' B)" >"$T/post.out"
t_check "RETR 0: no such message" grep -qx -- "-ERR There's no message 0." "$T/post.out"
t_check "RETR 4294967296: too large" grep -q -- "^-ERR Message number too large" "$T/post.out"
t_check "RETR -1: invalid" grep -qx -- "-ERR Invalid message number: -1" "$T/post.out"
t_check "TOP 1 -5: invalid size" grep -qx -- "-ERR Invalid size: -5" "$T/post.out"
t_check "an unknown command after login" grep -qx -- "-ERR Unknown command: FROB" "$T/post.out"
t_check "RETR of a deleted message" grep -qx -- "-ERR Message is deleted." "$T/post.out"
t_check "STAT after DELE counts 2 (the odd name is a message too)" grep -q "^+OK 2 " "$T/post.out"
t_check "a 10 KB line after login: -ERR" grep -q '^-ERR Input line too long' "$T/post.out"
t_expect "the session dropped without QUIT deleted nothing" 3 pop3_files

dialog "USER $U" "PASS $PW" "UIDL" "RETR 3" QUIT >"$T/odd.out"
t_check "the odd file name is listed and retrieved" grep -q "^odd name" "$T/odd.out"

# STLS with USER in the same packet: the USER must not be answered in TLS
python3 "$TOPDIR/tests/lib/tls_pipeline.py" 127.0.0.1 $POP3_PORT 'STLS\r\nUSER injected\r\n' 'NOOP\r\n' \
	>"$T/stls.out" 2>&1
t_check "STLS answered in the clear" grep -q "^start: +OK Begin TLS" "$T/stls.out"
t_check "...the pipelined USER is never answered inside TLS" grep -qx "inside: nothing" "$T/stls.out"
t_check "...and the next command inside TLS is" grep -q "^next: -ERR" "$T/stls.out"
python3 - 127.0.0.1 $POP3_PORT $U $PW <<'PY' >"$T/stls-user.out" 2>&1
import socket, ssl, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
f = s.makefile("rb"); f.readline()
s.sendall(b"USER " + sys.argv[3].encode() + b"\r\n"); f.readline()
s.sendall(b"STLS\r\n"); f.readline()
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s, server_hostname="x"); g = t.makefile("rb")
t.sendall(b"PASS " + sys.argv[4].encode() + b"\r\n")
print("pass:", g.readline().decode().strip())
PY
t_check "a USER given before STLS does not count after it (RFC 2595 section 4)" grep -qx "pass: -ERR No username given." "$T/stls-user.out"
t_check "pop3d and pop3mail logged no crash" bash -c "! grep -Eq 'panic|fatal|signal 11|SIGSEGV' '$I/maillog'"
