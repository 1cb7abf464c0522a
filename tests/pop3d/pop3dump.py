#!/usr/bin/env python3
"""pop3dump.py HOST PORT USER PASS - one line per message, in order:
"N UIDL SIZE SHA256-OF-RETR SHA256-OF-TOP-0" (the raw bytes), from a POP3 server (hato
or Dovecot), then "stat COUNT SIZE".  The session is dropped without
QUIT, so nothing is changed."""
import hashlib
import poplib
import sys

poplib._MAXLINE = 1 << 20	# a test message has a 5000-byte line
host, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
p = poplib.POP3(host, port, timeout=20)
p.user(user)
p.pass_(pw)
count, total = p.stat()
uidls = {int(n): u for n, u in (l.decode().split() for l in p.uidl()[1])}
sizes = {int(n): int(s) for n, s in (l.decode().split() for l in p.list()[1])}


def raw(cmd):
    """the bytes of a multi-line answer as they came, dot-stuffing, CRLFs
    and the final "." included (poplib would strip them)"""
    p._putcmd(cmd)
    first = p.file.readline()
    assert first.startswith(b"+OK"), first
    data = b""
    while True:
        line = p.file.readline(1 << 20)
        data += line
        if line in (b".\r\n", b""):
            return hashlib.sha256(data).hexdigest()[:16]


for n in range(1, count + 1):
    body = raw("RETR %d" % n)
    top = raw("TOP %d 0" % n)
    print(n, uidls[n], sizes[n], body, top)
print("stat", count, total)
p.sock.close()
