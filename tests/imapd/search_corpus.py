"""search_corpus - the Maildir tests/imapd/search_dovecot.sh searches:
120 messages made from a fixed seed (encoded-word subjects and names in
several charsets, base64 and quoted-printable bodies in Latin-1 and
UTF-8, multiparts with attachments and a forwarded message, obsolete,
broken and missing Date: fields, flags and keywords in the file names,
varied mtimes and sizes) and 19 odd ones written out (ODD: raw 8-bit,
CRLF, unknown charsets, broken MIME, digests, address and white-space
oddities, case-folding traps).

    python3 search_corpus.py MAILDIR
"""
import base64, os, quopri, random, sys, time

R = random.Random(18)
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima "
         "mike november oscar papa quebec romeo sierra tango uniform victor whiskey").split()
UNI = ["Grüße aus München", "café crème brûlée", "Ελληνικά γράμματα", "Съешь же ещё этих",
       "日本語のテキスト", "Ærøskøbing Øst", "naïve façade", "ZAŻÓŁĆ gęślą jaźń",
       "Straße und STRASSE", "Ünïcödé ÜBER alles"]
CHARSETS = [("utf-8", "B"), ("utf-8", "Q"), ("iso-8859-1", "Q"), ("iso-8859-15", "B"),
            ("windows-1252", "Q"), ("koi8-r", "B"), ("iso-2022-jp", "B"), ("iso-8859-2", "Q")]
KEYWORDS = ["$Label1", "work", "Junk", "personal"]
NAMES = ["Alice Example", "Bob Builder", "Jürgen Weiß", "Zoë Ålander", "Иван Петров", "Mallory"]
DOMAINS = ["example.org", "mail.test", "bücher.example", "corp.example.com"]


def ew(text, cs, enc):
    """text as encoded words in cs (or None if cs cannot say it)"""
    try:
        raw = text.encode(cs)
    except UnicodeEncodeError:
        return None
    if enc == "B":
        return "=?%s?B?%s?=" % (cs, base64.b64encode(raw).decode())
    q = "".join(chr(b) if (48 <= b < 127 and b not in (61, 63, 95)) or chr(b).isalpha() and b < 127
                else "_" if b == 32 else "=%02X" % b for b in raw)
    return "=?%s?Q?%s?=" % (cs, q)


def header_text(text):
    """text as a header value: plain if ASCII, else encoded words"""
    if all(ord(c) < 128 for c in text):
        return text
    for cs, enc in R.sample(CHARSETS, len(CHARSETS)):
        w = ew(text, cs, enc)
        if w:
            return w
    return ew(text, "utf-8", "B")


def address(i):
    name = NAMES[i % len(NAMES)]
    local = name.split()[0].lower().encode("ascii", "ignore").decode() or "user"
    dom = DOMAINS[i % len(DOMAINS)]
    if dom.startswith("b\u00fc"):
        dom = "books.example"
    style = i % 3
    if style == 0:
        return "%s <%s@%s>" % (header_text(name), local, dom)
    if style == 1:
        return "%s@%s" % (local, dom)
    return '"%s" <%s%d@%s>' % (name.encode("ascii", "ignore").decode(), local, i, dom)


def date_header(i, t):
    zones = ["+0000", "-0500", "+0200", "+0530", "-0800", "+1300"]
    z = zones[i % len(zones)]
    sign = 1 if z[0] == "+" else -1
    off = sign * (int(z[1:3]) * 3600 + int(z[3:]) * 60)
    tm = time.gmtime(t + off)
    day = time.strftime("%a, %d %b %Y %H:%M:%S", tm)
    kind = i % 11
    if kind == 3:
        return None                                   # no Date:
    if kind == 5:
        return "garbage date"                         # broken
    if kind == 7:
        return time.strftime("%d %b %y %H:%M", tm) + " EST (obsolete)"
    if kind == 9:
        return time.strftime("%a, %d %b %Y %H:%M:%S", time.gmtime(t)) + " GMT"
    return "%s %s" % (day, z)


def body_part(text, i):
    """(headers, body) of a text part of text in some charset and encoding"""
    kind = i % 6
    if kind == 0 and all(ord(c) < 128 for c in text):
        return "Content-Type: text/plain; charset=us-ascii\n", text
    if kind in (0, 1):
        return ("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n",
                text.encode().decode("latin-1"))
    if kind == 2:
        try:
            raw = text.encode("iso-8859-1")
            cs = "iso-8859-1"
        except UnicodeEncodeError:
            raw, cs = text.encode(), "utf-8"
        return ("Content-Type: text/plain; charset=\"%s\"\nContent-Transfer-Encoding: quoted-printable\n" % cs,
                quopri.encodestring(raw).decode())
    if kind == 3:
        b = base64.encodebytes(text.encode()).decode()
        return "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n", b
    if kind == 4:
        html = "<html><body><p>%s</p></body></html>" % text
        return ("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
                quopri.encodestring(html.encode()).decode())
    try:
        raw = text.encode("iso-8859-1")
        return "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n", raw.decode("latin-1")
    except UnicodeEncodeError:
        return "Content-Type: text/plain; charset=utf-8\n", text.encode().decode("latin-1")


