#!/usr/bin/env bash
# parallel.sh - authd checks password hashes on worker threads: with
# auth_failure_delay = 0, 8 logins on 8 connections at once for a
# passwd-file user with a slow hash (ARGON2ID from "hato pw") take clearly
# less wall time than 8 times one login (measured here too); the authd
# process has one thread per CPU (at most 8) besides the event loop; and
# right and wrong passwords among them still get OK and FAIL.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "authd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
trap 'inst_cleanup' EXIT

PW=Slow-argon-pass-7
inst_new
echo "auth      unix  -       n       n       -       1       authd" >>"$I/master.cf"
echo "slow@example.test:$(echo "$PW" | "$HATO" pw -s ARGON2ID):5001:5001::/var/vmail/slow::" >>"$I/users"
inst_set "auth_failure_delay = 0" "passdb = passwd-file:$I/users" "userdb = passwd-file:$I/users"
t_check "instance with authd starts" inst_start
S=$I/queue/private/auth
t_expect "a login with the slow hash works" "OK 1 user=slow@example.test" \
	bash -c "python3 '$TOPDIR/tests/authd/authclient.py' '$S' plain slow@example.test '$PW' secured | head -1"

cpus=$(nproc)
want=$((cpus > 8 ? 8 : cpus))
pid=$(pgrep -x -P "$(tr -dc 0-9 <"$I/queue/pid/master.pid")" authd)
t_expect "authd has $want worker threads and its event loop ($cpus CPUs)" "$((want + 1))" \
	bash -c "ls /proc/$pid/task | wc -l"

cat >"$T/par.py" <<'PY'
import sys, threading, time
sys.path.insert(0, sys.argv[1])
from authclient import AuthClient, b64
sock, user, pw = sys.argv[2:5]

def login(i, password, out):
    c = AuthClient(sock)
    c.send("AUTH\t%d\tPLAIN\tservice=pop3\trip=127.0.0.1\tsecured\tresp=%s" % (i, b64("\0" + user + "\0" + password)))
    out[i] = c.reply()
    c.close()

def timed(n, wrong=()):
    out, ts = {}, []
    for i in range(1, n + 1):
        ts.append(threading.Thread(target=login, args=(i, "nope" if i in wrong else pw, out)))
    start = time.time()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.time() - start, out

one = min(timed(1)[0] for _ in range(3))
eight, out = timed(8, wrong=(3, 6))
oks = sorted(i for i, f in out.items() if f and f[0] == "OK")
fails = sorted(i for i, f in out.items() if f and f[0] == "FAIL")
print("one=%.3f eight=%.3f ratio=%.2f oks=%s fails=%s" % (one, eight, eight / (8 * one), oks, fails))
PY
out=$(python3 "$T/par.py" "$TOPDIR/tests/authd" "$S" slow@example.test "$PW")
t_expect "8 logins at once: 6 right passwords OK, 2 wrong ones FAIL" \
	"oks=[1, 2, 4, 5, 7, 8] fails=[3, 6]" echo "$(grep -o 'oks=.*' <<<"$out")"
ratio=$(sed -n 's/.*ratio=\([0-9.]*\).*/\1/p' <<<"$out")
if [ "$cpus" -lt 2 ]; then
	t_ok "8 logins at once are checked in parallel # SKIP one CPU"
else
	t_check "8 logins at once take less than 0.75 x 8 x one login ($(cut -d' ' -f1-3 <<<"$out"))" \
		python3 -c "import sys; sys.exit(not float('$ratio') < 0.75)"
fi
t_check "no panic or fatal in the log" bash -c "! grep -E 'authd.*(panic|fatal)' '$I/maillog'"
