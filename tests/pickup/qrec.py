#!/usr/bin/env python3
"""qrec.py - write a hato record stream (docs/queue-format.md) for tests.

Reads one record per line on stdin: the type letter, one space, the
payload ("\\n", "\\x00" ... escapes allowed); writes the binary stream to
stdout.  Example:  printf 'V hato-queue 1\\nS a@b\\nR c@d\\nM \\nX \\nZ \\n'
"""
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def main():
    out = sys.stdout.buffer
    for line in sys.stdin.read().split("\n"):
        if not line:
            continue
        payload = line[2:].encode("latin-1").decode("unicode_escape").encode("latin-1")
        out.write(line[0].encode() + varint(len(payload)) + payload)


main()
