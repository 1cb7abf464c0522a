#!/usr/bin/env bash
# authd.sh - hato's authd through its socket with a protocol client
# (tests/authd/authclient.py; the real daemon, nothing mocked): system
# users made with useradd + chpasswd (PLAIN, LOGIN), locked and expired
# accounts, the failure delay (measured), disable_plaintext_auth,
# passwd-file users with hashes made by "hato pw" (SHA512-CRYPT, ARGON2ID,
# PLAIN + CRAM-MD5), an lmdb passdb built by "postmap passwd-file:",
# passwd-file re-read on change, USER lookups, 50 wrong passwords from one
# address (all delayed, later ones refused unchecked, other addresses
# unaffected) and a log without any password.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "authd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U1=hlauth1 U2=hlauth2 U3=hlauth3 U4=hlauth4
P1=Sys-pass-one P2=Locked-pass-2 P3=Expired-pass-3 P4=Inactive-pass-4 WRONG=Wrong-guess-9
PA=Virt-sha512-A PB=Virt-argon-B PC=Virt-plain-C PD=Virt-lmdb-D PE=Virt-later-E
drop_users() { for u in $U1 $U2 $U3 $U4; do userdel -r "$u" >/dev/null 2>&1; done; }
drop_users
trap 'drop_users; inst_cleanup' EXIT
for u in $U1 $U2 $U3 $U4; do t_retry useradd -m -s /usr/sbin/nologin "$u" || t_fail "useradd $u"; done
t_retry bash -c "printf '%s\n' '$U1:$P1' '$U2:$P2' '$U3:$P3' '$U4:$P4' | chpasswd"
usermod -L "$U2"
usermod -e 1 "$U3"	# expired on 1970-01-02
chage -d 2 -M 1 -I 0 "$U4"	# password changed 1970-01-03, max age 1 day, inactive after 0

t_check "chpasswd stored a yescrypt hash (Debian's default) for $U1" bash -c "getent shadow $U1 | cut -d: -f2 | grep -q '^\\\$y\\\$'"
inst_new
echo "auth      unix  -       n       n       -       1       authd" >>"$I/master.cf"
hA=$(echo "$PA" | "$HATO" pw -s SHA512-CRYPT)
hB=$(echo "$PB" | "$HATO" pw -s ARGON2ID)
hC=$(echo "$PC" | "$HATO" pw -s PLAIN)
hD=$(echo "$PD" | "$HATO" pw -s SHA256-CRYPT)
cat >>"$I/users" <<USERS
va@example.test:$hA:5001:5001::/var/vmail/va::
vb@example.test:$hB:5002:5002::/var/vmail/vb::
vc@example.test:$hC:5003:5003::/var/vmail/vc::
this line is bad
USERS
echo "vd@example.test:$hD:5004:5004::/var/vmail/vd::" >"$I/vusers"
chgrp hatoauth "$I/vusers"; chmod 0640 "$I/vusers"
t_check "postmap passwd-file:FILE builds FILE.lmdb" "$B/bin/postmap" "passwd-file:$I/vusers"
t_expect "...keyed by user, valued by the rest of the line" "$hD:5004:5004::/var/vmail/vd::" \
	"$B/bin/postmap" -q vd@example.test "lmdb:$I/vusers"
printf 'ok@example.test:{PLAIN}x:1:1::/h::\nno colon here\n' >"$T/badusers"
t_expect_err "postmap passwd-file: refuses a bad line, naming file and line" \
	"$T/badusers, line 2: expected format: user:password" "$B/bin/postmap" "passwd-file:$T/badusers"
inst_set "auth_failure_delay = 300ms" "auth_mechanisms = plain login cram-md5" \
	"passdb = system, passwd-file:$I/users, lmdb:$I/vusers" "userdb = system, passwd-file:$I/users" \
	"auth_client_failure_limit = 10" "auth_client_failure_window = 10m" \
	"mail_location = maildir:~/Maildir" "first_valid_uid = 1000"