def body_text(i):
    words = " ".join(R.choice(WORDS) for _ in range(R.randint(5, 40)))
    extra = UNI[i % len(UNI)] if i % 4 == 0 else ""
    filler = ("filler line %d for size\n" % i) * (R.choice([0, 0, 5, 50, 400]))
    return "Body of message %d: %s\n%s\n%s" % (i, words, extra, filler)


def message(i, t):
    subj = ("%s %s %d" % (R.choice(WORDS), R.choice(WORDS), i))
    if i % 3 == 0:
        subj = UNI[i % len(UNI)] + " #%d" % i
    h = []
    d = date_header(i, t)
    if d is not None:
        h.append("Date: " + d)
    h.append("From: " + address(i))
    h.append("To: " + address(i + 1) + (", " + address(i + 2) if i % 4 == 1 else ""))
    if i % 5 == 0:
        h.append("Cc: " + address(i + 3))
    if i % 7 == 0:
        h.append("Bcc: hidden%d@secret.example" % i)
    st = header_text(subj)
    if i % 13 == 4:
        st = st + "\n folded tail"
    h.append("Subject: " + st)
    h.append("Message-ID: <%d.%d@corpus.example>" % (i, t))
    if i % 6 == 2:
        h.append("X-Mailer: Corpus Mailer %d" % i)
    if i % 9 == 8:
        h.append("X-Priority: 1 (Highest)")
    h.append("MIME-Version: 1.0")
    text = body_text(i)
    form = i % 8
    if form in (0, 1, 2):
        ph, pb = body_part(text, i)
        return "\n".join(h) + "\n" + ph + "\n" + pb
    if form == 3:  # no MIME headers at all, 8-bit raw body
        return "\n".join(h[:-1]) + "\n\n" + text.encode().decode("latin-1")
    bnd = "=_b%d" % i
    parts = []
    ph, pb = body_part(text, i)
    parts.append(ph + "\n" + pb)
    if form in (4, 6):
        ph2, pb2 = body_part("alternative %s %s" % (R.choice(WORDS), UNI[(i + 3) % len(UNI)]), i + 1)
        parts.append(ph2 + "\n" + pb2)
    if form in (5, 6):
        blob = ("zebracode attachment %d " % i).encode() + bytes(range(256))
        parts.append("Content-Type: application/octet-stream; name=\"a%d.bin\"\n"
                     "Content-Disposition: attachment; filename=\"a%d.bin\"\n"
                     "Content-Transfer-Encoding: base64\n\n%s" % (i, i, base64.encodebytes(blob).decode()))
    if form == 7:
        inner = ("Subject: %s\nFrom: inner@nested.example\nDate: Mon, 1 Jan 2018 10:00:00 +0000\n"
                 "Content-Type: text/plain; charset=utf-8\n\nforwarded innerword %s\n"
                 % (header_text("Weitergeleitet über Nachricht"), UNI[(i + 5) % len(UNI)]))
        parts.append("Content-Type: message/rfc822\n\n" + inner.encode().decode("latin-1"))
    sub = "alternative" if form == 4 else "mixed"
    out = "\n".join(h) + "\nContent-Type: multipart/%s; boundary=\"%s\"\n\n" % (sub, bnd)
    out += "preamble prewordonly\n"
    for p in parts:
        out += "--%s\n%s\n" % (bnd, p)
    return out + "--%s--\nepilogue\n" % bnd


