#!/usr/bin/env python3
"""corpus.py - write a corpus of real-world-shaped messages for the FETCH
differential (render_dovecot.sh): DIR/NNN.eml, one message each, LF line
ends (a few CRLF), every message's first line "X-Corpus: NNN".

    corpus.py DIR [COUNT]      (COUNT generated, default 240; then the
                               hand-written EXTRA ones, numbered on)

The shapes: plain text with every kind of address (groups, routes,
comments, quoted local parts, missing domains, unbalanced quotes, 8-bit
names), encoded words, odd charsets and 8-bit headers, no Content-Type,
RFC 2231 parameters (continued, extended, with gaps), multiparts nested
three deep, alternatives, attachments with dispositions, languages and
locations, message/rfc822 (with multiparts inside, and inside those),
digests, and broken MIME (a missing closing boundary, no boundary
parameter, an empty multipart, a garbage Content-Type, bad base64, an
unknown encoding, header-only messages).  Deterministic (seeded; the
environment's CORPUS_SEED picks another corpus for exploring, but
known_diffs.txt holds for the default seed only).
"""
import base64
import os
import quopri
import random
import sys

R = random.Random(int(os.environ.get("CORPUS_SEED", "18")))

ADDRS = [
    'joe@example.com',
    '"Joe Q. Public" <john.q.public@example.com>',
    'Mary Smith <mary@x.test>, jdoe@one.test, Who? <one@y.test>',
    '<boss@nil.test>',
    '"Giant; \\"Big\\" Box" <sysservices@example.net>',
    'Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>',
    'A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;',
    'undisclosed-recipients:;',
    'Undisclosed recipients:;, after@group.test',
    'jdoe@machine(comment).  example',
    '"Mary Smith: Personal Account" <smith@home.example>',
    '<@route1.test,@route2.test:user@dest.test>',
    'Name <@r1.test:u@d.test>',
    'localonly',
    'user@',
    '@nodomain.test',
    '"unbalanced <x@y.test>',
    'Broken <x@y.test',
    'Broken2 x@y.test>',
    '=?UTF-8?B?SsO2cmc=?= <jorg@example.de>',
    '=?iso-8859-1?q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>',
    'J\xf6rg M\xfcller <jm@example.de>',
    '"J\xf6rg" <jm@ex\xe4mple.de>',
    '"quoted local"@example.com',
    '"with\\"escape"@example.com',
    'a@b.test (Comment Name)',
    'a@b.test (first) (second)',
    'x@[127.0.0.1]',
    'Group: ;',
    'G1: a@b.test; G2: c@d.test, e@f.test;',
    'multi.dot . name <m@d.test>',
    '"" <empty@name.test>',
    ', , leading@comma.test',
    'trailing@comma.test, ',
    'a@b.test,,c@d.test',
    'no angle name x@y.test',
    '<>',
    'Semi <s@t.test>;',
    'Über Name <u@x.test>'.encode('utf-8').decode('latin-1'),
    '(only comment)',
    '   ',
    'very.long.local.part.with.many.dots.and.more@a.very.long.domain.name.example.test',
]

SUBJECTS = [
    'Hello world',
    '=?UTF-8?Q?caf=C3=A9?= time',
    '=?ISO-2022-JP?B?GyRCJEckOSEjGyhC?=',
    'Re: [list] a "quoted" \\ backslash',
    'Caf\xe9 8-bit subject',
    '',
    '   leading spaces',
    'trailing spaces   ',
    'tab\there',
    'x' * 300,
    '=?utf-8?b?8J+YgA==?= emoji',
    'multi\n line\n\tfolded subject',
]

DATES = ['Mon, 7 Feb 1994 21:52:25 -0800 (PST)', 'Tue, 1 Jul 2003 10:52:37 +0200',
         'garbage date', '', '1 Jan 2020 00:00:00 GMT']

CHARSETS = ['us-ascii', 'utf-8', 'iso-8859-1', 'ISO-8859-15', 'koi8-r', 'windows-1252',
            'iso-2022-jp', 'UTF-8', '"utf-8"', 'gb2312']

TEXTS = [
    'Hello,\nthis is a short body.\n',
    'line one\n\nline three after an empty line\n',
    'no final newline',
    '',
    'Caf\xe9 au lait, na\xefve r\xe9sum\xe9.\n' * 3,
    '.leading dot\n..two dots\n',
    'A' * 200 + '\n' + 'B' * 1200 + '\n',
    'trailing spaces   \nand tabs\t\t\n',
    '\n\n\n',
]


