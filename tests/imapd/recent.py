#!/usr/bin/env python3
"""recent.py HOST PORT USER PASS MAILDIR - \\Recent (RFC 3501 2.3.2) step
by step, run the same way against hato and a private Dovecot on copies of
the same Maildir; prints each session's answers with what differs by
design taken out (the greeting, FLAGS and "* OK [...]" lines, Dovecot's
timings, UIDPLUS values), so that the outputs compare line for line.
MAILDIR is the server's copy: a "delivery" is a file put in its new/ (as
an LDA does), owned by the Maildir's owner.
  S1-S6  one session after another: SELECT takes what arrived; APPEND and
         COPY into a folder, STATUS (RECENT), EXAMINE (looks, takes
         nothing), MOVE, and SELECT after each
  C1     A has INBOX selected when a message arrives: its NOOP takes it
         ("* n EXISTS", "* 1 RECENT"), the file goes new/ -> cur/; B's
         SELECT then has RECENT 0; SEARCH RECENT, NEW, OLD
  C2     EXAMINE while A has INBOX selected: E sees the new one \\Recent,
         A still takes it at its NOOP; STATUS (RECENT) from a third
         session before and after
  C3     two SELECTs at once: exactly one takes the new message
  C4     A's own APPEND to its selected INBOX; an expunge shifts the
         sequence numbers of A's \\Recent messages, one of a \\Recent one
         is told "* n RECENT"
  C5     taking \\Recent is no change of the message: HIGHESTMODSEQ stays
  C6     in IDLE, a delivery is told "* n EXISTS", "* 1 RECENT" and taken
  C7     EXAMINE hears a delivery at NOOP as \\Recent (and leaves it in
         new/); a SELECT after UNSELECT takes it, the next one has none
  C8     EXAMINE's view has a file in new/ that another session's SELECT
         moves to cur/, then renames with a new flag: FETCH still reads it
  C9     SELECT of the folder already selected (EXAMINE, then SELECT,
         SELECT): another session's STORE and a delivery meanwhile are in
         the first answer, which takes the delivery (RECENT 1); the next
         has RECENT 0, its own STORE shows at the third
"""
import os
import re
import socket
import sys
import time

HOST, PORT, USER, PW, MAILDIR = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
DROP = re.compile(r"^\* (OK \[|FLAGS |CAPABILITY )")


class Session:
    def __init__(self, name):
        self.name = name
        self.s = socket.create_connection((HOST, PORT), 10)
        self.buf = b""
        self.line()
        self.cmd("a", "LOGIN %s %s" % (USER, PW), show=False)

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.s.recv(65536)
            if not data:
                raise EOFError("closed")
            self.buf += data
        i = self.buf.index(b"\r\n")
        out, self.buf = self.buf[:i], self.buf[i + 2:]
        return out.decode("utf-8", "replace")

    def send(self, tag, text):
        self.s.sendall(("%s %s\r\n" % (tag, text)).encode())

    def answer(self, tag, show=True):
        """the lines to tag's answer, printed"""
        lines = []
        while True:
            ln = self.line()
            lines.append(ln)
            if show and not DROP.match(ln):
                ln = re.sub(r" \(([0-9.]+ \+ )*[0-9.]+ secs\)", "", ln)
                ln = re.sub(r"(APPENDUID|COPYUID) [0-9]+ [^\]]*\]", r"\1 X]", ln)
                print("%s%s" % (self.name + ": " if self.name else "", ln))
            if ln.startswith(tag + " "):
                return lines

    def cmd(self, tag, text, show=True):
        self.send(tag, text)
        return self.answer(tag, show)

    def append(self, tag, folder, msg):
        self.s.sendall(("%s APPEND %s {%d+}\r\n" % (tag, folder, len(msg))).encode() + msg + b"\r\n")
        return self.answer(tag)

    def close(self):
        self.send("z", "LOGOUT")
        try:
            while self.line() is not None:
                pass
        except (EOFError, OSError):
            pass
        self.s.close()


