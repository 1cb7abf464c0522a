#!/usr/bin/env python3
"""mailbox_find - read a Maildir or an mbox file with Python's stock
readers (mailbox.Maildir, mailbox.mbox) and print, as one JSON object, the
message whose Subject is SUBJECT: its headers of interest, its body, the
file it is in (Maildir), and how many messages the mailbox holds.  Exit 1
when there is no such message.

usage: mailbox_find.py maildir|mbox PATH SUBJECT"""
import json
import mailbox
import os
import sys


def main():
    kind, path, subject = sys.argv[1], sys.argv[2], sys.argv[3]
    box = mailbox.Maildir(path, factory=None, create=False) if kind == "maildir" else mailbox.mbox(path, create=False)
    keys = list(box.keys())
    for key in keys:
        msg = box[key]
        if msg["Subject"] != subject:
            continue
        out = {
            "count": len(keys),
            "return_path": msg["Return-Path"],
            "delivered_to": msg.get_all("Delivered-To") or [],
            "x_original_to": msg["X-Original-To"],
            "from": msg["From"],
            "body": msg.get_payload(),
        }
        if kind == "maildir":
            out["file"] = os.path.join(path, box._lookup(key))
        else:
            out["from_line"] = msg.get_from()
        print(json.dumps(out))
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