def hdrs(n, extra=None, envelope=True):
    """the message's header lines: X-Corpus first, then the envelope"""
    h = ['X-Corpus: %03d' % n]
    if envelope:
        if R.random() < 0.9:
            h.append('Date: ' + R.choice(DATES))
        if R.random() < 0.9:
            h.append('Subject: ' + R.choice(SUBJECTS))
        h.append('From: ' + R.choice(ADDRS))
        if R.random() < 0.3:
            h.append('Sender: ' + R.choice(ADDRS))
        if R.random() < 0.3:
            h.append('Reply-To: ' + R.choice(ADDRS))
        if R.random() < 0.8:
            h.append('To: ' + R.choice(ADDRS))
        if R.random() < 0.3:
            h.append('Cc: ' + R.choice(ADDRS))
        if R.random() < 0.1:
            h.append('Bcc: ' + R.choice(ADDRS))
        if R.random() < 0.3:
            h.append('In-Reply-To: <%d.parent@example.com>' % n)
        if R.random() < 0.8:
            h.append('Message-ID: ' + R.choice(['<%d.msg@example.com>' % n, '<%d@x> (comment)' % n,
                                                 'no-angle-%d@x' % n, '']))
    if R.random() < 0.7:
        h.append('MIME-Version: 1.0')
    h += extra or []
    return h


def text_part(extra_ct=None, cte=None, body=None):
    cs = R.choice(CHARSETS)
    ct = extra_ct or R.choice(['text/plain; charset=%s' % cs, 'text/html; charset="%s"' % cs.strip('"'),
                               'TEXT/PLAIN', 'text/plain; format=flowed; charset=%s; delsp=yes' % cs,
                               'text/plain;\n charset=%s' % cs, 'text/enriched'])
    body = body if body is not None else R.choice(TEXTS)
    h = ['Content-Type: ' + ct]
    cte = cte or R.choice([None, '7bit', '8bit', 'quoted-printable', 'base64', 'QUOTED-PRINTABLE', 'Base64'])
    if cte:
        h.append('Content-Transfer-Encoding: ' + cte)
        low = cte.lower()
        raw = body.encode('latin-1')
        if low == 'base64':
            body = base64.encodebytes(raw).decode()
        elif low == 'quoted-printable':
            body = quopri.encodestring(raw).decode()
    if R.random() < 0.2:
        h.append('Content-Description: ' + R.choice(['a description', '=?utf-8?q?d=C3=A9sc?=', 'd\xe9sc 8bit']))
    if R.random() < 0.2:
        h.append('Content-ID: <part%d@example.com>' % R.randrange(1000))
    if R.random() < 0.15:
        h.append('Content-Language: ' + R.choice(['en', 'en-US, fr', 'de (German)', ' en , x-klingon']))
    if R.random() < 0.1:
        h.append('Content-Location: ' + R.choice(['http://example.com/a.txt', 'file name with spaces']))
    if R.random() < 0.1:
        h.append('Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==')
    if R.random() < 0.15:
        h.append('Content-Disposition: ' + R.choice(['inline', 'INLINE; foo=bar']))
    return h, body


ATTACH_PARAMS = [
    'name="report.pdf"',
    'name=report.pdf',
    "name*=UTF-8''r%C3%A9sum%C3%A9.pdf",
    'name*0="long"; name*1="name.pdf"',
    "name*0*=UTF-8''%E2%82%AC; name*1=\" rate.txt\"",
    'name*1="second"; name*0="first"',
    'name*0="a"; name*2="gap"',
    'name="=?UTF-8?B?w6TDtsO8LnR4dA==?="',
    'name==?UTF-8?B?w6TDtsO8LnR4dA==?=',
    'NAME="upper.TXT"',
    'name="with \\"quote\\".txt"',
    'name="8bit \xe9.txt"',
    'name=a; name=b',
    'x-mac-type="54455854"; x-mac-creator="522A6368"',
    'name; broken; x=y',
    '',
]


