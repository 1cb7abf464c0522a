#!/usr/bin/env python3
"""fake_agent - a delivery agent for qmgr tests: listens on a UNIX socket,
speaks the delivery protocol (docs: global/deliver.h), and answers every
recipient by a rule on its local part: "defer*" -> deferred, "bounce*" ->
bounced, anything else -> sent.  Each request is appended to LOG as one
JSON line.  usage: fake_agent.py SOCKET LOG"""
import json
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from attrcodec import encode, read_msg  # noqa: E402


def main():
    path, log = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    os.chmod(path, 0o666)
    srv.listen(50)
    while True:
        conn, _ = srv.accept()
        f = conn.makefile("rb")
        conn.sendall(encode([("protocol", "delivery"), ("version", "1")]))
        req = read_msg(f)
        if req is None:
            conn.close()
            continue
        with open(log, "a") as fp:
            fp.write(json.dumps(req) + "\n")
        reply = []
        for i in range(int(req["rcpt_count"])):
            local = req["rcpt_%d" % i].split("@")[0]
            st, dsn = ("deferred", "4.2.0") if local.startswith("defer") else \
                      ("bounced", "5.1.1") if local.startswith("bounce") else ("sent", "2.0.0")
            reply += [("status_%d" % i, st), ("dsn_%d" % i, dsn), ("relay_%d" % i, "fake"),
                      ("text_%d" % i, "fake agent says %s" % st)]
        conn.sendall(encode(reply))
        conn.close()


if __name__ == "__main__":
    main()
