# utf8.py - UTF8=ACCEPT (RFC 6855) and SMTPUTF8 mail, for
# tests/imapd/utf8.sh.  Raw sockets: imaplib turns every line into str.
#   python3 utf8.py send HOST SMTP_PORT RCPT
#       one SMTPUTF8 message (smtplib, mail_options SMTPUTF8): a UTF-8
#       sender, Subject written raw, UTF-8 body; prints the MAIL reply
#   python3 utf8.py envelope HOST PORT USER PASS enable|legacy
#       FETCH of the message: ENVELOPE and the header fields, compared
#       with what was sent; one line per finding
#   python3 utf8.py folders HOST PORT USER PASS
#       a non-ASCII folder made by an enabled session, seen by another
#       session and by an enabled one; APPEND UTF8 (~{n}) with and
#       without ENABLE; a UTF-8 LOGIN name
#   python3 utf8.py raw HOST PORT USER PASS enable|legacy COMMAND
#       the raw answer to one command after SELECT INBOX (for comparing
#       with Dovecot)
import re, smtplib, socket, sys

SENDER = "jürgen@exämple.test"
SUBJECT = "Grüße aus Köln — 日本語 \"quoted\""
FROM = "Jürgen Müller <%s>" % SENDER
BODY = "Hallo, ünïcødé body.\r\n"
DATE = "Sun, 06 Dec 2026 10:00:00 +0000"
MSGID = "<utf8-1@exämple.test>"


def message(rcpt):
    return ("From: %s\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: %s\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n%s" % (FROM, rcpt, SUBJECT, DATE, MSGID, BODY))


class Imap:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, int(port)), 10)
        self.buf, self.n = b"", 0
        self.readline()

    def readline(self):
        while b"\r\n" not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self, n):
        while len(self.buf) < n:
            d = self.sock.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def answer(self, tag):
        """the lines up to the tagged one, literals inline: (raw bytes, tagged line)"""
        raw = b""
        while True:
            line = self.readline()
            m = re.search(rb"~?\{(\d+)\}$", line)
            if m:
                raw += line + b"\r\n" + self.read(int(m.group(1)))
                continue
            if line.startswith(tag + b" "):
                return raw, line
            raw += line + b"\r\n"

    def cmd(self, text):
        self.n += 1
        tag = b"u%d" % self.n
        data = text.encode() if isinstance(text, str) else text
        self.sock.sendall(tag + b" " + data + b"\r\n")
        return self.answer(tag)

    def cmd_lit(self, head, lit, tail=b""):
        """head ends in {n} or ~{n}: wait for the continuation"""
        self.n += 1
        tag = b"u%d" % self.n
        self.sock.sendall(tag + b" " + head + b"\r\n")
        line = self.readline()
        if not line.startswith(b"+"):
            return b"", line
        self.sock.sendall(lit + tail + b"\r\n")
        return self.answer(tag)

    def login(self, user, pw):
        return self.cmd('LOGIN "%s" "%s"' % (user, pw))[1]


def status(tagged):
    """OK/NO/BAD and a response code"""
    w = tagged.split(b" ", 3)
    code = re.match(rb"(\[[A-Z-]+)", w[2]) if len(w) > 2 else None
    return " ".join(x.decode() for x in [w[1]] + ([code.group(1) + b"]"] if code else []))


def quoted_8bit(raw):
    """any quoted string in raw with an 8-bit byte (literals skipped)"""
    i = 0
    while i < len(raw):
        c = raw[i:i + 1]
        m = re.match(rb"~?\{(\d+)\}\r\n", raw[i:])
        if m:
            i += m.end() + int(m.group(1))
            continue
        if c == b'"':
            j = i + 1
            while raw[j:j + 1] != b'"':
                j += 2 if raw[j:j + 1] == b"\\" else 1
            if any(b >= 0x80 for b in raw[i:j]):
                return True
            i = j
        i += 1
    return False


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lit(s):
    b = s.encode()
    return "{%d}\r\n%s" % (len(b), s)


def envelope(mode, conn):
    if mode == "enable":
        print("enable", conn.cmd("ENABLE UTF8=ACCEPT")[0].decode().strip())
    print("select", status(conn.cmd("SELECT INBOX")[1]))
    raw, t = conn.cmd("FETCH 1 (ENVELOPE)")
    print("fetch envelope", status(t))
    s = q if mode == "enable" else (lambda x: q(x) if x.isascii() else lit(x))
    want = ("(%s %s ((%s NIL %s %s)) ((%s NIL %s %s)) ((%s NIL %s %s)) ((NIL NIL %s %s)) NIL NIL NIL %s)"
            % (q(DATE), s(SUBJECT), s("Jürgen Müller"), s("jürgen"), s("exämple.test"),
               s("Jürgen Müller"), s("jürgen"), s("exämple.test"),
               s("Jürgen Müller"), s("jürgen"), s("exämple.test"), s("jürgen"), q("localhost"), s(MSGID)))
    print("envelope as sent", ("ENVELOPE " + want).encode() in raw)
    print("envelope 8-bit in a quoted string", quoted_8bit(raw))
    if "--verbose" in sys.argv:
        sys.stderr.buffer.write(raw)
    raw, t = conn.cmd("FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM SUBJECT MESSAGE-ID)] BODY.PEEK[TEXT])")
    hdr = ("From: %s\r\nSubject: %s\r\nMessage-ID: %s\r\n\r\n" % (FROM, SUBJECT, MSGID)).encode()
    print("header fields byte for byte", b"}\r\n" + hdr in raw)
    print("body byte for byte", raw.endswith(b"}\r\n" + BODY.encode() + b")\r\n"))
    if mode == "enable":
        raw, t = conn.cmd('SEARCH SUBJECT "köln" FROM "müller"')
    else:
        raw, t = conn.cmd_lit(b"SEARCH CHARSET UTF-8 SUBJECT {5}", "köln".encode())
    print("search", status(t), raw.decode().strip())
    print("logout", status(conn.cmd("LOGOUT")[1]))


