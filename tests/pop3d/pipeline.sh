#!/usr/bin/env bash
# pipeline.sh - PIPELINING (RFC 2449) and the TLS relay under load: the
# login and every command of a session sent in one write, in the clear
# (the mail process gets the bytes pipelined after PASS from pop3d with
# the handoff) and over pop3s (pop3d relays: a 2 MB RETR flowing out
# while commands flow in); every answer arrives in order and each
# message byte for byte.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pop3 tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/pop3.sh"

U=hlpop8 PW=Pop-pass-8
t_check "an instance with pop3d starts" pop3_instance $U $PW "message_size_limit = 10240000"
python3 -c "
import random
random.seed(8)
for i in range(40000):
    print(('.' if i % 9 == 0 else '') + ''.join(random.choice('abcdefghij klmnop') for _ in range(50)))" >"$T/big.txt"
swaks --server 127.0.0.1:$SMTP_PORT --from s@example.test --to $U@localhost --header "Subject: big" \
	--body "$T/big.txt" -n >/dev/null 2>&1
t_check "a 2 MB message and 20 small ones delivered" pop3_send 20
inst_wait pop3_count_is 21

cat >"$T/pipe.py" <<'PY'
import hashlib, socket, ssl, sys, glob
port, user, pw, tls, home = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "tls", sys.argv[5]
s = socket.create_connection(("127.0.0.1", port), timeout=30)
if tls:
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s, server_hostname="x")
cmds = ["USER " + user, "PASS " + pw, "STAT", "LIST", "UIDL"] + ["RETR %d" % n for n in range(1, 22)] + ["QUIT"]
f = s.makefile("rb")
f.readline()
s.sendall("".join(c + "\r\n" for c in cmds).encode())
def multi():
    data = []    # joined at the end: bytes += per line is quadratic (2 MB RETR)
    while True:
        l = f.readline()
        if l == b".\r\n" or not l: return b"".join(data)
        data.append(l[1:] if l.startswith(b"..") else l)
answers, bodies = [], []
for c in cmds:
    first = f.readline().decode().strip()
    answers.append(first)
    if first.startswith("+OK") and c.split()[0] in ("LIST", "UIDL", "RETR"):
        d = multi()
        if c.startswith("RETR"): bodies.append(d)
print("ok-answers", sum(a.startswith("+OK") for a in answers), "of", len(cmds))
want = set()
for p in glob.glob(home + "/Maildir/cur/*"):
    want.add(hashlib.sha256(open(p, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")).hexdigest())
got = set(hashlib.sha256(b).hexdigest() for b in bodies)
print("bodies", len(bodies), "equal" if got == want else "differ", max(len(b) for b in bodies) > 2000000)
PY
python3 "$T/pipe.py" $POP3_PORT $U $PW plain "$INST_HOME" >"$T/plain.out" 2>&1
t_check "in the clear: all 27 commands of one write answered +OK, in order" grep -qx "ok-answers 27 of 27" "$T/plain.out"
t_check "...and the 21 messages (one of 2 MB) came byte for byte" grep -qx "bodies 21 equal True" "$T/plain.out"
python3 "$T/pipe.py" $POP3S_PORT $U $PW tls "$INST_HOME" >"$T/tls.out" 2>&1
t_check "over pop3s (the relay): all 27 answered +OK, in order" grep -qx "ok-answers 27 of 27" "$T/tls.out"
t_check "...and the 21 messages came byte for byte" grep -qx "bodies 21 equal True" "$T/tls.out"