def attachment():
    typ = R.choice(['application/octet-stream', 'application/pdf', 'image/png', 'IMAGE/JPEG',
                    'audio/x-wav', 'application/x-unknown', 'video', 'application/'])
    p = R.choice(ATTACH_PARAMS)
    data = bytes(R.randrange(256) for _ in range(R.randrange(0, 300)))
    h = ['Content-Type: %s%s' % (typ, ('; ' + p) if p else '')]
    cte = R.choice(['base64', 'base64', 'base64', 'BASE64', '7bit', 'x-uuencode', 'binary'])
    h.append('Content-Transfer-Encoding: ' + cte)
    if cte.lower() == 'base64':
        body = base64.encodebytes(data).decode()
        if R.random() < 0.1:
            body = body[:10] + '!!' + body[10:]      # not base64
    else:
        body = ''.join(chr(c) for c in data if c not in (0, 10, 13))[:80] + '\n'
    disp = R.choice(['attachment; filename="f.bin"', 'attachment', 'inline; filename=x.png',
                     "attachment; filename*=utf-8''%E2%82%AC.txt", 'attachment; filename*0="a";\n filename*1="b.txt"',
                     'ATTACHMENT; size=123; creation-date="Mon, 1 Jan 2001 00:00:00 GMT"', None, None])
    if disp:
        h.append('Content-Disposition: ' + disp)
    return h, body


def multipart(depth, n):
    sub = R.choice(['mixed', 'alternative', 'related', 'MIXED', 'signed; protocol="application/pgp-signature"',
                    'report; report-type=delivery-status'])
    b = 'b%d_%d_%d' % (n, depth, R.randrange(10 ** 6))
    quoted = R.random() < 0.5
    ct = 'multipart/%s; boundary=%s' % (sub, '"%s"' % b if quoted else b)
    if R.random() < 0.2:
        ct = 'multipart/%s;\n\tboundary="%s"; charset=utf-8' % (sub, b)
    kids = []
    for _ in range(R.randrange(1, 4)):
        r = R.random()
        if depth < 3 and r < 0.25:
            kids.append(multipart(depth + 1, n))
        elif depth < 3 and r < 0.35:
            kids.append(rfc822(depth + 1, n))
        elif r < 0.65:
            kids.append(text_part())
        else:
            kids.append(attachment())
    body = R.choice(['', 'This is a multi-part message in MIME format.\n', 'preamble\n\n'])
    for h, kb in kids:
        body += '--%s\n' % b + '\n'.join(h) + '\n\n' + kb
        if not kb.endswith('\n'):
            body += '\n'
    body += '--%s--\n' % b + R.choice(['', 'epilogue\n', '\n'])
    return ['Content-Type: ' + ct], body


def rfc822(depth, n):
    h = ['Content-Type: message/rfc822']
    if R.random() < 0.3:
        h.append('Content-Description: forwarded message')
    if R.random() < 0.2:
        h.append('Content-Disposition: attachment; filename="fwd.eml"')
    if depth < 3 and R.random() < 0.5:
        ih, ib = multipart(depth + 1, n)
    else:
        ih, ib = text_part()
    inner = hdrs(n, ih)[1:]          # no X-Corpus inside
    if R.random() < 0.1:
        inner = ih                   # a nested message with only MIME fields
    return h, '\n'.join(inner) + '\n\n' + ib


def broken(n):
    k = n % 12
    if k == 0:      # missing closing boundary
        return ['Content-Type: multipart/mixed; boundary="zz"'], 'pre\n--zz\nContent-Type: text/plain\n\nunclosed\n'
    if k == 1:      # no boundary parameter
        return ['Content-Type: multipart/mixed'], 'no boundary here\n--zz\n\nx\n'
    if k == 2:      # empty multipart
        return ['Content-Type: multipart/alternative; boundary=qq'], 'nothing\n'
    if k == 3:      # garbage Content-Type
        return ['Content-Type: garbage'], 'text\n'
    if k == 4:
        return ['Content-Type: text/plain; charset'], 'x\n'
    if k == 5:      # unknown encoding
        return ['Content-Type: text/plain', 'Content-Transfer-Encoding: x-uuencode'], 'begin 644 x\n`\nend\n'
    if k == 6:      # encoding with a comment and case
        return ['Content-Type: text/plain', 'Content-Transfer-Encoding: Quoted-Printable (qp)'], 'a=3Db=\nc\n'
    if k == 7:      # header only, no empty line
        return ['Content-Type: text/plain'], None
    if k == 8:      # two Content-Types
        return ['Content-Type: text/html', 'Content-Type: text/plain; charset=utf-8'], '<b>x</b>\n'
    if k == 9:      # a top-level message/rfc822
        return ['Content-Type: message/rfc822'], 'Subject: inner\nFrom: a@b.test\n\ninner body\n'
    if k == 10:     # a digest with default message/rfc822 parts
        return (['Content-Type: multipart/digest; boundary="dd"'],
                '--dd\n\nSubject: d1\nFrom: x@y.test\n\nfirst\n--dd\n\nSubject: d2\n\nsecond\n--dd--\n')
    return ['Content-Type: text/plain; charset=us-ascii (comment)', 'Content-Transfer-Encoding: 7BIT'], 'hi\n'


