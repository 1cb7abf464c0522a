#!/usr/bin/env bash
# parallel.sh - authd checks password hashes on worker threads: with
# auth_failure_delay = 0, during 8 logins on 8 connections at once for a
# passwd-file user with a slow hash (ARGON2ID from "hato pw"), two or more
# of authd's worker threads are seen running at the same moment (their
# states sampled in /proc: no wall-clock claim, which a loaded machine
# would break; the speed-up belongs in make bench); the authd process has
# one thread per CPU (at most 8) besides the event loop; and right and
# wrong passwords among them still get OK and FAIL.
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
sock, user, pw, pid = sys.argv[2:6]
import os
busiest = 0
sampling = True

def sample():
    """the most worker threads seen running (state R) at one moment"""
    global busiest
    main = int(pid)
    while sampling:
        n = 0
        for t in os.listdir("/proc/%s/task" % pid):
            try:
                with open("/proc/%s/task/%s/stat" % (pid, t)) as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            n += int(t) != main and state == "R"
        busiest = max(busiest, n)
        time.sleep(0.002)

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

s = threading.Thread(target=sample)
s.start()
eight, out = timed(8, wrong=(3, 6))
sampling = False
s.join()
oks = sorted(i for i, f in out.items() if f and f[0] == "OK")
fails = sorted(i for i, f in out.items() if f and f[0] == "FAIL")
print("busiest=%d oks=%s fails=%s" % (busiest, oks, fails))
PY
out=$(python3 "$T/par.py" "$TOPDIR/tests/authd" "$S" slow@example.test "$PW" "$pid")
t_expect "8 logins at once: 6 right passwords OK, 2 wrong ones FAIL" \
	"oks=[1, 2, 4, 5, 7, 8] fails=[3, 6]" echo "$(grep -o 'oks=.*' <<<"$out")"
busiest=$(sed -n 's/.*busiest=\([0-9]*\).*/\1/p' <<<"$out")
if [ "$cpus" -lt 2 ]; then
	t_ok "8 logins at once are checked in parallel # SKIP one CPU"
else
	t_check "8 logins at once: 2 or more worker threads hash at the same moment (seen: $busiest)" \
		test "${busiest:-0}" -ge 2
fi
t_check "no panic or fatal in the log" bash -c "! grep -E 'authd.*(panic|fatal)' '$I/maillog'"
