#!/usr/bin/env python3
"""smtp_dialog - a raw SMTP client for tests: no protocol help at all.

usage: smtp_dialog.py HOST PORT SRC_ADDR < script
The script is sent as bytes, exactly: write "\\r\\n" yourself.  A line that
is exactly "<WAIT>" (plus newline) is not sent: the client waits for the
next reply first.  Every reply line the server sends is printed.  Used for
what stock clients refuse to send: smuggling probes, bare LF, huge lines.
"""
import socket
import sys


def read_reply(sock, buf):
    """one complete (possibly multi-line) reply, or None on EOF"""
    lines = []
    while True:
        while b"\n" not in buf[0]:
            data = sock.recv(65536)
            if not data:
                return None
            buf[0] += data
        line, buf[0] = buf[0].split(b"\n", 1)
        lines.append(line.rstrip(b"\r").decode("utf-8", "replace"))
        if len(line) < 4 or line[3:4] != b"-":
            return lines


def main():
    host, port, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    script = sys.stdin.buffer.read().split(b"<WAIT>\n")
    sock = socket.create_connection((host, port), timeout=30, source_address=(src, 0))
    buf = [b""]
    greeting = read_reply(sock, buf)
    print("\n".join(greeting or ["(closed)"]))
    for i, chunk in enumerate(script):
        if i > 0:
            reply = read_reply(sock, buf)
            if reply is None:
                break
            print("\n".join(reply))
        if chunk:
            try:
                sock.sendall(chunk)
            except OSError:
                break
    sock.settimeout(3)
    try:
        while True:
            reply = read_reply(sock, buf)
            if reply is None:
                break
            print("\n".join(reply))
    except (socket.timeout, OSError):
        pass


if __name__ == "__main__":
    main()
