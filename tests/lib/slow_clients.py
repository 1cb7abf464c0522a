#!/usr/bin/env python3
"""slow_clients - N SMTP clients that each read the greeting, then send
"EHLO slow.example.test\\r\\n" one byte every INTERVAL seconds, until the
server closes the connection.  Prints one line:
  opened=N greeted=N cut=N timeout421=N min=S max=S
where cut counts connections the server closed, timeout421 those that got
"421 4.4.2 ... timeout" first, and min/max are the connection lifetimes
(seconds from the greeting to the close) of the cut ones.

usage: slow_clients.py PORT N INTERVAL GIVEUP
Clients still open after GIVEUP seconds are closed by us (not counted as cut).
"""
import socket, sys, threading, time

port, n, interval, giveup = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
lock = threading.Lock()
st = dict(opened=0, greeted=0, cut=0, timeout421=0)
lives = []
ready = threading.Barrier(n + 1, timeout=120)


def client():
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
    except OSError:
        ready.wait()
        return
    with lock:
        st["opened"] += 1
    s.settimeout(0.05)
    got = b""
    t0 = time.monotonic()
    try:
        s.settimeout(60)
        got = s.recv(512)
        t0 = time.monotonic()
        if got.startswith(b"220"):
            with lock:
                st["greeted"] += 1
    except OSError:
        pass
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        pass
    line = b"EHLO slow.example.test\r\n"
    s.settimeout(interval)
    i = 0
    while time.monotonic() - t0 < giveup:
        try:
            data = s.recv(512)
            if not data:
                break
            got += data
        except socket.timeout:
            try:
                s.send(line[i % len(line):i % len(line) + 1])
                i += 1
            except OSError:
                break
        except OSError:
            break
    else:
        s.close()
        return
    life = time.monotonic() - t0
    s.close()
    with lock:
        st["cut"] += 1
        lives.append(life)
        if b"421 4.4.2" in got:
            st["timeout421"] += 1


ts = [threading.Thread(target=client) for _ in range(n)]
for t in ts:
    t.start()
try:
    ready.wait()
except threading.BrokenBarrierError:
    pass
print("all-greeted", flush=True)
for t in ts:
    t.join()
print(" ".join("%s=%d" % kv for kv in st.items()),
      "min=%.1f max=%.1f" % (min(lives) if lives else -1, max(lives) if lives else -1), flush=True)
