#!/usr/bin/env python3
"""dialog.py HOST PORT LINE... - one POP3 session: read the greeting,
send each LINE after the previous answer (a multi-line answer is read up
to its '.'), print every line received; stop when the server closes."""
import socket
import sys

MULTI = ("CAPA", "LIST", "UIDL", "RETR", "TOP", "AUTH")


def answer(f, cmd):
    first = f.readline()
    if not first:
        return False
    sys.stdout.write(first.decode(errors="replace").rstrip("\r\n") + "\n")
    words = cmd.split()
    multi = first.startswith(b"+OK") and words and words[0].upper() in MULTI and \
        not (words[0].upper() in ("LIST", "UIDL") and len(words) > 1) and \
        not (words[0].upper() == "AUTH" and len(words) > 1)
    while multi:
        line = f.readline()
        if not line:
            return False
        sys.stdout.write(line.decode(errors="replace").rstrip("\r\n") + "\n")
        if line in (b".\r\n", b".\n"):
            break
    return True


def main():
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
    f = s.makefile("rb")
    if not answer(f, ""):
        return
    for cmd in sys.argv[3:]:
        try:
            s.sendall(cmd.encode("latin-1") + b"\r\n")
        except OSError:
            break
        if not answer(f, cmd):
            break


main()
