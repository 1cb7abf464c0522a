#!/usr/bin/env python3
"""hold_sessions - idle SMTP sessions for the connection limit tests.

usage: hold_sessions.py PORT RELEASE SRC...
Connects to 127.0.0.1:PORT once from each source address, one after the
other, and prints "SRC CODE" with the greeting's reply code; then keeps
every session open, sending nothing, until the file RELEASE exists
(/dev/null: close at once)."""
import os
import socket
import sys
import time


def main():
    port, release, srcs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    socks = []
    for src in srcs:
        s = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(src, 0))
        socks.append(s)
        print(src, s.recv(1000).decode()[:3], flush=True)
    while not os.path.exists(release):
        time.sleep(0.1)


main()
