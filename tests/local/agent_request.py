#!/usr/bin/env python3
"""agent_request - be qmgr for one request: connect to a delivery agent's
socket (private/local, private/virtual), read its hello {protocol=delivery,
version=1}, send one request (global/deliver.h) and print the reply as
one JSON object, e.g. {"status_0": "sent", "dsn_0": "2.0.0", ...}.

usage: agent_request.py SOCKET QUEUE_FILE SENDER RCPT [RCPT...]
QUEUE_FILE is relative to the queue directory ("active/ID"); the queue ID
is its last component.  AGENT_ARRIVAL=SEC sets arrival_time (default: now),
AGENT_RETRY=N adds retry=N (enum deliver_retry), AGENT_OFFSET=N sets
every offset_N (default 0: no recipient record there), AGENT_NEXTHOP the
nexthop (default "local")."""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from attrcodec import encode, read_msg  # noqa: E402


def main():
    path, qfile, sender, rcpts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(120)
    s.connect(path)
    f = s.makefile("rb")
    hello = read_msg(f)
    if hello != {"protocol": "delivery", "version": "1"}:
        sys.exit("bad hello: %r" % hello)
    req = [("queue_id", qfile.split("/")[-1]), ("queue_file", qfile), ("nexthop", os.environ.get("AGENT_NEXTHOP", "local")),
           ("sender", sender), ("flags", "0"),
           ("arrival_time", os.environ.get("AGENT_ARRIVAL", str(int(time.time())))),
           ("rcpt_count", str(len(rcpts)))]
    if os.environ.get("AGENT_RETRY"):
        req.append(("retry", os.environ["AGENT_RETRY"]))
    for i, r in enumerate(rcpts):
        req += [("rcpt_%d" % i, r), ("offset_%d" % i, os.environ.get("AGENT_OFFSET", "0"))]
    s.sendall(encode(req))
    reply = read_msg(f)
    if reply is None:
        sys.exit("no reply")
    print(json.dumps(reply, sort_keys=True))


if __name__ == "__main__":
    main()
