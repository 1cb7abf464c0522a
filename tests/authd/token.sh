#!/usr/bin/env bash
# authd/token.sh - one-time login tokens against a real authd (through
# its socket with tests/authd/authclient.py, nothing mocked): an AUTH with
# the flag "token" gets token=<64 hex> with its OK (without the flag, or
# on a FAIL, none); TOKEN from root gives the USER answer of the
# authenticated (normalised) user, a passwd-file and a system user; the
# same token again, a forged one, one presented for another client
# address or service gives NOTFOUND (and the mismatched one is gone); a
# client of another uid (mail_owner, the uid of smtpd and of the coming
# login processes) gets ERROR and burns nothing; malformed TOKEN lines get
# ERROR; the log names service and rip of refused tokens and holds no
# token.  Then an unprivileged --dev instance, where authd runs as the
# user who started it: that user may redeem.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "authd token tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=hltoken1 PW=Sys-token-pass-1 VPW=Virt-token-pass-2 DU=hltokdev DPW=Dev-token-pass-3
drop_users() {
	[ -d "$T/u/inst" ] && runuser -u $DU -- "$HATO" -c "$T/u/inst" abort >/dev/null 2>&1
	userdel -r "$U" >/dev/null 2>&1
	userdel -r $DU >/dev/null 2>&1
}
trap 'drop_users; inst_cleanup' EXIT
drop_users
useradd -m -s /usr/sbin/nologin "$U" && echo "$U:$PW" | chpasswd || t_fail "useradd + chpasswd $U"
home=$(getent passwd $U | cut -d: -f6)

inst_new
echo "auth      unix  -       n       n       -       1       authd" >>"$I/master.cf"
echo "vt@example.test:$(echo "$VPW" | "$HATO" pw -s SHA512-CRYPT):5001:5001::/var/vmail/vt::" >>"$I/users"
inst_set "passdb = system, passwd-file:$I/users" "userdb = system, passwd-file:$I/users" \
	"auth_failure_delay = 0" "mail_location = maildir:~/Maildir" "first_valid_uid = 1000"
t_check "instance with authd starts" inst_start
S=$I/queue/private/auth

# a client the mail_owner user can run too: the scripts live in $T
cp "$TOPDIR/tests/authd/authclient.py" "$T/"
cat >"$T/tok.py" <<'PY'
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from authclient import AuthClient, b64
# tok.py SOCKET auth USER PASS SERVICE RIP [token]  |  tok.py SOCKET token TOKEN SERVICE RIP
c = AuthClient(sys.argv[1])
a = sys.argv[3:]
if sys.argv[2] == "auth":
    f = ["AUTH", "1", "PLAIN", "service=" + a[2], "rip=" + a[3], "lip=127.0.0.1", "secured"] + a[4:]
    f.append("resp=" + b64("\0" + a[0] + "\0" + a[1]))
else:
    f = ["TOKEN", "5", a[0], "service=" + a[1], "rip=" + a[2]]
c.send("\t".join(f))
r = c.reply()
print(" ".join(r) if r else "(no reply)")
PY
tok() { python3 "$T/tok.py" "$S" "$@"; }
# token USER PASS SERVICE RIP - a fresh token, or nothing
token() { tok auth "$@" token | sed -n 's/^OK 1 user=[^ ]* token=\([0-9a-f]\{64\}\)$/\1/p'; }

out=$(tok auth vt@example.test "$VPW" pop3 192.0.2.7 token)
t_check "AUTH ... token: OK carries token=<64 lowercase hex>" \
	grep -Eqx 'OK 1 user=vt@example.test token=[0-9a-f]{64}' <<<"$out"
