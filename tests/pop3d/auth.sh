#!/usr/bin/env bash
# auth.sh - POP3 AUTH (RFC 5034) with the mechanisms authd offers: AUTH
# alone lists them, PLAIN with an initial response (SASL-IR) and with a
# continuation, "=" as an empty initial response, LOGIN's two
# challenges, CRAM-MD5 for a virtual user of the users file (uid 5000,
# its own home: the mail process becomes that uid and makes the
# Maildir), "*" cancels, a wrong password is [AUTH], an unknown mechanism,
# APOP and bad base64 get Dovecot 2.3's words; login_greeting;
# login_timeout closes a silent client before login.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pop3 tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/pop3.sh"

U=hlpop7 PW=Pop-pass-7 VPW=Virt-pass-7
t_check "an instance with pop3d starts" pop3_instance $U $PW \
	"auth_mechanisms = plain login cram-md5" "login_greeting = Welcome to hato POP3." \
	"login_timeout = 2s" "passdb = system, passwd-file:\$config_directory/users" \
	"userdb = system, passwd-file:\$config_directory/users"
mkdir -p "$T/vhome" && chown 5000:5000 "$T/vhome"
echo "v7@example.test:$(echo "$VPW" | "$HATO" pw -s PLAIN):5000:5000::$T/vhome::" >>"$I/users"
t_check "a message for the system user" pop3_send 1

dialog() { python3 "$TOPDIR/tests/pop3d/dialog.py" 127.0.0.1 $POP3_PORT "$@"; }
b64() { printf '%s' "$1" | base64 -w0; }
plain() { printf '\0%s\0%s' "$1" "$2" | base64 -w0; }	# a NUL cannot live in a variable
dialog AUTH QUIT >"$T/list.out"
t_check "the greeting is login_greeting" grep -qx "+OK Welcome to hato POP3." "$T/list.out"
t_check "AUTH alone lists PLAIN, LOGIN and CRAM-MD5" \
	bash -c "tr '\n' ' ' <'$T/list.out' | grep -q '+OK PLAIN LOGIN CRAM-MD5 \. '"
dialog "AUTH PLAIN $(plain $U $PW)" STAT QUIT >"$T/ir.out"
t_check "AUTH PLAIN with an initial response logs in" grep -qx "+OK Logged in." "$T/ir.out"
t_check "...and STAT works" grep -q "^+OK 1 " "$T/ir.out"
dialog "AUTH PLAIN" "$(plain $U $PW)" QUIT >"$T/cont.out"
t_check "AUTH PLAIN with a continuation logs in" grep -qx "+OK Logged in." "$T/cont.out"
dialog "AUTH PLAIN =" QUIT >"$T/empty.out"
t_check "AUTH PLAIN = (an empty initial response) fails cleanly" grep -q "^-ERR \[AUTH\]" "$T/empty.out"
dialog "AUTH LOGIN" "$(b64 $U)" "$(b64 $PW)" QUIT >"$T/login.out"
t_check "AUTH LOGIN: challenge Username:" grep -qx "+ $(b64 Username:)" "$T/login.out"
t_check "...then Password:, then logged in" bash -c "grep -qx '+ $(b64 Password:)' '$T/login.out' && grep -qx '+OK Logged in.' '$T/login.out'"
dialog "AUTH PLAIN" "*" QUIT >"$T/cancel.out"
t_check "* cancels (no [AUTH]: not a credentials failure; as Dovecot)" grep -qxF -- "-ERR Authentication aborted by client." "$T/cancel.out"
dialog "AUTH FOO" "APOP $U 0123456789abcdef0123456789abcdef" "AUTH PLAIN" "%%%" QUIT >"$T/dovecot-words.out"
t_check "an unknown mechanism: Dovecot's answer" grep -qxF -- "-ERR [AUTH] Unsupported authentication mechanism." "$T/dovecot-words.out"
t_check "APOP: Dovecot's answer (off)" grep -qxF -- "-ERR APOP not enabled." "$T/dovecot-words.out"
t_check "a response that is not base64: Dovecot's answer" grep -qxF -- "-ERR [AUTH] Invalid base64 in response" "$T/dovecot-words.out"
dialog "USER $U" "PASS wrong-$PW" QUIT >"$T/wrong.out"
t_check "a wrong password: -ERR [AUTH] (RFC 3206)" grep -qxF -- "-ERR [AUTH] Authentication failed." "$T/wrong.out"

python3 - $POP3_PORT v7@example.test "$VPW" >"$T/cram.out" <<'PY'
import base64, hashlib, hmac, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
f.readline()
s.sendall(b"AUTH CRAM-MD5\r\n")
ch = base64.b64decode(f.readline().split()[1])
d = hmac.new(sys.argv[3].encode(), ch, hashlib.md5).hexdigest()
s.sendall(base64.b64encode(("%s %s" % (sys.argv[2], d)).encode()) + b"\r\n")
print(f.readline().decode().strip())
s.sendall(b"STAT\r\n")
print(f.readline().decode().strip())
PY
t_check "CRAM-MD5 as a virtual user of the users file logs in" grep -qx "+OK Logged in." "$T/cram.out"
t_check "...sees an empty mailbox" grep -qx "+OK 0 0" "$T/cram.out"
t_expect "...which the mail process made as uid 5000" "5000:5000" stat -c %u:%g "$T/vhome/Maildir/cur"

exec 3<>/dev/tcp/127.0.0.1/$POP3_PORT
read -r _ <&3
sleep 3
t_check "login_timeout (2s): a silent client is disconnected before login" bash -c "! timeout 2 head -c1 <&3 | grep -q ."
exec 3<&-
t_check "the log names no password" bash -c "! grep -qe '$PW' -e '$VPW' '$I/maillog'"
