#!/usr/bin/env python3
"""fakedns.py - a tiny authoritative DNS server for the tests (stdlib only).

usage: fakedns.py [--listen ADDR] [--port N] [--pidfile FILE] [--log FILE] ZONEFILE

Serves UDP and TCP on ADDR:PORT (default 127.0.0.1:53) from ZONEFILE, one
record per line, '#' starts a comment, names are case-insensitive and a
trailing dot is optional:
    example.org        MX    10 mx1.example.org
    mx1.example.org    A     127.0.0.1
    mx1.example.org    AAAA  2001:db8::1
    4.3.2.1.zen.test   TXT   "listed" "more"     (\\DDD escapes a byte)
    4.3.2.1.in-addr.arpa PTR host.example.org
    www.example.org    CNAME mx1.example.org    (followed, up to 8 hops)
    slow.test TIMEOUT    never answers
    fail.test SERVFAIL   rcode 2;  refused.test REFUSED  rcode 5
    bad.test  MALFORMED  an A record with 5 bytes of data
    big.test  TCPHANG    UDP: a truncated reply; TCP: accepts, never answers
Any other name is NXDOMAIN; a name that exists (or has names below it)
but lacks the asked type is NODATA.  A UDP reply over 512 bytes is sent
truncated (TC) so the client retries over TCP.  The pid file is written
once the sockets are bound; SIGTERM ends the server and removes it.
"""
import argparse
import os
import re
import selectors
import shlex
import signal
import socket
import struct
import sys
import threading

TYPES = {"A": 1, "CNAME": 5, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}
SPECIALS = {"TIMEOUT", "SERVFAIL", "REFUSED", "MALFORMED", "TCPHANG"}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
LOG = None
LOG_LOCK = threading.Lock()


def norm(name):
    return name.lower().rstrip(".")


def encode_name(name):
    out = b""
    for label in norm(name).split("."):
        if not label:
            continue
        raw = label.encode("latin-1")
        if len(raw) > 63:
            raise ValueError("label too long: " + label)
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def txt_rdata(strings):
    out = b""
    for s in strings:
        raw = re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1))), s).encode("latin-1")
        while True:
            out += bytes([min(len(raw), 255)]) + raw[:255]
            raw = raw[255:]
            if not raw:
                break
    return out


def rdata(rtype, fields):
    if rtype == "A":
        return socket.inet_pton(socket.AF_INET, fields[0])
    if rtype == "AAAA":
        return socket.inet_pton(socket.AF_INET6, fields[0])
    if rtype == "MX":
        return struct.pack(">H", int(fields[0])) + encode_name(fields[1])
    if rtype in ("PTR", "CNAME"):
        return encode_name(fields[0])
    return txt_rdata(fields)


class Zone:
    def __init__(self, path):
        self.records = {}   # name -> [(type code, rdata, target for CNAME)]
        self.special = {}   # name -> TIMEOUT/SERVFAIL/REFUSED/MALFORMED
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                fields = shlex.split(line, comments=True)
                if not fields:
                    continue
                try:
                    self.add(fields)
                except (ValueError, IndexError, OSError) as e:
                    sys.exit("%s, line %d: %s" % (path, n, e))

    def add(self, fields):
        name, rtype = norm(fields[0]), fields[1].upper()
        if rtype in SPECIALS:
            self.special[name] = rtype
            return
        if rtype not in TYPES:
            raise ValueError("unknown type " + rtype)
        target = norm(fields[2]) if rtype == "CNAME" else None
        self.records.setdefault(name, []).append((TYPES[rtype], rdata(rtype, fields[2:]), target))

    def exists(self, name):
        if name in self.records or name in self.special:
            return True
        suffix = "." + name
        return any(k.endswith(suffix) for k in list(self.records) + list(self.special))


def rr(owner, rtype, data):
    return owner + struct.pack(">HHIH", rtype, 1, 60, len(data)) + data