T1=${out##*token=}
t_expect "AUTH without the flag: no token" "OK 1 user=vt@example.test" tok auth vt@example.test "$VPW" pop3 192.0.2.7
t_expect "a failed AUTH with the flag: no token" "FAIL 1 user=vt@example.test reason=Authentication failed" \
	tok auth vt@example.test wrong pop3 192.0.2.7 token
t_expect "TOKEN from root: the USER answer of the authenticated user" \
	"USER 5 vt@example.test uid=5001 gid=5001 home=/var/vmail/vt mail=maildir:/var/vmail/vt/Maildir" \
	tok token "$T1" pop3 192.0.2.7
t_expect "...the same token a second time: NOTFOUND" "NOTFOUND 5" tok token "$T1" pop3 192.0.2.7
t_expect "a forged token: NOTFOUND" "NOTFOUND 5" tok token "$(printf '%064d' 0)" pop3 192.0.2.7

T2=$(token vt@example.test "$VPW" pop3 192.0.2.7)
t_expect "a token redeemed for another client address: NOTFOUND" "NOTFOUND 5" tok token "$T2" pop3 192.0.2.99
t_expect "...and it is gone, even for the right address" "NOTFOUND 5" tok token "$T2" pop3 192.0.2.7
T3=$(token vt@example.test "$VPW" pop3 192.0.2.7)
t_expect "a token redeemed for another service: NOTFOUND" "NOTFOUND 5" tok token "$T3" imap 192.0.2.7

T4=$(token "${U^^}" "$PW" imap 192.0.2.8)
t_expect "a system user logged in upper-case: TOKEN answers for the normalised name" \
	"USER 5 $U uid=$(id -u $U) gid=$(id -g $U) home=$home mail=maildir:$home/Maildir system_groups_user=$U" \
	tok token "$T4" imap 192.0.2.8

T5=$(token vt@example.test "$VPW" pop3 192.0.2.7)
t_expect "TOKEN from the mail_owner user (hato, not root, not authd's uid): ERROR" \
	"ERROR 5 TOKEN not allowed for this client" \
	runuser -u hato -- /usr/bin/python3 "$T/tok.py" "$S" token "$T5" pop3 192.0.2.7
t_expect "...and it burnt nothing: root redeems that token" "USER 5 vt@example.test" \
	bash -c "python3 '$T/tok.py' '$S' token '$T5' pop3 192.0.2.7 | cut -d' ' -f1-3"

cat >"$T/bad.py" <<'PY'
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from authclient import AuthClient
c = AuthClient(sys.argv[1])
for line in ["TOKEN\t5", "TOKEN\t6\t" + "0" * 64, "TOKEN\t7\t" + "0" * 64 + "\tservice=pop3\trip=a b",
             "TOKEN\t0\t" + "0" * 64 + "\tservice=pop3", "TOKEN\t8\t" + "A" * 64 + "\tservice=pop3"]:
    c.send(line)
    print(" ".join(c.reply() or ["(no reply)"]))
PY
t_expect "malformed TOKEN lines: ERROR, the connection stays; an upper-case token: NOTFOUND" \
	"ERROR 5 TOKEN needs an ID, a token and service=|ERROR 6 TOKEN needs an ID, a token and service=|ERROR 7 bad rip=|ERROR - bad or missing ID|NOTFOUND 8" \
	bash -c "python3 '$T/bad.py' '$S' | paste -sd'|'"

t_check "the refused peer is logged with its uid" \
	inst_wait grep -q "warning: TOKEN refused: client hato (uid $(id -u hato)) is neither root nor authd's user" "$I/maillog"
t_check "a mismatched token is logged with service and rip" \
	grep -q "warning: login token refused: service=pop3, rip=192.0.2.99, token issued for another service or client address" "$I/maillog"
t_check "...a replayed one too" grep -q "warning: login token refused: service=pop3, rip=192.0.2.7, unknown token" "$I/maillog"
bad=
for t in "$T1" "$T2" "$T3" "$T4" "$T5"; do
	[ ${#t} = 64 ] || { t_fail "a token was not issued"; bad=1; }
	grep -qF -- "$t" "$I/maillog" && { t_fail "token $t appears in the log"; bad=1; }
done
if [ -n "$bad" ]; then :
elif grep -q 'authd\[' "$I/maillog"; then t_ok "no token appears in the log ($(grep -c 'authd\[' "$I/maillog") authd lines)"
else t_fail "no token appears in the log" "the log has no authd lines to search"; fi

# an unprivileged --dev instance: authd runs as the user who started it,
# and that user's own processes may redeem (the mail process is not root)
inst_stop
useradd -m -d "$T/u" $DU || t_fail "useradd $DU"
runuser -u $DU -- "$HATO" init --dev "$T/u/inst" >/dev/null
echo "auth      unix  -       n       n       -       1       authd" >"$T/u/inst/master.cf"
echo "vd@example.test:$(echo "$DPW" | "$HATO" pw -s PLAIN):$(id -u $DU):$(id -g $DU)::$T/u::" >>"$T/u/inst/users"
t_check "unprivileged --dev instance with authd starts" runuser -u $DU -- "$HATO" -c "$T/u/inst" start
DS=$T/u/inst/queue/private/auth
dtok() { runuser -u $DU -- /usr/bin/python3 "$T/tok.py" "$DS" "$@"; }
D1=$(dtok auth vd@example.test "$DPW" imap 127.0.0.1 token | sed -n 's/^OK 1 user=vd@example.test token=\([0-9a-f]\{64\}\)$/\1/p')
t_check "--dev: AUTH ... token gives a token" test ${#D1} = 64
t_expect "--dev: authd's own uid may redeem it" "USER 5 vd@example.test uid=$(id -u $DU) gid=$(id -g $DU)" \
	bash -c "runuser -u $DU -- /usr/bin/python3 '$T/tok.py' '$DS' token '$D1' imap 127.0.0.1 | cut -d' ' -f1-5"
t_expect "--dev: ...once" "NOTFOUND 5" dtok token "$D1" imap 127.0.0.1
runuser -u $DU -- "$HATO" -c "$T/u/inst" stop >/dev/null 2>&1