t_check "instance with authd starts" inst_start
S=$I/queue/private/auth
ac() { python3 "$TOPDIR/tests/authd/authclient.py" "$S" "$@"; }
first() { head -1; }
# try NAME WANT AUTHCLIENT-ARGS... - the client's first output line is WANT
try() {
	local name=$1 want=$2 got; shift 2
	got=$(ac "$@" | head -1)
	if [ "$got" = "$want" ]; then t_ok "$name"; else t_fail "$name" "want: $want" "got:  $got"; fi
}
elapsed() { sed -n 's/^elapsed=//p'; }

t_expect "handshake offers auth_mechanisms" "PLAIN LOGIN CRAM-MD5" ac mechs
try "system user, PLAIN" "OK 1 user=$U1" plain $U1 $P1 secured
try "system user, LOGIN" "OK 1 user=$U1" login $U1 $P1 secured
try "system user, LOGIN with an initial response" "OK 1 user=$U1" login $U1 $P1 secured initial
try "upper-case login: auth_username_format %Lu" "OK 1 user=$U1" plain ${U1^^} $P1 secured
out=$(ac plain $U1 $WRONG secured)
t_expect "wrong password: FAIL" "FAIL 1 user=$U1 reason=Authentication failed" echo "$(first <<<"$out")"
t_check "...after auth_failure_delay (300ms; took $(elapsed <<<"$out")s)" \
	python3 -c "import sys; sys.exit(not 0.29 <= float('$(elapsed <<<"$out")') < 2)"
out=$(ac plain $U1 $P1 secured)
t_check "success is not delayed (took $(elapsed <<<"$out")s)" python3 -c "import sys; sys.exit(not float('$(elapsed <<<"$out")') < 0.25)"
try "locked account (usermod -L) refused" "FAIL 1 user=$U2 reason=Authentication failed" plain $U2 $P2 secured
t_check "...logged as locked" inst_wait grep -q "user=<$U2>.*reason=account locked" "$I/maillog"
try "expired account (usermod -e 1) refused" "FAIL 1 user=$U3 reason=Authentication failed" plain $U3 $P3 secured
t_check "...logged as expired" inst_wait grep -q "user=<$U3>.*reason=account expired" "$I/maillog"
try "inactive account (password expired, chage -I) refused" "FAIL 1 user=$U4 reason=Authentication failed" plain $U4 $P4 secured
t_check "...logged as inactive" inst_wait grep -q "user=<$U4>.*reason=account inactive" "$I/maillog"
try "unknown user refused" "FAIL 1 user=nosuchuser reason=Authentication failed" plain nosuchuser $P1 secured
try "plaintext on an insecure non-loopback connection refused" \
	"FAIL 1 reason=Plaintext authentication disallowed on non-secure (SSL/TLS) connections." plain $U1 $P1
try "...but loopback counts as secured" "OK 1 user=$U1" plain $U1 $P1 rip=127.0.0.1
try "authzid other than authcid refused" \
	"FAIL 1 reason=Authorization identity differs from authentication identity" plain $U1 $P1 secured authzid=root

try "passwd-file, SHA512-CRYPT from hato pw" "OK 1 user=va@example.test" plain va@example.test $PA secured
try "passwd-file, ARGON2ID from hato pw" "OK 1 user=vb@example.test" login vb@example.test $PB secured
try "...a wrong one fails" "FAIL 1 user=vb@example.test reason=Authentication failed" plain vb@example.test $PA secured
try "passwd-file, PLAIN scheme, CRAM-MD5" "OK 1 user=vc@example.test" cram vc@example.test $PC
try "...a wrong CRAM-MD5 digest fails" "FAIL 1 user=vc@example.test reason=Authentication failed" cram vc@example.test $PA
try "CRAM-MD5 for a user without a plaintext password fails" "FAIL 1 user=va@example.test reason=Authentication failed" cram va@example.test $PA
t_check "the bad passwd-file line is named" grep -q "warning: $I/users, line 7: expected user:" "$I/maillog"
try "lmdb passdb (postmap passwd-file:)" "OK 1 user=vd@example.test" plain vd@example.test $PD secured
echo "ve@example.test:$(echo "$PE" | "$HATO" pw):5005:5005::/var/vmail/ve::" >>"$I/users"
try "a user added to the passwd-file logs in without a restart" "OK 1 user=ve@example.test" plain ve@example.test $PE secured

