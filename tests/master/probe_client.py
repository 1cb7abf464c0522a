#!/usr/bin/env python3
"""probe_client - talk to the test probe daemon.

  probe_client.py PORT [--hold SECONDS] [--timeout SECONDS]
Connects to 127.0.0.1:PORT (or a UNIX socket path), prints the probe's
line ("uid=.. gid=.. groups=.. root=.. pid=.. service=..") or "TIMEOUT"
when none arrives in time; with --hold keeps the session open that long
before sending a line and waiting for the daemon to close it.
"""
import socket
import sys
import time


def main():
    target = sys.argv[1]
    hold = 0.0
    timeout = 5.0
    args = sys.argv[2:]
    while args:
        if args[0] == "--hold":
            hold = float(args[1])
        elif args[0] == "--timeout":
            timeout = float(args[1])
        args = args[2:]
    if target.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(target)
    else:
        s = socket.create_connection(("127.0.0.1", int(target)), timeout=5)
    s.settimeout(timeout)
    try:
        line = s.makefile("r").readline().strip()
    except socket.timeout:
        line = "TIMEOUT"
    print(line, flush=True)
    if hold:
        time.sleep(hold)
    try:
        s.sendall(b"bye\n")
        s.settimeout(5)
        rest = s.recv(100)
        print("CLOSED" if rest == b"" else "DATA", flush=True)
    except OSError as e:
        print("ERROR %s" % e, flush=True)
    s.close()


main()
