#!/usr/bin/env python3
"""tls_pipeline.py HOST PORT START NEXT - STARTTLS (or STLS) with another
command pipelined behind it in the same packet, for the POP3 and IMAP
hostile tests: read the greeting, send START (Python escapes, e.g.
"a STARTTLS\\r\\nb CAPABILITY\\r\\n"), print "start: LINE" (the answer in
the clear), do the TLS handshake, print "inside: nothing" unless
something arrives within 1.5 s (the pipelined command answered inside
TLS: a finding), then send NEXT and print "next: LINE"."""
import socket
import ssl
import sys


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def main():
    host, port, start, nxt = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    s = socket.create_connection((host, port), timeout=10)
    f = s.makefile("rb")
    f.readline()
    s.sendall(unescape(start))
    print("start:", f.readline().decode().strip())
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    t = ctx.wrap_socket(s, server_hostname="x")
    t.settimeout(1.5)
    try:
        print("inside:", t.recv(100))
    except (socket.timeout, TimeoutError):
        print("inside: nothing")
    t.sendall(unescape(nxt))
    t.settimeout(5)
    print("next:", t.recv(100).decode(errors="replace").strip())


if __name__ == "__main__":
    main()
