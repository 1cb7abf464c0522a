#!/usr/bin/env python3
"""slow_data - one SMTP client that is quick until the message content,
then slow.  Prints "OUTCOME SECONDS REPLY" where OUTCOME is "cut" (the
server closed the connection or said 421) or "answered" (a reply to the
content came), SECONDS the time the content phase lasted.

usage: slow_data.py PORT data|bdat BYTES_PER_SECOND SECONDS
Sends content at the given rate (in bursts every 0.1 s, or one byte per
1/rate seconds below 10 bytes/s) for at most SECONDS, then ends it.
"""
import socket, sys, time

port, verb, rate, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port), timeout=60)
f = s.makefile("rb")


def reply():
    lines = []
    while True:
        line = f.readline()
        if not line:
            return None
        lines.append(line.decode(errors="replace").rstrip())
        if line[3:4] != b"-":
            return lines[-1]


def cmd(c):
    s.sendall(c.encode() + b"\r\n")
    return reply()


reply()
cmd("EHLO slow.example.test")
cmd("MAIL FROM:<slow@example.org>")
cmd("RCPT TO:<b@example.test>")
total = int(rate * secs) + 40
if verb == "data":
    cmd("DATA")
else:
    s.sendall(b"BDAT %d LAST\r\n" % total)
body = (b"Subject: slow\r\n\r\n" + b"x" * 76 + b"\r\n") * (total // 78 + 1)
body = body[:total - 5] + b"\r\n.\r\n" if verb == "data" else body[:total]
step, chunk = (0.1, max(1, int(rate / 10))) if rate >= 10 else (1 / rate, 1)
t0, sent, outcome, last = time.monotonic(), 0, "answered", ""
s.settimeout(step)
while sent < len(body):
    try:
        s.sendall(body[sent:sent + chunk])
        sent += chunk
    except OSError:
        outcome = "cut"
        break
    try:
        data = s.recv(512)   # a reply before the end: the server gave up on us
        last = data.decode(errors="replace").strip()
        if sent < len(body) or not data or data.startswith(b"421"):
            outcome = "cut"
        break
    except socket.timeout:
        pass
if outcome == "answered" and not last:
    s.settimeout(60)
    last = reply() or ""
    if last.startswith("421") or not last:
        outcome = "cut"
print(outcome, "%.1f" % (time.monotonic() - t0), last.replace(" ", "_")[:60] or "(closed)")
