# bench/imapload.py - the load side of make bench's IMAP rows: one IMAP
# client for both servers, any number of sessions on one event loop
# (selectors, raw sockets, plain IMAP on 127.0.0.1).  A session runs a
# script: a generator of steps (a command line, an APPEND with its
# literal, IDLE) and is told each tagged answer.  The client must cost
# little next to the servers it measures: answers go into one buffer per
# session (recv_into, no copies), and since one command is outstanding at
# a time, an answer is complete when the data so far ends in a line that
# starts with the command's tag (or "+ " when a continuation is awaited).
# Nothing else is parsed, but what a row needs (EXISTS, FETCH count, the
# SEARCH hits), and every tagged answer must be OK.
import selectors
import socket
import time


class Session:
    """one IMAP session: greeting, LOGIN, then the steps of script(self),
    each ("cmd", text), ("append", folder, data) or ("idle",); after each
    tagged OK, self.last is the whole answer (a memoryview, valid until
    the next step) and the generator is resumed; by_kind, the commands
    answered and their seconds from sending to the tagged answer, by the
    command's first word"""

    def __init__(self, port, user, password, script):
        self.sock = socket.create_connection(("127.0.0.1", port), 60)
        self.sock.setblocking(False)
        self.user, self.password = user, password
        self.buf, self.len = bytearray(1 << 12), 0     # grows; 10,000 idle sessions
        self.view = memoryview(self.buf)
        self.steps = script(self)
        self.tag, self.n, self.want = b"", 0, b"* OK"
        self.pending = None         # an APPEND's literal, after "+ "
        self.done = self.idling = self.in_idle = False
        self.lastcmd = None
        self.commands = 0
        self.last = None
        self.sent = 0.0
        self.by_kind = {}           # command word -> [count, seconds]

    def fill(self):
        """read what the server sent: False at its close, True otherwise"""
        if self.len == len(self.buf):
            self.view.release()
            self.buf += bytes(len(self.buf))
            self.view = memoryview(self.buf)
        try:
            n = self.sock.recv_into(self.view[self.len:])
        except BlockingIOError:
            return True
        if n == 0:
            return False
        self.len += n
        if self.complete():
            self.handle()
        return True

    def complete(self):
        """whether the buffer ends in the line awaited"""
        if self.len < 2 or self.view[self.len - 2:self.len] != b"\r\n":
            return False
        start = self.buf.rfind(b"\n", 0, self.len - 2) + 1
        w = self.want
        return self.view[start:start + len(w)] == w

    def handle(self):
        """take in the answer, send the next step"""
        if self.pending is not None:        # "+ " to an APPEND
            self.sock.sendall(self.pending)
            self.pending, self.len = None, 0
            self.want = self.tag + b" "
            return
        if self.want == b"+ " and self.idling:
            self.in_idle, self.len = True, 0
            return
        if self.tag:
            start = self.buf.rfind(b"\n", 0, self.len - 2) + 1
            if self.view[start + len(self.tag) + 1:start + len(self.tag) + 3] != b"OK":
                raise RuntimeError("IMAP %s: %r" % (self.user, bytes(
                    self.view[max(0, self.len - 300):self.len])))
            self.commands += 1
            kind = self.lastcmd.split(" ", 1)[0]
            k = self.by_kind.setdefault(kind, [0, 0.0])
            k[0] += 1
            k[1] += time.monotonic() - self.sent
            self.last = self.view[:self.len]
        self.send_next()
        if self.last is not None:
            self.last.release()
            self.last = None
        self.len = 0

    def send_next(self):
        if not self.tag:
            step = ("cmd", 'LOGIN %s "%s"' % (self.user, self.password))
        else:
            if self.lastcmd == "LOGOUT":
                self.done = True
                return
            step = next(self.steps, ("cmd", "LOGOUT"))
        self.n += 1
        self.sent = time.monotonic()
        self.tag = b"t%d" % self.n
        self.want = self.tag + b" "
        if step[0] == "cmd":
            self.lastcmd = step[1]
            self.sock.sendall(self.tag + b" " + step[1].encode() + b"\r\n")
        elif step[0] == "append":
            self.lastcmd = "APPEND"
            self.pending = step[2] + b"\r\n"
            self.want = b"+ "
            self.sock.sendall(b"%s APPEND %s {%d}\r\n" % (self.tag, step[1].encode(),
                                                          len(step[2])))
        else:
            self.lastcmd = "IDLE"
            self.idling, self.want = True, b"+ "
            self.sock.sendall(self.tag + b" IDLE\r\n")

    def close(self):
        self.view.release()
        self.sock.close()


def exists(answer):
    """the EXISTS count in a SELECT answer"""
    b = bytes(answer)
    i = b.find(b" EXISTS\r\n")
    return int(b[b.rfind(b"* ", 0, i) + 2:i])


def fetched(answer):
    """how many FETCH responses an answer holds"""
    return answer.obj.count(b" FETCH (", 0, len(answer))


def hits(answer):
    """how many numbers the SEARCH (or SORT) response holds"""
    b = bytes(answer)
    i = b.find(b"* SEARCH")
    if i < 0:
        i = b.find(b"* SORT") - 2
    return len(b[i + 8:b.find(b"\r\n", i + 8)].split())


def run(port, logins, script, timeout=900, ramp=50, hold=False):
    """one session per (user, password) in logins, at most ramp of them
    connecting and logging in at a time, each running script(session),
    until every session is done (or, with hold, in IDLE: the sessions are
    returned open, for close_all).  (seconds, sessions)"""
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    todo, live, out, starting = list(reversed(logins)), 0, [], []
    end = t0 + timeout
    try:
        while todo or live:
            starting = [s for s in starting if not s.done and s.tag in (b"", b"t1")]
            while todo and len(starting) < ramp:
                u, p = todo.pop()
                s = Session(port, u, p, script)
                out.append(s)
                starting.append(s)
                sel.register(s.sock, selectors.EVENT_READ, s)
                live += 1
            if time.monotonic() > end:
                raise RuntimeError("IMAP sessions still running after %ds" % timeout)
            if hold and not todo and all(s.in_idle for s in out):
                break
            for key, _ in sel.select(1):
                s = key.data
                if not s.fill():
                    raise RuntimeError("IMAP server closed the session of %s after %d commands"
                                       % (s.user, s.commands))
                if s.done:
                    sel.unregister(s.sock)
                    s.close()
                    live -= 1
        t1 = time.monotonic()
    except BaseException:
        close_all(out)
        raise
    finally:
        sel.close()
    if not hold:
        close_all(out)
    return t1 - t0, out


def close_all(sessions):
    for s in sessions:
        try:
            s.close()
        except Exception:
            pass