H1=$(getent passwd $U1 | cut -d: -f6)
try "USER: system user" "USER 7 $U1 uid=$(id -u $U1) gid=$(id -g $U1) home=$H1 mail=maildir:$H1/Maildir system_groups_user=$U1" user $U1
try "USER: passwd-file user" "USER 7 va@example.test uid=5001 gid=5001 home=/var/vmail/va mail=maildir:/var/vmail/va/Maildir" user va@example.test
try "USER: unknown" "NOTFOUND 7" user nobody-here
try "USER: root is below first_valid_uid" "NOTFOUND 7" user root

# 50 wrong passwords from one address, all outstanding at once on one connection
cat >"$T/flood.py" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
from authclient import AuthClient, b64
c = AuthClient(sys.argv[2])
user, wrong, good = sys.argv[3:6]
sent = {}
for i in range(1, 51):
    sent[i] = time.time()
    c.send("AUTH\t%d\tPLAIN\tservice=smtp\trip=198.51.100.7\tsecured\tresp=%s" % (i, b64("\0" + user + "\0" + wrong)))
got = {}
for _ in range(50):
    f = c.reply()
    got[int(f[1])] = (f, time.time() - sent[int(f[1])])
fails = [i for i in got if "reason=Authentication failed" in got[i][0]]
refused = [i for i in got if "reason=Too many authentication failures" in got[i][0]]
print("replies=%d failed=%s refused=%d min_delay=%.3f" % (len(got), sorted(fails), len(refused),
      min(d for _, d in got.values())))
c.send("AUTH\t99\tPLAIN\tservice=smtp\trip=198.51.100.7\tsecured\tresp=%s" % b64("\0" + user + "\0" + good))
print("right password from that address:", "\t".join(c.reply()).split("\t")[-1])
PY
out=$(python3 "$T/flood.py" "$TOPDIR/tests/authd" "$S" $U1 $WRONG $P1)
t_expect "50 wrong passwords: all answered, the first 10 checked, 40 refused unchecked" \
	"replies=50 failed=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10] refused=40" echo "$(sed -n 's/ min_delay.*//p' <<<"$out")"
t_check "...every one delayed ($(grep -o 'min_delay=[0-9.]*' <<<"$out"))" \
	python3 -c "import sys; sys.exit(not float('$(grep -o 'min_delay=[0-9.]*' <<<"$out" | cut -d= -f2)') >= 0.29)"
t_expect "...then even the right password from that address is refused" \
	"right password from that address: reason=Too many authentication failures" echo "$(sed -n '2p' <<<"$out")"
try "...while another address logs in" "OK 1 user=$U1" plain $U1 $P1 secured rip=203.0.113.5
t_check "the log names user, rip, mechanism, service and reason" \
	grep -q "auth failed: user=<$U1>, rip=198.51.100.7, mech=PLAIN, service=smtp, reason=too many failures" "$I/maillog"
t_check "...and successes too" grep -q "auth ok: user=<va@example.test>, rip=192.0.2.10, mech=PLAIN, service=smtp, passdb=passwd-file:" "$I/maillog"
# searched - a search of the log passes only if it found nothing (bad is
# empty) in a log that has authd's lines (an empty log hides everything)
searched() {
	if [ -n "$bad" ]; then return; fi
	if grep -q 'authd\[' "$I/maillog"; then t_ok "$1"; else t_fail "$1" "the log has no authd lines to search"; fi
}
bad=
for p in $P1 $P2 $P3 $P4 $WRONG $PA $PB $PC $PD $PE; do
	if grep -qF -- "$p" "$I/maillog"; then t_fail "password $p appears in the log"; bad=1; fi
done
searched "no password used here appears in the log ($(grep -c 'authd\[' "$I/maillog") authd lines)"
bad=
for h in "$hA" "$hB" "$hD"; do
	if grep -qF -- "${h#*\}}" "$I/maillog"; then t_fail "a hash appears in the log"; bad=1; fi
done
searched "no hash appears in the log"