def run(name, *steps):
    """one session, the steps one after another"""
    print("-- " + name)
    s = Session("")
    for i, step in enumerate(steps):
        if isinstance(step, tuple):
            s.append("p%d" % i, step[0], step[1])
        else:
            s.cmd("c%d" % i, step)
    s.close()


delivered = 0


def deliver():
    """a message into new/, as an LDA leaves it"""
    global delivered
    delivered += 1
    st = os.stat(MAILDIR)
    name = "%d.M%dP%dQ%d.recent-test" % (1700000000 + delivered, delivered, os.getpid(), delivered)
    tmp = os.path.join(MAILDIR, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(b"From: a@example.test\nSubject: delivered %d\n\nbody\n" % delivered)
    os.chown(tmp, st.st_uid, st.st_gid)
    os.utime(tmp, (1700000000 + delivered, 1700000000 + delivered))
    os.rename(tmp, os.path.join(MAILDIR, "new", name))


def in_new():
    """how many files new/ holds, on a "## " line: not compared (Dovecot
    moves them to cur/ when a session takes them as \\Recent, hato when
    their flags change)"""
    print("## new/ holds %d" % len(os.listdir(os.path.join(MAILDIR, "new"))))


def sequential():
    msg = b"hello"
    run("S1", "SELECT INBOX", "FETCH 1:* (FLAGS)", "SEARCH RECENT")
    run("S2", "SELECT INBOX", ("INBOX", msg), "NOOP", "FETCH 1:* (FLAGS)", "CREATE Rx",
        "COPY 1:2 Rx", "STATUS Rx (RECENT MESSAGES)")
    run("S3", "EXAMINE Rx", "FETCH 1:* (FLAGS)")
    run("S4", "STATUS Rx (RECENT)", "SELECT Rx", "FETCH 1:* (FLAGS)")
    run("S5", "SELECT Rx", "MOVE 1 INBOX", "STATUS INBOX (RECENT)")
    run("S6", "SELECT INBOX", "FETCH 1:* (FLAGS)", "DELETE Rx")


def concurrent():
    print("-- C1")
    a = Session("A")
    a.cmd("s", "SELECT INBOX")
    deliver()
    time.sleep(0.3)
    a.cmd("n", "NOOP")
    in_new()
    a.cmd("f", "FETCH 4:* (FLAGS)")
    a.cmd("x", "SEARCH RECENT")
    a.cmd("y", "SEARCH NEW")
    a.cmd("o", "SEARCH OLD")
    b = Session("B")
    b.cmd("s", "SELECT INBOX")
    b.cmd("f", "FETCH 4:* (FLAGS)")
    b.cmd("x", "SEARCH RECENT")
    b.cmd("st", "STATUS INBOX (RECENT MESSAGES)")
    b.close()
    print("-- C2")
    deliver()
    e = Session("E")
    e.cmd("e", "EXAMINE INBOX")
    e.cmd("f", "FETCH 5:* (FLAGS)")
    in_new()
    o = Session("O")
    o.cmd("st", "STATUS INBOX (RECENT)")
    a.cmd("n", "NOOP")
    a.cmd("f", "FETCH 5:* (FLAGS)")
    o.cmd("st", "STATUS INBOX (RECENT)")
    o.close()
    e.cmd("n", "NOOP")
    e.cmd("f", "FETCH 5:* (FLAGS)")
    e.cmd("st", "STATUS INBOX (RECENT)")
    e.close()
    print("-- C3")
    a.cmd("c", "CLOSE")
    deliver()
    x, y = Session("X"), Session("Y")
    x.send("s", "SELECT INBOX")
    y.send("s", "SELECT INBOX")
    got = 0
    for ses in (x, y):
        for ln in ses.answer("s", show=False):
            m = re.match(r"^\* (\d+) RECENT$", ln)
            got += int(m.group(1)) if m else 0
    print("the two SELECTs took %d" % got)
    x.close()
    y.close()
    print("-- C4")
    deliver()
    a.cmd("s", "SELECT INBOX")
    a.append("p", "INBOX", b"Subject: own\r\n\r\nmine\r\n")
    a.cmd("f", "FETCH 6:* (FLAGS)")
    a.cmd("d", "STORE 6 +FLAGS.SILENT (\\Deleted)")
    a.cmd("e", "EXPUNGE")
    a.cmd("f", "FETCH 5:* (FLAGS)")
    a.cmd("x", "SEARCH RECENT")
    a.cmd("d2", "STORE 7 +FLAGS.SILENT (\\Deleted)")
    a.cmd("e2", "EXPUNGE")
    a.cmd("x2", "SEARCH RECENT")
    a.close()
    print("-- C5")
    deliver()
    q = Session("Q")
    before = highestmodseq(q)
    t = Session("T")
    t.cmd("s", "SELECT INBOX")
    t.close()
    in_new()
    print("HIGHESTMODSEQ %s by the take" % ("the same" if highestmodseq(q) == before else "changed"))
    q.close()
    print("-- C6")
    i = Session("I")
    i.cmd("s", "SELECT INBOX")
    i.send("i", "IDLE")
    print("I: " + i.line())
    deliver()
    i.s.settimeout(10)
    while True:				# to the RECENT the delivery brings
        ln = i.line()
        print("I: " + ln)
        if ln.endswith(" RECENT"):
            break
    i.s.sendall(b"DONE\r\n")
    i.answer("i")
    in_new()
    i.close()
    print("-- C7")
    e = Session("E")
    e.cmd("e", "EXAMINE INBOX")
    deliver()
    time.sleep(0.3)
    e.cmd("n", "NOOP")
    e.cmd("f", "FETCH 9:* (FLAGS)")
    in_new()
    e.cmd("u", "UNSELECT")
    e.cmd("s", "SELECT INBOX")
    e.cmd("f", "FETCH 9:* (FLAGS)")
    e.cmd("u", "UNSELECT")
    e.cmd("s", "SELECT INBOX")
    e.cmd("f", "FETCH 9:* (FLAGS)")
    e.close()
    print("-- C8")
    e = Session("E")
    e.cmd("e", "EXAMINE INBOX")
    deliver()
    time.sleep(0.3)
    e.cmd("n", "NOOP")
    t = Session("T")
    t.cmd("s", "SELECT INBOX")
    t.close()
    in_new()
    e.cmd("f", "FETCH 11 (FLAGS BODY.PEEK[TEXT])")
    t = Session("T")
    t.cmd("s", "SELECT INBOX")
    t.cmd("st", "STORE 11 +FLAGS.SILENT (\\Flagged)")
    t.close()
    e.cmd("f", "FETCH 11 (BODY.PEEK[TEXT])")
    e.cmd("n", "NOOP")
    e.close()
    print("-- C9")
    a = Session("A")
    a.cmd("e", "EXAMINE INBOX")
    t = Session("T")
    t.cmd("s", "SELECT INBOX")
    t.cmd("st", "STORE 1 +FLAGS.SILENT (\\Draft)")
    t.close()
    deliver()
    time.sleep(0.3)
    a.cmd("s", "SELECT INBOX")
    a.cmd("f", "FETCH 1 (FLAGS)")
    a.cmd("s", "SELECT INBOX")
    a.cmd("st", "STORE 2 +FLAGS.SILENT (\\Seen)")
    a.cmd("s", "SELECT INBOX")
    a.cmd("f", "FETCH 1:2 (FLAGS)")
    a.close()


def highestmodseq(s):
    """the folder's HIGHESTMODSEQ by STATUS"""
    for ln in s.cmd("h", "STATUS INBOX (HIGHESTMODSEQ)", show=False):
        m = re.search(r"HIGHESTMODSEQ (\d+)", ln)
        if m:
            return m.group(1)
    return None


sequential()
concurrent()
