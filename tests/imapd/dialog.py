#!/usr/bin/env python3
"""dialog.py HOST PORT LINE... - one IMAP session: read the greeting,
send each LINE (a command with its tag) and print every line received up
to its tagged answer (literals printed as they come); stop when the
server closes.  A LINE "<RAW>text" is sent as is (no CRLF added) and
only what arrives within a second is printed."""
import socket
import sys


def read_until_tag(f, tag):
    while True:
        line = f.readline()
        if not line:
            return False
        sys.stdout.write(line.decode(errors="replace").rstrip("\r\n") + "\n")
        if line.rstrip(b"\r\n").endswith(b"}") and b"{" in line:
            n = int(line[line.rindex(b"{") + 1:-3].rstrip(b"+"))
            sys.stdout.write(f.read(n).decode(errors="replace"))
            continue
        if tag is None or line.startswith(tag.encode() + b" "):
            return True


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    s = socket.create_connection((host, port), 10)
    f = s.makefile("rb")
    if not read_until_tag(f, None):
        return
    for cmd in sys.argv[3:]:
        if cmd.startswith("<RAW>"):
            s.sendall(cmd[5:].encode().decode("unicode_escape").encode("latin-1"))
            s.settimeout(1)
            try:
                while True:
                    line = f.readline()
                    if not line:
                        return
                    sys.stdout.write(line.decode(errors="replace").rstrip("\r\n") + "\n")
            except (socket.timeout, OSError):
                s.settimeout(10)
                f = s.makefile("rb")
            continue
        s.sendall(cmd.encode() + b"\r\n")
        if not read_until_tag(f, cmd.split(" ", 1)[0]):
            return


if __name__ == "__main__":
    main()