def names(raw):
    return sorted(l.split(b' "." ', 1)[1] for l in raw.split(b"\r\n") if l.startswith(b"* LIST"))


def folders(host, port, user, pw):
    a = Imap(host, port)
    a.login(user, pw)
    print("capability UTF8=ACCEPT", b" UTF8=ACCEPT" in a.cmd("CAPABILITY")[0])
    print("legacy create 8-bit", status(a.cmd('CREATE "Entwürfe"')[1]))
    body = b"From: a@b.test\r\nSubject: Gr\xc3\xbc\xc3\x9fe\r\n\r\nappended \xc3\xbc\r\n"
    print("legacy append UTF8", status(a.cmd_lit(b"APPEND INBOX UTF8 (~{%d}" % len(body), body, b")")[1]))
    print("legacy append literal8 UTF8+", status(a.cmd(b"APPEND INBOX UTF8 (~{%d+}\r\n" % len(body) + body + b")")[1]))
    print("enable", a.cmd("ENABLE UTF8=ACCEPT")[0].decode().strip())
    print("enable again", a.cmd("ENABLE UTF8=ACCEPT")[0].decode().strip())
    for name in ("Entwürfe", "Entwürfe.日本", "a&b", "Ünï"):
        print("create %s" % name, status(a.cmd("CREATE " + q(name))[1]))
    print("create mUTF-7 spelling is a new name", status(a.cmd('CREATE "Entw&APw-rfe"')[1]))
    print("create U+2028", status(a.cmd('CREATE "a\u2028b"')[1]))
    print("create Latin-1", status(a.cmd(b'CREATE "\xe9t\xe9"')[1]))
    print("enabled list", b" ".join(names(a.cmd('LIST "" "*"')[0])).decode())
    print("enabled list pattern", b" ".join(names(a.cmd('LIST "" "Entwü*"')[0])).decode())
    print("enabled lsub", a.cmd('SUBSCRIBE "Ünï"')[1].split()[1].decode(),
          b" ".join(l for l in a.cmd('LSUB "" "*"')[0].split(b"\r\n") if l).decode())
    raw, t = a.cmd('STATUS "Entwürfe" (MESSAGES)')
    print("enabled status", status(t), raw.decode().strip())
    raw, t = a.cmd_lit(b"APPEND \"Entw\xc3\xbcrfe\" UTF8 (~{%d}" % len(body), body, b")")
    print("enabled append UTF8", status(t))
    raw, t = a.cmd("SELECT " + q("Entwürfe"))
    print("enabled select", status(t))
    raw, t = a.cmd("FETCH 1 (BODY.PEEK[])")
    print("appended byte for byte", raw.endswith(b"}\r\n" + body + b")\r\n"))
    raw, t = a.cmd("FETCH 1 (ENVELOPE)")
    print("appended envelope", raw.decode().strip())
    print("rename", status(a.cmd('RENAME "Ünï" "Ölçü"')[1]))
    b = Imap(host, port)
    b.login(user, pw)
    print("legacy list", b" ".join(names(b.cmd('LIST "" "*"')[0])).decode())
    print("legacy select mUTF-7", status(b.cmd('SELECT "Entw&APw-rfe"')[1]))
    raw, t = b.cmd('STATUS "Entw&APw-rfe" (MESSAGES)')
    print("legacy status", status(t), raw.decode().strip())
    c = Imap(host, port)
    print("login UTF-8 user", status(c.cmd('LOGIN "jürgen" "x"')[1]))
    print("logout", status(a.cmd("LOGOUT")[1]), status(b.cmd("LOGOUT")[1]))


def main():
    what, host, port = sys.argv[1:4]
    if what == "send":
        rcpt = sys.argv[4]
        with smtplib.SMTP(host, int(port)) as s:
            s.ehlo()
            print("ehlo SMTPUTF8", s.has_extn("smtputf8"))
            refused = s.sendmail(SENDER, [rcpt], message(rcpt).encode(), mail_options=["SMTPUTF8"])
            print("sent", refused == {})
        return
    user, pw = sys.argv[4:6]
    if what == "envelope":
        conn = Imap(host, port)
        print("login", status(conn.login(user, pw)))
        envelope(sys.argv[6], conn)
    elif what == "folders":
        folders(host, port, user, pw)
    elif what == "raw":
        conn = Imap(host, port)
        conn.login(user, pw)
        if sys.argv[6] == "enable":
            conn.cmd("ENABLE UTF8=ACCEPT")
        conn.cmd("SELECT INBOX")
        raw, t = conn.cmd(sys.argv[7])
        sys.stdout.buffer.write(raw + status(t).encode() + b"\n")


main()
