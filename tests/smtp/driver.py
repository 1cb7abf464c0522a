#!/usr/bin/env python3
"""driver.py - play qmgr for the smtp delivery agent: connect to its UNIX
socket, read the hello {protocol=delivery, version=1}, send one request
and print the reply as one JSON object per recipient (status, dsn,
relay, text).  Attribute codec: name\\0value\\0 ... \\0 (libutil/attr.h).

usage: driver.py SOCKET QUEUE_FILE NEXTHOP SENDER RCPT [RCPT...]
  RCPT may carry DSN data: "addr|NOTIFY|ORCPT" (empty parts are left out)
  env DRIVER_ENVID / DRIVER_RET add dsn_envid / dsn_ret"""
import json
import os
import socket
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from attrcodec import encode, read_msg  # noqa: E402


def main():
    path, qfile, nexthop, sender = sys.argv[1:5]
    rcpts = sys.argv[5:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(600)
    s.connect(path)
    f = s.makefile("rb")
    hello = read_msg(f)
    if hello is None or hello.get("protocol") != "delivery" or hello.get("version") != "1":
        sys.exit("bad hello: %r" % hello)
    qid = os.path.basename(qfile)
    pairs = [("queue_id", qid), ("queue_file", qfile), ("nexthop", nexthop),
             ("sender", sender), ("flags", "0"), ("arrival_time", "0")]
    if os.environ.get("DRIVER_ENVID"):
        pairs.append(("dsn_envid", os.environ["DRIVER_ENVID"]))
    if os.environ.get("DRIVER_RET"):
        pairs.append(("dsn_ret", os.environ["DRIVER_RET"]))
    pairs.append(("rcpt_count", str(len(rcpts))))
    for i, r in enumerate(rcpts):
        parts = r.split("|")
        pairs.append(("rcpt_%d" % i, parts[0]))
        if len(parts) > 1 and parts[1]:
            pairs.append(("notify_%d" % i, parts[1]))
        if len(parts) > 2 and parts[2]:
            pairs.append(("orcpt_%d" % i, parts[2]))
        pairs.append(("offset_%d" % i, "0"))
    s.sendall(encode(pairs))
    reply = read_msg(f)
    if reply is None:
        sys.exit("no reply from the agent")
    for i in range(len(rcpts)):
        print(json.dumps({k: reply.get("%s_%d" % (k, i)) for k in ("status", "dsn", "relay", "text")}))


if __name__ == "__main__":
    main()
