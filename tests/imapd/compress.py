# compress.py - an IMAP client speaking COMPRESS=DEFLATE (RFC 4978) with
# Python's zlib (raw deflate, wbits -15), for tests/imapd/compress.sh.
#   python3 compress.py dialog HOST PORT USER PASS MAILDIR [tls]
#       LOGIN, COMPRESS FOO, COMPRESS DEFLATE, SELECT, FETCH 1:* BODY.PEEK[]
#       (each body compared with the Maildir's files), APPEND of 190 KB to
#       a new folder and FETCH of it, IDLE and DONE, a second COMPRESS,
#       LOGOUT: one line per step, statuses and codes
#       only (no timing words), comparable between servers
#   python3 compress.py pipelined HOST PORT USER PASS
#       COMPRESS DEFLATE and a compressed NOOP in one packet
#   python3 compress.py garbage HOST PORT USER PASS plain|binary
#       COMPRESS DEFLATE, then bytes that are not deflate: is the
#       connection closed (within 10 s)?
import os, socket, ssl, sys, zlib


class Conn:
    def __init__(self, host, port, tls):
        self.sock = socket.create_connection((host, port), 10)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(self.sock)
        self.buf, self.c, self.d = b"", None, None

    def compress(self):
        self.c = zlib.compressobj(wbits=-15)
        self.d = zlib.decompressobj(wbits=-15)
        self.buf = self.d.decompress(self.buf)

    def send(self, data):
        if self.c:
            data = self.c.compress(data) + self.c.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError
        self.buf += self.d.decompress(d) if self.d else d

    def readline(self):
        while b"\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def read(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self, tag):
        """lines up to the tagged one; literals as (line, bytes)"""
        out = []
        while True:
            line = self.readline()
            lit = None
            if line.rstrip().endswith(b"}") and b"{" in line:
                n = int(line.rstrip()[line.rstrip().rindex(b"{") + 1:-1])
                lit = self.read(n)
                line = line.rstrip() + b" " + self.readline()
            out.append((line, lit))
            if line.startswith(tag + b" "):
                return out

    def cmd(self, tag, text):
        self.send(tag.encode() + b" " + text.encode() + b"\r\n")
        return self.response(tag.encode())


def status(resp):
    """the tagged line's status and response code, without free text"""
    words = resp[-1][0].decode().split()
    code = ""
    if len(words) > 2 and words[2].startswith("["):
        code = " " + words[2].split("]")[0] + "]"
    return words[1] + code


def files(maildir):
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        for n in sorted(os.listdir(d)):
            with open(os.path.join(d, n), "rb") as f:
                # IMAP's lines end in CRLF
                out.append(f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return out


def dialog(c, user, pw, maildir):
    c.readline()
    r = c.cmd("a", "LOGIN %s %s" % (user, pw))
    print("login", status(r))
    r = c.cmd("a1", "CAPABILITY")
    print("capability COMPRESS=DEFLATE", any(b"COMPRESS=DEFLATE" in l.split() for l, _ in r))
    print("compress-unknown", status(c.cmd("b0", "COMPRESS FOO")))
    r = c.cmd("b", "COMPRESS DEFLATE")
    print("compress", status(r))
    c.compress()
    print("select", status(c.cmd("c", "SELECT INBOX")))
    r = c.cmd("d", "FETCH 1:* BODY.PEEK[]")
    bodies = [lit for _, lit in r if lit is not None]
    have = files(maildir)
    print("fetch", status(r), "bodies", len(bodies), "of", len(have),
          "byte-for-byte", sorted(bodies) == sorted(have),
          "bytes", sum(len(b) for b in bodies))
    msg = b"".join(b"Subject: up\r\n\r\n" if i == 0 else
                   b"appended line %d %s\r\n" % (i, b"xyz" * (i % 30)) for i in range(3000))
    c.cmd("d1", "DELETE ztest")
    print("create", status(c.cmd("d2", "CREATE ztest")))
    c.send(b"d3 APPEND ztest {%d+}\r\n" % len(msg) + msg + b"\r\n")
    print("append", status(c.response(b"d3")))
    print("select-ztest", status(c.cmd("d4", "SELECT ztest")))
    r = c.cmd("d5", "FETCH 1 BODY.PEEK[]")
    print("append-fetch", status(r), "byte-for-byte",
          [lit for _, lit in r if lit is not None] == [msg], "bytes", len(msg))
    print("select-inbox", status(c.cmd("d6", "SELECT INBOX")))
    print("delete", status(c.cmd("d7", "DELETE ztest")))
    c.send(b"e IDLE\r\n")
    print("idle", c.readline().decode().split()[0])
    c.send(b"DONE\r\n")
    print("done", status(c.response(b"e")))
    print("compress-again", status(c.cmd("f", "COMPRESS DEFLATE")))
    r = c.cmd("g", "LOGOUT")
    print("logout", [l.split()[1].decode() for l, _ in r])


def garbage(c, user, pw, kind):
    c.readline()
    c.cmd("a", "LOGIN %s %s" % (user, pw))
    print("compress", status(c.cmd("b", "COMPRESS DEFLATE")))
    c.compress()
    c.sock.settimeout(10)
    if kind == "plain":
        c.sock.sendall(b"c NOOP\r\n")
        c.sock.shutdown(socket.SHUT_WR)
    else:
        c.sock.sendall(b"\xff\xfe\xfd garbage\r\n" * 4)
    got = b""
    try:
        while True:
            d = c.sock.recv(65536)
            if not d:
                break
            got += d
        print("closed True")
    except socket.timeout:
        print("closed False (timeout)")
    except (ConnectionResetError, ssl.SSLError):
        print("closed True")
    try:
        text = c.d.decompress(got)
    except zlib.error:
        text = b"(not deflate)"
    print("answer", text.decode(errors="replace").strip().split(" ")[:2])


def pipelined(c, user, pw):
    c.readline()
    c.cmd("a", "LOGIN %s %s" % (user, pw))
    z = zlib.compressobj(wbits=-15)
    c.sock.sendall(b"b COMPRESS DEFLATE\r\n" + z.compress(b"c NOOP\r\n") + z.flush(zlib.Z_SYNC_FLUSH))
    print("compress", status(c.response(b"b")))
    c.compress()
    c.c = z
    print("noop", status(c.response(b"c")))
    print("logout", status(c.cmd("d", "LOGOUT")))


mode, host, port, user, pw = sys.argv[1:6]
if mode == "dialog":
    dialog(Conn(host, int(port), len(sys.argv) > 7), user, pw, sys.argv[6])
elif mode == "pipelined":
    pipelined(Conn(host, int(port), False), user, pw)
else:
    garbage(Conn(host, int(port), False), user, pw, sys.argv[6])
