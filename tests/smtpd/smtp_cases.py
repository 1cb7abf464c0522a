#!/usr/bin/env python3
"""smtp_cases - run a table of SMTP dialogues against one server and print
one line per case, so two servers' answers can be compared line by line.

usage: smtp_cases.py HOST PORTBASE CASEFILE
CASEFILE lines: NAME|PORT_OFFSET|SOURCE_ADDRESS|CMD;CMD;...  ('#' comments).
Each command is sent alone and its reply awaited (no pipelining), except
that "CMD<P>CMD" sends both in one packet (a pipelining probe).  Output:
"NAME: REPLY | REPLY ...", preceded by the greeting when it is not a
220 (a server refusing the client at connect): a 250 reply to HELO/EHLO is shortened to "250"
(capabilities differ between servers); a multi-line reply is its last line.
"""
import socket
import sys


def read_reply(sock, buf):
    """the last line of one complete reply, or "(closed)" on EOF"""
    while True:
        while b"\n" not in buf[0]:
            data = sock.recv(65536)
            if not data:
                return "(closed)"
            buf[0] += data
        line, buf[0] = buf[0].split(b"\n", 1)
        line = line.rstrip(b"\r").decode("utf-8", "replace")
        if len(line) < 4 or line[3] != "-":
            return line


def run_case(host, port, src, cmds):
    """the replies to cmds, greeting excluded"""
    sock = socket.create_connection((host, port), timeout=30, source_address=(src, 0))
    buf = [b""]
    out = []
    greeting = read_reply(sock, buf)
    if not greeting.startswith("220"):
        out.append("(greeting) " + greeting)
    for cmd in cmds:
        parts = cmd.split("<P>")
        sock.sendall(b"".join(p.encode() + b"\r\n" for p in parts))
        for p in parts:
            r = read_reply(sock, buf)
            if p.split(" ")[0].upper() in ("HELO", "EHLO") and r.startswith("250"):
                r = "250"
            out.append(r)
    sock.sendall(b"QUIT\r\n")
    sock.close()
    return out


def main():
    host, base, casefile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    for line in open(casefile):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, off, src, cmds = line.split("|", 3)
        try:
            replies = run_case(host, base + int(off), src, cmds.split(";"))
        except OSError as e:
            replies = ["(error: %s)" % e]
        print("%s: %s" % (name, " | ".join(replies)))
        sys.stdout.flush()


main()
