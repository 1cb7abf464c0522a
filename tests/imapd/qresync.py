#!/usr/bin/env python3
"""qresync.py HOST PORT USER PASS STATE PHASE - one phase of the CONDSTORE
and QRESYNC test (RFC 7162) with raw sockets (imaplib knows neither), run
the same way against hato and a private Dovecot; prints the answers with
what differs by design taken out (MODSEQ values, Dovecot's timings), so
that the two outputs can be compared line for line.
  first     ENABLE QRESYNC, SELECT INBOX; UIDVALIDITY, HIGHESTMODSEQ and
            the UIDs go to the STATE file (JSON)
  other     another session changes flags and expunges
  resync    SELECT INBOX (QRESYNC (uidvalidity modseq)) with the state's
            values, with known UIDs, with a wrong UIDVALIDITY; UID FETCH
            (CHANGEDSINCE modseq VANISHED)
  live      two sessions at once: what one does, the other (QRESYNC on)
            hears at its NOOP; UNCHANGEDSINCE, MODIFIED, EXPUNGE's
            HIGHESTMODSEQ
  condstore CONDSTORE without QRESYNC: SELECT (CONDSTORE), CHANGEDSINCE,
            SEARCH MODSEQ, and what needs QRESYNC enabled first
"""
import json
import re
import socket
import sys


class Session:
    def __init__(self, host, port, user, pw):
        self.s = socket.create_connection((host, port), 10)
        self.buf = b""
        self.n = 0
        self.line()
        self.cmd("LOGIN %s %s" % (user, pw))

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.s.recv(65536)
            if not data:
                raise EOFError("closed")
            self.buf += data
        i = self.buf.index(b"\r\n")
        out, self.buf = self.buf[:i], self.buf[i + 2:]
        return out.decode("utf-8", "replace")

    def cmd(self, text):
        """the untagged lines and the tagged one"""
        self.n += 1
        tag = "t%d" % self.n
        self.s.sendall(("%s %s\r\n" % (tag, text)).encode())
        lines = []
        while True:
            ln = self.line()
            if ln.startswith(tag + " "):
                return lines, ln[len(tag) + 1:]
            lines.append(ln)

    def close(self):
        try:
            self.cmd("LOGOUT")
        except (EOFError, OSError):
            pass
        self.s.close()


def norm(text):
    """MODSEQ values and Dovecot's timing words out"""
    text = re.sub(r"MODSEQ \(\d+\)", "MODSEQ (n)", text)
    text = re.sub(r"HIGHESTMODSEQ \d+", "HIGHESTMODSEQ n", text)
    text = re.sub(r"\(MODSEQ \d+\)", "(MODSEQ n)", text)
    text = re.sub(r"UIDVALIDITY \d+", "UIDVALIDITY v", text)
    text = re.sub(r" \(\d+\.\d+ \+ \d+\.\d+( \+ \d+\.\d+)? secs\)", "", text)
    return text


def flags_sorted(text):
    """FLAGS (...) with its flags in order, so that order does not count"""
    return re.sub(r"FLAGS \(([^)]*)\)",
                  lambda m: "FLAGS (%s)" % " ".join(sorted(m.group(1).split())), text)


def show(label, result, keep=None):
    lines, tagged = result
    for ln in lines:
        if keep is None or re.search(keep, ln):
            print("%s: %s" % (label, flags_sorted(norm(ln))))
    print("%s: => %s" % (label, norm(tagged)))


def state_of(lines):
    st = {}
    for ln in lines:
        m = re.search(r"\[UIDVALIDITY (\d+)\]", ln)
        if m:
            st["uidvalidity"] = int(m.group(1))
        m = re.search(r"\[HIGHESTMODSEQ (\d+)\]", ln)
        if m:
            st["modseq"] = int(m.group(1))
    return st


def uids(sess):
    lines, _ = sess.cmd("UID FETCH 1:* (UID)")
    return [int(re.search(r"UID (\d+)", ln).group(1)) for ln in lines if "FETCH" in ln]


# The sync phases for the resync test leave out lines that tell the
# same thing in words that differ (FLAGS, PERMANENTFLAGS, OK [UNSEEN]).
SELECT_KEEP = r"EXISTS|RECENT|VANISHED|FETCH|HIGHESTMODSEQ|UIDNEXT|CLOSED"


def first(a, path):
    show("enable", a.cmd("ENABLE QRESYNC"))
    r = a.cmd("SELECT INBOX")
    show("select", r, SELECT_KEEP)
    st = state_of(r[0])
    st["uids"] = uids(a)
    print("first: %d messages" % len(st["uids"]))
    with open(path, "w") as f:
        json.dump(st, f)


def other(b, path):
    st = json.load(open(path))
    u = st["uids"]
    b.cmd("SELECT INBOX")
    show("flag", b.cmd("UID STORE %d +FLAGS (\\Flagged)" % u[0]))
    show("seen", b.cmd("UID STORE %d +FLAGS (\\Seen)" % u[1]))
    show("delete", b.cmd("UID STORE %d,%d +FLAGS.SILENT (\\Deleted)" % (u[2], u[4])))
    show("expunge", b.cmd("UID EXPUNGE %d" % u[2]))
    show("keyword", b.cmd("UID STORE %d +FLAGS ($Label1)" % u[5]))