def message(n):
    r = n % 10
    if n < 40:
        h, b = text_part(body=R.choice(TEXTS), cte=R.choice([None, '7bit', '8bit']))
        if n % 4 == 0:
            h = []                   # no Content-Type at all
    elif n < 60:
        h, b = broken(n)
    elif r < 5:
        h, b = multipart(1, n)
    elif r < 7:
        h, b = rfc822(1, n)
        h, b = (['Content-Type: multipart/mixed; boundary=outer%d' % n],
                '--outer%d\nContent-Type: text/plain\n\nsee attached\n--outer%d\n' % (n, n) +
                '\n'.join(h) + '\n\n' + b + '\n--outer%d--\n' % n)
    elif r < 8:
        h, b = attachment()
    else:
        h, b = text_part()
    lines = hdrs(n, h)
    if R.random() < 0.1:
        lines.insert(2, 'X-Folded: first\n\tsecond\n third')
    text = '\n'.join(lines) + '\n'
    if b is not None:
        text += '\n' + b
    data = text.encode('latin-1')
    if n % 25 == 24:
        data = data.replace(b'\n', b'\r\n')
    return data


# hand-written messages after the generated ones (they use no randomness,
# so the generated ones keep their numbers)
EXTRA = [
    b'Subject: first\nSubject: second\nFrom: one@x.test\nFrom: two@x.test\nTo: a@x.test\n'
    b'Message-ID: <1@x>\nMessage-ID: <2@x>\nIn-Reply-To: <p@x>\nIn-Reply-To: <q@x>\n\nbody\n',
    b'MIME-Version: 1.0\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n'
    b'Content-Transfer-Encoding: 7bit\n\nAAECAwQFBgc=\n',
    b'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n'
    b'soft=\nbreak =c3=a9 lower\ntrailing   \n=3D=\n\nlast=20\n',
    b'Subject: header only\nFrom: a@b.test\n',
    b'Subject: nul\n\nbefore\x00after\n',
    b'From: =?utf-8?q?J=C3=B6rg?= (c) <j@x.test>, "A (not a comment)" <a@x.test>\n'
    b'To: list: x@y.test (X), "q" <q@y.test> ;\nCc: a@b.test (one) (two), c@d.test\n\nx\n',
    b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=z\n\n--z\n'
    b'Content-Type: application/pdf\nContent-Disposition: attachment; filename="r\xe9sum\xe9.pdf"\n'
    b'Content-Transfer-Encoding: base64\n\nJVBERi0=\n--z\nContent-Type: text/plain\n\nx\n--z--\n',
    b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="a b"\n\n--a b\n\nspace boundary\n--a b--\n',
    b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=g\n\n--g\nContent-Type: message/global\n\n'
    b'Subject: =?utf-8?q?gl=C3=B6bal?=\nFrom: u@x.test\n\nbody\n--g\nContent-Type: message/rfc822\n'
    b'Content-Transfer-Encoding: base64\n\nU3ViamVjdDogeAoKeQo=\n--g\nContent-Type: message/rfc822\n\n\n'
    b'no header\n--g\nContent-Type: message/partial; id=1; number=1\n\nSubject: p\n\nq\n--g--\n',
    b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=h\n\n--h\nContent-Type: text/plain\n\n'
    b'a\n--h \n\nafter a boundary with white space\n--hx\nnot a boundary of h? (prefix)\n--h--\n',
]


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 240
    os.makedirs(out, exist_ok=True)
    for n in range(count):
        with open(os.path.join(out, '%03d.eml' % n), 'wb') as f:
            f.write(message(n))
    for i, data in enumerate(EXTRA):
        with open(os.path.join(out, '%03d.eml' % (count + i)), 'wb') as f:
            f.write(b'X-Corpus: %03d\n' % (count + i) + data)


if __name__ == '__main__':
    main()