ODD = [
    # raw 8-bit Latin-1 in a header and body, no MIME at all
    "Subject: r\xe9sum\xe9 raw latin1\nFrom: raw@odd.example\n\nna\xefve raw body\n",
    # raw UTF-8 header, CRLF line ends
    "Subject: Gr\xc3\xbc\xc3\x9fe raw utf8\r\nFrom: crlf@odd.example\r\n\r\nbody with CRLF oddcrlfword\r\n",
    # an unknown charset, and an encoded word in one
    "Subject: =?x-unknown?Q?unknowncs_word?=\nContent-Type: text/plain; charset=x-bogus\n\nbogus charset bodyword\n",
    # encoded words split inside a multi-byte character, lowercase b/q, upper-case charset
    "Subject: =?UTF-8?b?w6k=?= =?utf-8?q?t=C3=A9?= split =?UTF-8?B?4pyT?=\n\nx\n",
    # a multipart never closed, broken base64
    "Subject: unclosed multipart\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n"
    "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\nbm90IGNsb3NlZA==!!garbage\n",
    # a text/plain attachment with a filename (text, so BODY sees it)
    "Subject: text attachment\nContent-Type: multipart/mixed; boundary=t1\n\n--t1\nContent-Type: text/plain\n\nmain\n"
    "--t1\nContent-Type: text/plain; name=notes.txt\nContent-Disposition: attachment; filename=notes.txt\n\n"
    "attachedtextword\n--t1--\n",
    # a multipart/digest: its parts are message/rfc822 by default
    "Subject: digest\nContent-Type: multipart/digest; boundary=d1\n\n--d1\n\nSubject: digested one\n\ndigestbodyword\n--d1--\n",
    # quoted-printable with soft breaks inside a word and =20 at line ends
    "Subject: qp soft\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: Quoted-Printable\n\n"
    "soft=\nbrokenword trailing=20\nK=C3=96NIG\n",
    # Date: oddities: no seconds, comment, lower-case month, two-digit year
    "Date: 5 mar 99 23:59 (comment) -0100\nSubject: old date\n\nx\n",
    "Date: Thu, 31 Dec 2020 23:30:00 -1100\nSubject: late zone\n\nx\n",
    "Date: Fri, 1 Jan 2021 00:30:00 +1400\nSubject: early zone\n\nx\n",
    # a folded subject with an encoded word on the continuation line
    "Subject: first part\n =?iso-8859-1?q?=C4rger?= second\n\nx\n",
    # HTML entity and tags
    "Subject: html\nContent-Type: text/html\n\n<p>caf&eacute; <b>bold</b>word</p>\n",
    # an empty body and a header-only message
    "Subject: header only\nX-Flag: yes",
    # Greek final sigma, Turkish dotless i, German sharp s, ligatures
    "Subject: =?utf-8?b?zp/OtM+Fz4PPg861z43Pgg==?= \xc4\xb1stanbul STRASSE \xef\xac\x81ne\nContent-Type: text/plain; charset=utf-8\n\n"
    "\xce\x9f\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xb5\xcf\x8d\xcf\x82 \xc4\xb0STANBUL stra\xc3\x9fe\n",
    # address oddities: a quoted comma, a comment as the name, a group,
    # an empty group, quoted-pairs, an encoded word inside quotes
    'From: "Doe, John" <john.doe@addr.example>\nTo: friends: a@one.example, "B \\"Bee\\"" <b@two.example>;\n'
    'Cc: undisclosed-recipients:;\nSubject: addresses one\n\nx\n',
    "From: jane@addr.example (Jane Roe)\nTo: <bare@addr.example>\nCc: Name   With   Spaces <sp@addr.example>\n"
    "Subject: addresses two\n\nx\n",
    'From: "=?utf-8?q?Quoted_=C3=9Cmlaut?=" <q@addr.example>\nTo: Mixed =?utf-8?q?=C3=84rger?= Name <m@addr.example>\n'
    "Subject: addresses three\n\nx\n",
    # white space runs and tabs in a subject and in another field
    "Subject: spaced    out\t\tsubject\nX-Spaced: wide    field\nFrom: ws@addr.example\n\nx\n",
]


def main(maildir):
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, d), exist_ok=True)
    with open(os.path.join(maildir, "dovecot-keywords"), "w") as f:
        for n, k in enumerate(KEYWORDS):
            f.write("%d %s\n" % (n, k))
    base = 1577836800  # 2020-01-01
    for i in range(1, 121):
        t = base + R.randint(0, 7 * 365 * 86400)
        if i % 10 == 0:     # near a local midnight
            t = t - t % 86400 + R.choice([-3600, -60, 60, 3600, 79200])
        flags = "".join(f for f in "DFRST" if R.random() < 0.3)
        kws = "".join("abcd"[k] for k in range(4) if R.random() < 0.25)
        name = "%d.M%dP%d.corpus:2,%s%s" % (t, i, 1000 + i, flags, kws)
        path = os.path.join(maildir, "cur", name)
        with open(path, "w", encoding="latin-1") as f:
            f.write(message(i, t))
        mt = t + R.randint(0, 3 * 86400)
        os.utime(path, (mt, mt))
    for n, text in enumerate(ODD):
        t = 1600000000 + n * 86400 * 17
        path = os.path.join(maildir, "cur", "%d.M%dP%d.odd:2," % (t, 500 + n, 500 + n))
        with open(path, "w", encoding="latin-1") as f:
            f.write(text)
        os.utime(path, (t, t))


if __name__ == "__main__":
    main(sys.argv[1])