def resync(a, path):
    st = json.load(open(path))
    v, ms, u = st["uidvalidity"], st["modseq"], st["uids"]
    show("enable", a.cmd("ENABLE QRESYNC"))
    show("qresync", a.cmd("SELECT INBOX (QRESYNC (%d %d))" % (v, ms)), SELECT_KEEP)
    show("known", a.cmd("SELECT INBOX (QRESYNC (%d %d %d:%d))" % (v, ms, u[0], u[3])),
         SELECT_KEEP)
    show("known-seqmatch", a.cmd("EXAMINE INBOX (QRESYNC (%d %d %d:%d (1:3 %d:%d)))"
                                 % (v, ms, u[0], u[7], u[0], u[2])), SELECT_KEEP)
    show("known-star", a.cmd("EXAMINE INBOX (QRESYNC (%d %d 1:*))" % (v, ms)), SELECT_KEEP)
    show("wrong-validity", a.cmd("SELECT INBOX (QRESYNC (%d %d))" % (v + 1, ms)), SELECT_KEEP)
    show("changedsince", a.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % ms))
    show("changedsince-part", a.cmd("UID FETCH %d:%d (FLAGS) (CHANGEDSINCE %d VANISHED)"
                                    % (u[2], u[5], ms)))
    show("changedsince-seq", a.cmd("FETCH 1:* (UID FLAGS) (CHANGEDSINCE %d)" % ms))
    show("search", a.cmd("UID SEARCH MODSEQ %d" % (ms + 1)))


def live(a, b):
    show("a-enable", a.cmd("ENABLE QRESYNC"))
    show("a-select", a.cmd("SELECT INBOX"), SELECT_KEEP)
    b.cmd("SELECT INBOX")
    u = uids(a)
    show("b-delete", b.cmd("UID STORE %d +FLAGS.SILENT (\\Deleted)" % u[0]))
    show("b-expunge", b.cmd("EXPUNGE"), r"EXPUNGE|VANISHED")
    show("a-noop", a.cmd("NOOP"))
    show("b-flag", b.cmd("UID STORE %d +FLAGS.SILENT (\\Flagged)" % u[1]))
    show("a-noop2", a.cmd("NOOP"))
    r = a.cmd("UID FETCH %d (MODSEQ)" % u[1])
    show("a-modseq", r)
    m = re.search(r"MODSEQ \((\d+)\)", " ".join(r[0]))
    ms = int(m.group(1)) if m else 0
    show("a-stale", a.cmd("UID STORE %d,%d (UNCHANGEDSINCE %d) +FLAGS (\\Answered)"
                          % (u[1], u[2], ms - 1)))
    show("a-current", a.cmd("UID STORE %d (UNCHANGEDSINCE %d) +FLAGS.SILENT (\\Answered)"
                            % (u[1], ms)))
    show("a-silent-seq", a.cmd("STORE 1 +FLAGS.SILENT (\\Seen)"))
    show("a-loud", a.cmd("STORE 2 +FLAGS (\\Draft)"))
    show("b-hears", b.cmd("NOOP"))
    show("a-zero", a.cmd("UID STORE %d (UNCHANGEDSINCE 0) +FLAGS (\\Seen)" % u[3]))
    show("a-delete", a.cmd("STORE 3 +FLAGS.SILENT (\\Deleted)"))
    show("a-expunge", a.cmd("EXPUNGE"))
    show("b-noop", b.cmd("NOOP"), r"EXPUNGE|VANISHED|EXISTS")


def condstore(a):
    show("bad-qresync", a.cmd("SELECT INBOX (QRESYNC (1 1))"))
    show("select", a.cmd("SELECT INBOX (CONDSTORE)"), SELECT_KEEP)
    show("changedsince", a.cmd("FETCH 1:* (FLAGS) (CHANGEDSINCE 1)"), r"FETCH")
    show("vanished-needs-qresync", a.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"))
    show("search", a.cmd("SEARCH MODSEQ 1"), r"SEARCH")
    show("status", a.cmd("STATUS INBOX (HIGHESTMODSEQ MESSAGES)"))
    show("enable", a.cmd("ENABLE CONDSTORE"))
    show("vanished-no-uid", a.cmd("FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"))
    show("unselect", a.cmd("UNSELECT"))
    show("plain-select", a.cmd("EXAMINE INBOX"), SELECT_KEEP)


def main():
    host, port, user, pw, path, phase = sys.argv[1:7]
    port = int(port)
    a = Session(host, port, user, pw)
    if phase == "first":
        first(a, path)
    elif phase == "other":
        other(a, path)
    elif phase == "resync":
        resync(a, path)
    elif phase == "live":
        b = Session(host, port, user, pw)
        live(a, b)
        b.close()
    elif phase == "condstore":
        condstore(a)
    a.close()


if __name__ == "__main__":
    main()
