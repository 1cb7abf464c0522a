#!/usr/bin/env python3
"""pop3dump.py HOST PORT USER PASS - one line per message, in order:
"N UIDL SIZE SHA256-OF-RETR SHA256-OF-TOP-0", from a POP3 server (hato
or Dovecot), then "stat COUNT SIZE".  The session is dropped without
QUIT, so nothing is changed."""
import hashlib
import poplib
import sys

host, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
p = poplib.POP3(host, port, timeout=20)
p.user(user)
p.pass_(pw)
count, total = p.stat()
uidls = {int(n): u for n, u in (l.decode().split() for l in p.uidl()[1])}
sizes = {int(n): int(s) for n, s in (l.decode().split() for l in p.list()[1])}
for n in range(1, count + 1):
    body = hashlib.sha256(b"\r\n".join(p.retr(n)[1])).hexdigest()[:16]
    top = hashlib.sha256(b"\r\n".join(p.top(n, 0)[1])).hexdigest()[:16]
    print(n, uidls[n], sizes[n], body, top)
print("stat", count, total)
p.sock.close()