def resolve(zone, name, qtype):
    """(rcode, [rr bytes]) or None for no answer at all; rcode None: truncated"""
    special = zone.special.get(name)
    if special == "TIMEOUT":
        return None
    if special == "SERVFAIL":
        return 2, []
    if special == "REFUSED":
        return 5, []
    if special == "TCPHANG":
        return None, []
    if special == "MALFORMED":
        return 0, [rr(b"\xc0\x0c", 1, b"\x7f\0\0\1\2")]
    answers, cur = [], name
    for hop in range(8):
        owner = b"\xc0\x0c" if hop == 0 else encode_name(cur)
        recs = zone.records.get(cur, [])
        cname = [r for r in recs if r[0] == 5]
        if cname and qtype != 5:
            answers.append(rr(owner, 5, cname[0][1]))
            cur = cname[0][2]
            continue
        answers += [rr(owner, t, d) for t, d, _ in recs if t == qtype]
        if not zone.exists(cur):
            return 3, answers
        return 0, answers
    return 2, answers


def handle(zone, data, tcp):
    if len(data) < 12:
        return None
    qid, flags, qdcount = struct.unpack(">HHH", data[:6])
    if flags & 0x8000:
        return None
    pos, labels = 12, []
    try:
        while data[pos]:
            n = data[pos]
            if n & 0xC0:
                raise IndexError
            labels.append(data[pos + 1:pos + 1 + n].decode("latin-1"))
            pos += 1 + n
        qtype, _qclass = struct.unpack(">HH", data[pos + 1:pos + 5])
    except (IndexError, struct.error):
        return struct.pack(">HHHHHH", qid, 0x8001, 0, 0, 0, 0)
    question = data[12:pos + 5]
    name = norm(".".join(labels))
    result = resolve(zone, name, qtype)
    log("%s %s %s -> %s" % ("tcp" if tcp else "udp", name, TYPE_NAMES.get(qtype, qtype),
                            "no reply" if result is None else "rcode %s, %d answers" %
                            (result[0], len(result[1]))))
    if result is None or (tcp and result[0] is None):
        return None
    rcode, answers = result
    if rcode is None:
        return struct.pack(">HHHHHH", qid, 0x8780 | (flags & 0x7900), 1, 0, 0, 0) + question
    rflags = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode
    reply = struct.pack(">HHHHHH", qid, rflags, 1, len(answers), 0, 0) + question + b"".join(answers)
    if not tcp and len(reply) > 512:
        reply = struct.pack(">HHHHHH", qid, rflags | 0x0200, 1, 0, 0, 0) + question
    return reply


def log(text):
    if LOG:
        with LOG_LOCK:
            LOG.write(text + "\n")
            LOG.flush()


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve_tcp(zone, conn):
    with conn:
        try:
            while True:
                head = read_exact(conn, 2)
                query = head and read_exact(conn, struct.unpack(">H", head)[0])
                if not query:
                    return
                reply = handle(zone, query, True)
                if reply is not None:
                    conn.sendall(struct.pack(">H", len(reply)) + reply)
        except OSError:
            return


def main():
    global LOG
    ap = argparse.ArgumentParser(description="tiny authoritative DNS server for tests")
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--pidfile")
    ap.add_argument("--log")
    ap.add_argument("zonefile")
    args = ap.parse_args()
    zone = Zone(args.zonefile)
    if args.log:
        LOG = open(args.log, "a", encoding="utf-8")
    family = socket.AF_INET6 if ":" in args.listen else socket.AF_INET
    udp = socket.socket(family, socket.SOCK_DGRAM)
    udp.bind((args.listen, args.port))
    tcp = socket.socket(family, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((args.listen, args.port))
    tcp.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.pidfile:
        with open(args.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(args.pidfile + ".tmp", args.pidfile)
    sel = selectors.DefaultSelector()
    sel.register(udp, selectors.EVENT_READ)
    sel.register(tcp, selectors.EVENT_READ)
    try:
        while True:
            for key, _ in sel.select():
                if key.fileobj is udp:
                    data, peer = udp.recvfrom(65535)
                    reply = handle(zone, data, False)
                    if reply is not None:
                        udp.sendto(reply, peer)
                else:
                    conn, _ = tcp.accept()
                    threading.Thread(target=serve_tcp, args=(zone, conn), daemon=True).start()
    finally:
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass


if __name__ == "__main__":
    main()
