#!/usr/bin/env python3
"""render_diff.py - FETCH answers of a private Dovecot against hato's
renderers (build/tests/imaprender) for every message of a corpus.

    render_diff.py PORT USER PASS CORPUS_DIR HATO KNOWN_FILE

HATO is build/tests/imaprender (hato's renderers on each file), or
imap:PORT:USER:PASS, hato's IMAP server holding the same messages.

Dovecot serves the corpus from USER's Maildir (EXAMINE: nothing is
marked \\Seen, so no FLAGS join the answers); each item is fetched alone
("tN FETCH seq (ITEM)") and its answer taken raw from "* seq FETCH ("
to the closing ")", literals included.  hato's side is imaprender on
the same file.  The message is found by its "X-Corpus: NNN" line.
KNOWN_FILE lists accepted differences, one "NNN ITEM" a line (# starts
a comment): each is a difference the file explains with the RFC clause
that makes hato's answer right.  One kind is accepted by a check, not
a list: a BINARY.SIZE where Dovecot's answer (a number or a NO) does not
match its own BINARY answer for the section and hato's is that length.  Prints one line per item kind
("ITEM equal E (byte for byte B) of N", E counting the accepted
differences), each unexplained difference (both answers), and
exits 1 if there is one.
"""
import re
import socket
import subprocess
import sys

ITEMS = [
    'ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'RFC822.SIZE',
    'BODY.PEEK[]', 'BODY.PEEK[HEADER]', 'BODY.PEEK[TEXT]', 'RFC822.HEADER', 'RFC822.TEXT', 'RFC822',
    'BODY.PEEK[HEADER.FIELDS (From To Subject X-Folded)]',
    'BODY.PEEK[HEADER.FIELDS.NOT (Subject Date "X-Corpus")]',
    'BODY.PEEK[1]', 'BODY.PEEK[1.MIME]', 'BODY.PEEK[2]', 'BODY.PEEK[2.MIME]',
    'BODY.PEEK[1.1]', 'BODY.PEEK[2.1]', 'BODY.PEEK[2.2.MIME]', 'BODY.PEEK[3]',
    'BODY.PEEK[2.HEADER]', 'BODY.PEEK[2.TEXT]', 'BODY.PEEK[2.HEADER.FIELDS (subject)]',
    'BODY.PEEK[2.1.HEADER]', 'BODY.PEEK[2.2.TEXT]', 'BODY.PEEK[1.2.1]',
    'BODY.PEEK[TEXT]<10.50>', 'BODY.PEEK[]<0.20>', 'BODY.PEEK[]<5000.10>', 'BODY.PEEK[1]<3>',
    'BINARY.SIZE[1]', 'BINARY.PEEK[1]', 'BINARY.SIZE[2]', 'BINARY.PEEK[2]', 'BINARY.PEEK[2]<4.10>',
    'BINARY.SIZE[2.1]', 'BINARY.PEEK[1.1]',
]


class Imap:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port))
        self.f = self.s.makefile('rb')
        self.n = 0
        self.f.readline()

    def cmd(self, text):
        """(tagged line, raw untagged bytes)"""
        self.n += 1
        tag = b't%d' % self.n
        self.s.sendall(tag + b' ' + text.encode() + b'\r\n')
        raw = b''
        while True:
            line = self.f.readline()
            if not line:
                raise SystemExit('dovecot closed the connection')
            if line.startswith(tag + b' '):
                return line, raw
            raw += line
            m = re.search(rb'~?\{(\d+)\}\r\n$', line)
            while m:
                raw += self.f.read(int(m.group(1)))
                line = self.f.readline()
                raw += line
                m = re.search(rb'~?\{(\d+)\}\r\n$', line)


def dovecot_item(imap, seq, item):
    tagged, raw = imap.cmd('FETCH %d (%s)' % (seq, item))
    if b' OK ' not in tagged:
        if b'UNKNOWN-CTE' in tagged:
            return b'NO UNKNOWN-CTE'
        return b'NO ' + re.sub(rb' \([0-9.]+ \+ [0-9.]+ secs\)\.$', b'', tagged.split(b' ', 2)[2].strip())
    prefix = b'* %d FETCH (' % seq
    if not raw.startswith(prefix) or not raw.endswith(b')\r\n'):
        return b'?' + raw
    return raw[len(prefix):-3]


def parse(data):
    """an answer as IMAP values (RFC 9051 section 4): a quoted string, a
    literal and a literal8 with the same bytes are the same string, so
    two servers' answers compare by value, not by representation"""
    pos = 0

    def value():
        nonlocal pos
        c = data[pos:pos + 1]
        if c == b'(':
            pos += 1
            items = []
            while data[pos:pos + 1] != b')':
                if pos >= len(data):
                    raise ValueError('unclosed list')
                items.append(value())
                if data[pos:pos + 1] == b' ':
                    pos += 1
            pos += 1
            return ('list', tuple(items))
        if c == b'"':
            out = bytearray()
            pos += 1
            while data[pos:pos + 1] != b'"':
                if pos >= len(data):
                    raise ValueError('unclosed string')
                if data[pos:pos + 1] == b'\\':
                    pos += 1
                out += data[pos:pos + 1]
                pos += 1
            pos += 1
            return ('str', bytes(out))
        m = re.match(rb'~?\{(\d+)\}\r\n', data[pos:])
        if m:
            n = int(m.group(1))
            pos += m.end()
            pos += n
            return ('str', data[pos - n:pos])
        m = re.match(rb'[^ ()"]+', data[pos:])
        if not m:
            raise ValueError('bad value at %d' % pos)
        pos += m.end()
        return ('atom', m.group(0).upper()) if m.group(0).upper() != b'NIL' else ('nil',)

    out = []
    while pos < len(data):
        out.append(value())
        if data[pos:pos + 1] == b' ':
            pos += 1
    return out


