#!/usr/bin/env bash
# pw.sh - "hato pw": hashes that stock crypt(3) (Python's crypt module)
# verifies, every scheme, the terminal dialogue (asked twice without echo,
# a mismatch refused; driven through a pty), unknown schemes refused.
. "$HATO_TOP/tests/lib.sh"
HATO=$B/bin/hato
PW='Tr1cky pass:word'

check_crypt() {	# HASH PASSWORD - Python's crypt(3) binding agrees
	python3 -W ignore -c 'import crypt,sys; h=sys.argv[1].split("}",1)[1]; sys.exit(crypt.crypt(sys.argv[2], h) != h)' "$1" "$2"
}
h=$(printf '%s\n' "$PW" | "$HATO" pw)
t_check "default scheme is SHA512-CRYPT" bash -c "[[ '$h' == '{SHA512-CRYPT}\$6\$'* ]]"
t_check "...and crypt(3) verifies it" check_crypt "$h" "$PW"
t_check_fail "...not with another password" check_crypt "$h" "Tr1cky pass:wore"
for s in MD5-CRYPT:'$1$' SHA256-CRYPT:'$5$' BLF-CRYPT:'$2b$'; do
	h=$(printf '%s\r\n' "$PW" | "$HATO" pw -s "${s%%:*}" -u someone)
	t_check "-s ${s%%:*} makes ${s#*:} hashes crypt(3) verifies (CRLF stripped)" \
		bash -c "[[ '$h' == '{${s%%:*}}${s#*:}'* ]] && $(declare -f check_crypt); check_crypt '$h' '$PW'"
done
t_expect "-s plain" "{PLAIN}$PW" bash -c "printf '%s\n' '$PW' | '$HATO' pw -s plain"
h=$(printf '%s\n' "$PW" | "$HATO" pw -s ARGON2ID)
t_check "-s ARGON2ID: the PHC encoded form" \
	bash -c "[[ '$h' =~ ^\{ARGON2ID\}\\\$argon2id\\\$v=19\\\$m=65536,t=2,p=1\\\$[A-Za-z0-9+/]{22}\\\$[A-Za-z0-9+/]{43}\$ ]]"
t_expect_err "unknown scheme: exit 1 and a clear message" 'unknown scheme "MD4"' \
	bash -c "echo x | '$HATO' pw -s MD4"
t_expect_err "no password on stdin" "no password" bash -c "'$HATO' pw </dev/null"

cat >"$T/pwdialog.py" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "pw", "-s", "SHA512-CRYPT"])
out = b""
def upto(what):
    global out
    end = time.time() + 10
    while what not in out and time.time() < end:
        if not select.select([fd], [], [], 0.2)[0]:
            continue
        try:
            data = os.read(fd, 1024)
        except OSError:
            break
        if not data:
            break
        out += data
upto(b"Enter new password: ")
os.write(fd, sys.argv[2].encode() + b"\n")
upto(b"Retype new password: ")
os.write(fd, sys.argv[3].encode() + b"\n")
upto(b"\x00never")
for _ in range(50):
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    time.sleep(0.1)
else:
    os.kill(pid, 9)
    _, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
sys.exit(os.waitstatus_to_exitcode(st))
PY
out=$(python3 "$T/pwdialog.py" "$HATO" "$PW" "$PW")
t_check "on a terminal: asked twice, then the hash" bash -c "grep -q 'Retype new password' <<<'$out' && grep -q '^{SHA512-CRYPT}' <<<'$out'"
t_check "...the password is not echoed" bash -c "! grep -qF '$PW' <<<'$out'"
t_check "...and the hash verifies" check_crypt "$(grep '^{SHA512' <<<"$out")" "$PW"
t_check_fail "a mismatch is refused (exit 1)" python3 "$T/pwdialog.py" "$HATO" "$PW" "other"
t_check "...saying so" bash -c "python3 '$T/pwdialog.py' '$HATO' a b | grep -q 'do not match'"
