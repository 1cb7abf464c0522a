# bench/pop3load.py - the load side of make bench's POP3 rows: a Maildir
# of messages with realistic headers and text lines (LF line ends, sizes
# drawn with a fixed seed), and one POP3 client for both servers: any
# number of sessions on one event loop (selectors, raw sockets), each
# USER/PASS + LIST + RETR of every message + QUIT, one command at a time.
# The client checks that every RETR brought exactly the LIST size.
import os
import random
import selectors
import socket
import ssl
import time

WORDS = ("the of and to in is that for it as was with be by on not he this are or his "
         "from at which but have an they you were her she there been one all we their "
         "meeting report invoice schedule project server mailbox delivery weekend budget "
         "attached please review thanks regards tomorrow update question answer kernel "
         "release version system network backup storage customer contract draft notes "
         "Monday Friday office lunch travel ticket family photos garden holiday").split()


def text_lines(rng, n):
    """n lines of words, 20 to 76 characters, one in eight empty"""
    out = []
    for _ in range(n):
        if rng.random() < 0.125:
            out.append("")
            continue
        want, line = rng.randint(20, 76), []
        while sum(len(w) + 1 for w in line) < want:
            line.append(rng.choice(WORDS))
        out.append(" ".join(line))
    return out


def message(rng, pool, i, size):
    """one message of about size bytes: a delivery's header, then text"""
    t = 1700000000 + i * 37
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))
    head = ["Return-Path: <sender%d@example.org>" % (i % 50),
            "Delivered-To: user@example.test",
            "Received: from mail.example.org (mail.example.org [192.0.2.%d])" % (i % 250 + 1),
            "\tby mx.example.test (hato) with ESMTPS id 4Sx%06dQz" % i,
            "\tfor <user@example.test>; %s" % date,
            "Date: " + date,
            "From: Sender %d <sender%d@example.org>" % (i % 50, i % 50),
            "To: User <user@example.test>",
            "Subject: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8))),
            "Message-ID: <%d.%d@example.org>" % (t, i),
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit", ""]
    body, n = [], sum(len(h) + 1 for h in head)
    while n < size:
        line = pool[rng.randrange(len(pool))]
        body.append(line)
        n += len(line) + 1
    return ("\n".join(head + body) + "\n").encode()


def make_maildir(path, n, seed, min_kb=4, max_kb=100):
    """a Maildir with n messages in new/, named as a delivery names them
    (",S=size,W=size with CRLFs"); the total bytes with CRLF line ends"""
    rng = random.Random(seed)
    pool = text_lines(rng, 4000)
    for d in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(path, d))
    total = 0
    for i in range(n):
        data = message(rng, pool, i, rng.randint(min_kb * 1024, max_kb * 1024))
        vsize = len(data) + data.count(b"\n")
        name = "%d.M%dP%d.bench.example,S=%d,W=%d" % (1700000000 + i * 37, i, 4000 + i,
                                                       len(data), vsize)
        with open(os.path.join(path, "new", name), "wb") as f:
            f.write(data)
        total += vsize
    return total


class Session:
    """one POP3 session driven by the event loop: the greeting, USER, PASS,
    LIST, RETR 1..n, QUIT (with login_only, QUIT right after PASS); fill()
    is called when the socket is readable.  The client must cost little
    next to the servers it measures: answers are received into one buffer
    (recv_into, no copies), and since one command is sent at a time, a
    multi-line answer is complete when the data so far ends with its
    terminator (dot-stuffing keeps "CRLF . CRLF" out of the text)."""
    NEXT = {"greet": "user", "user": "pass", "pass": "list"}

    def __init__(self, port, user, password, tls=None, login_only=False):
        self.sock = socket.create_connection(("127.0.0.1", port), 30)
        if tls:
            self.sock = tls.wrap_socket(self.sock)
        self.sock.setblocking(False)
        self.user, self.password = user, password
        self.buf, self.len = bytearray(1 << 18), 0
        self.view = memoryview(self.buf)
        self.state, self.multi = "greet", False
        self.sizes, self.msgs, self.bytes, self.n = [], 0, 0, 0
        self.done, self.login_only = False, login_only

    def fill(self):
        """read what the server sent: False at its close, True otherwise"""
        while True:
            if self.len == len(self.buf):
                self.view.release()
                self.buf += bytes(len(self.buf))
                self.view = memoryview(self.buf)
            try:
                n = self.sock.recv_into(self.view[self.len:])
            except (BlockingIOError, ssl.SSLWantReadError):
                return True
            if n == 0:
                return False
            self.len += n
            if not (isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()):
                break
        if self.complete():
            if self.buf[0] != ord("+"):
                raise RuntimeError("POP3 server, %s of %s: %r" % (
                    self.state, self.user, bytes(self.buf[:min(self.len, 200)])))
            self.handle()
            self.len = 0
        return True

    def complete(self):
        """whether buf holds the whole answer to the last command"""
        if not self.multi or self.buf[0] == ord("-"):
            return self.buf.find(b"\r\n", 0, self.len) >= 0
        return self.len >= 5 and self.view[self.len - 5:self.len] == b"\r\n.\r\n"

    def handle(self):
        """take in the answer in buf, send the next command"""
        body = self.buf.find(b"\r\n", 0, self.len) + 2
        if self.state == "list":
            text = bytes(self.buf[body:self.len - 3])
            self.sizes = [int(l.split()[1]) for l in text.split(b"\r\n") if l]
        elif self.state == "retr":
            got = self.len - 3 - body
            if got != self.sizes[self.n - 1]:
                raise RuntimeError("RETR %d: %d bytes, LIST said %d" % (
                    self.n, got, self.sizes[self.n - 1]))
            self.msgs, self.bytes = self.msgs + 1, self.bytes + got
        elif self.state == "quit":
            self.done = True
            return
        if self.state == "pass" and self.login_only:
            self.state, cmd = "quit", "QUIT"
        elif self.state in self.NEXT:
            self.state = self.NEXT[self.state]
            cmd = {"user": "USER " + self.user, "pass": "PASS " + self.password,
                   "list": "LIST"}[self.state]
        elif self.n < len(self.sizes):
            self.n += 1
            self.state, cmd = "retr", "RETR %d" % self.n
        else:
            self.state, cmd = "quit", "QUIT"
        self.multi = self.state in ("list", "retr")
        self.sock.sendall(cmd.encode() + b"\r\n")

    def close(self):
        self.view.release()
        self.sock.close()


def retrieve_all(port, logins, tls=None, login_only=False, timeout=600):
    """one session per (user, password) in logins, all at once, with TLS
    on connect if tls (an SSLContext); (seconds from the first connect to
    the last QUIT answer, messages, bytes)"""
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    sessions = [Session(port, u, p, tls, login_only) for u, p in logins]
    for s in sessions:
        sel.register(s.sock, selectors.EVENT_READ, s)
    left, end = len(sessions), t0 + timeout
    try:
        while left:
            if time.monotonic() > end:
                raise RuntimeError("POP3 sessions still running after %ds" % timeout)
            for key, _ in sel.select(1):
                s = key.data
                if not s.fill():
                    raise RuntimeError("POP3 server closed a session (%d of %d messages)" % (
                        s.msgs, len(s.sizes)))
                if s.done:
                    sel.unregister(s.sock)
                    s.close()
                    left -= 1
        t1 = time.monotonic()
    finally:
        for s in sessions:
            s.close()
        sel.close()
    return t1 - t0, sum(s.msgs for s in sessions), sum(s.bytes for s in sessions)