def same(a, b):
    """(equal raw, equal as IMAP values)"""
    if a == b:
        return True, True
    try:
        return False, parse(a) == parse(b)
    except (ValueError, IndexError):
        return False, False


def size_rule(imap, seq, item, d, h):
    """BINARY.SIZE where Dovecot's number is not the size of its own
    BINARY answer for the section (or Dovecot fails it, for an unknown
    encoding or bad base64 in another section, while its BINARY of the
    section succeeds) and hato's is that size (RFC 3516 section 4.2:
    BINARY.SIZE is the size of the section decoded)"""
    m = re.match(r'BINARY\.SIZE\[(.*)\]$', item)
    if not m or not re.match(rb'BINARY\.SIZE\[.*\] \d+$', h):
        return False
    body = dovecot_item(imap, seq, 'BINARY.PEEK[%s]' % m.group(1))
    lit = re.match(rb'BINARY\[.*?\] ~?\{(\d+)\}\r\n', body)
    if lit is None or int(lit.group(1)) != int(h.split()[-1]):
        return False
    return d.startswith(b'NO ') or int(lit.group(1)) != int(d.split()[-1])


class HatoServer:
    """hato's answers from its IMAP server (HATO = imap:PORT:USER:PASS)"""

    def __init__(self, spec):
        _, port, user, pw = spec.split(':', 3)
        self.imap = Imap(int(port))
        self.imap.cmd('LOGIN %s "%s"' % (user, pw))
        tagged, raw = self.imap.cmd('EXAMINE INBOX')
        total = int(re.search(rb'\* (\d+) EXISTS', raw).group(1))
        self.seq = {}
        for seq in range(1, total + 1):
            hdr = dovecot_item(self.imap, seq, 'BODY.PEEK[HEADER.FIELDS (X-Corpus)]')
            self.seq[re.search(rb'X-Corpus: (\d+)', hdr).group(1).decode()] = seq

    def items(self, num):
        return [dovecot_item(self.imap, self.seq[num], item) for item in ITEMS]


def hato_items(prog, path):
    out = subprocess.run([prog, path] + ITEMS, stdout=subprocess.PIPE, check=True).stdout
    res, i = [], 0
    while i < len(out):
        nl = out.index(b'\n', i)
        n = int(out[i:nl])
        res.append(out[nl + 1:nl + 1 + n])
        i = nl + 1 + n
    return res


def main():
    port, user, pw, corpus, prog, known_file = sys.argv[1:7]
    known = set()
    for line in open(known_file, encoding='utf-8'):
        line = line.split('#')[0].strip()
        if line:
            num, item = line.split(' ', 1)
            known.add((num, item))
    server = HatoServer(prog) if prog.startswith('imap:') else None
    imap = Imap(int(port))
    imap.cmd('LOGIN %s "%s"' % (user, pw))
    tagged, raw = imap.cmd('EXAMINE INBOX')
    total = int(re.search(rb'\* (\d+) EXISTS', raw).group(1))
    equal = {it: 0 for it in ITEMS}
    raw_equal = {it: 0 for it in ITEMS}
    seen = {it: 0 for it in ITEMS}
    bad = self_size = listed = 0
    for seq in range(1, total + 1):
        hdr = dovecot_item(imap, seq, 'BODY.PEEK[HEADER.FIELDS (X-Corpus)]')
        num = re.search(rb'X-Corpus: (\d+)', hdr).group(1).decode()
        if server:
            mine = server.items(num)
        else:
            mine = hato_items(prog, '%s/%s.eml' % (corpus, num))
        for item, h in zip(ITEMS, mine):
            d = dovecot_item(imap, seq, item)
            seen[item] += 1
            raw, value = same(d, h)
            raw_equal[item] += raw
            if value:
                equal[item] += 1
            elif (num, item) in known or (num, '*') in known:
                equal[item] += 1
                listed += 1
            elif size_rule(imap, seq, item, d, h):
                equal[item] += 1
                self_size += 1
            else:
                bad += 1
                strip = lambda b: re.sub(rb'~?\{\d+\}\r\n', b'{}', b, count=1)
                sd, sh = strip(d), strip(h)
                at = next((i for i in range(min(len(sd), len(sh))) if sd[i] != sh[i]), min(len(sd), len(sh)))
                at = max(0, at - 100) if at > 500 else 0
                print('DIFF %s %s (from byte %d, literal sizes left out)\n  dovecot: %r\n  hato:    %r' % (num, item, at, sd[at:at + 600], sh[at:at + 600]))
    for item in ITEMS:
        print('ITEM %s equal %d (byte for byte %d) of %d' % (item, equal[item], raw_equal[item], seen[item]))
    print('ACCEPTED as listed in %s: %d' % (known_file.split('/')[-1], listed))
    print('ACCEPTED BINARY.SIZE where Dovecot disagrees with its own BINARY: %d' % self_size)
    print('MESSAGES %d DIFFERENCES %d' % (total, bad))
    imap.cmd('LOGOUT')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
