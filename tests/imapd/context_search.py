#!/usr/bin/env python3
"""context_search.py HOST IMAP_PORT SMTP_PORT USER PASS - CONTEXT=SEARCH
and CONTEXT=SORT (RFC 5267) over raw sockets, two sessions: A keeps five
updating contexts (UID SEARCH UNSEEN, UID SEARCH FROM alice, UID SEARCH
ALL, SEARCH FLAGGED by sequence number, UID SORT (SUBJECT) UNSEEN); B
appends, delivers by SMTP (swaks), flags and expunges.  A applies every
ADDTO / REMOVEFROM it hears as RFC 5267 4.3 tells a client to (in order;
SORT's positions checked against what sits there; sequence numbers
shifted by each EXPUNGE, which must come after the REMOVEFROM of its
message) and, after each step, each context must equal the result
computed here, in Python, from the folder's state as B fetches it
(flags, From, Subject by UID).  Then: the sixth context is refused with
NO [NOUPDATE], a reused tag is BAD, updates come during IDLE,
CANCELUPDATE stops them, SELECT ends them; PARTIAL answers equal the
full answer sliced here.  Last, a SORT by sequence number and UID SEARCH
1:3 (whose result moves when a message before it is expunged).  Prints "ok - ..." / "not ok - ..." lines.
"""
import re
import socket
import subprocess
import sys
import time

HOST, PORT, SMTP, USER, PW = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
FAILS = []


def check(cond, what, detail=""):
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        FAILS.append(what)
        if detail:
            print("#   " + str(detail).replace("\n", "\n#   "))


class Session:
    def __init__(self, name):
        self.name = name
        self.s = socket.create_connection((HOST, PORT), 10)
        self.buf = b""
        self.n = 0
        self.line()
        self.cmd("LOGIN %s %s" % (USER, PW))

    def raw(self):
        while b"\r\n" not in self.buf:
            data = self.s.recv(65536)
            if not data:
                raise EOFError("closed")
            self.buf += data
        i = self.buf.index(b"\r\n")
        out, self.buf = self.buf[:i], self.buf[i + 2:]
        return out

    def line(self):
        """one response line, literals ({n}) read into it"""
        out = self.raw()
        while True:
            m = re.search(rb"\{(\d+)\}$", out)
            if not m:
                return out.decode("utf-8", "replace")
            n = int(m.group(1))
            while len(self.buf) < n:
                self.buf += self.s.recv(65536)
            out = out[:m.start()] + b'"' + self.buf[:n].replace(b"\r\n", b" ") + b'"'
            self.buf = self.buf[n:]
            out += self.raw()

    def send(self, text, tag=None):
        self.n += 1
        tag = tag or "%s%d" % (self.name, self.n)
        self.s.sendall(("%s %s\r\n" % (tag, text)).encode())
        return tag

    def cmd(self, text, tag=None):
        """the untagged lines and the tagged status line"""
        tag = self.send(text, tag)
        lines = []
        while True:
            ln = self.line()
            if ln.startswith(tag + " "):
                return lines, ln[len(tag) + 1:]
            lines.append(ln)


def seqset(text):
    """a sequence set in its order: 3:5 is 3 4 5, 5:3 is 5 4 3"""
    out = []
    for r in text.split(","):
        a, _, b = r.partition(":")
        a, b = int(a), int(b or a)
        out += list(range(a, b + 1)) if a <= b else list(range(a, b - 1, -1))
    return out


class Context:
    """what a client keeps of one updating search (RFC 5267 4.3)"""

    def __init__(self, tag, sort, uid, ids):
        self.tag, self.sort, self.uid, self.ids = tag, sort, uid, list(ids)
        self.errors = []

    def apply(self, items):
        for what, pairs in items:
            for pos, ids in pairs:
                if what == "ADDTO":
                    if pos == 0:
                        self.ids = sorted(set(self.ids) | set(ids))
                    else:
                        self.ids[pos - 1:pos - 1] = ids
                elif pos == 0:
                    self.ids = [x for x in self.ids if x not in ids]
                else:
                    here = self.ids[pos - 1:pos - 1 + len(ids)]
                    if here != ids:
                        self.errors.append("REMOVEFROM (%d %s) but there: %s" % (pos, ids, here))
                    del self.ids[pos - 1:pos - 1 + len(ids)]

    def expunge(self, seq):
        if self.uid:
            return
        if seq in self.ids:
            self.errors.append("EXPUNGE %d before its REMOVEFROM" % seq)
        self.ids = [x - 1 if x > seq else x for x in self.ids if x != seq]


ESEARCH = re.compile(r'^\* ESEARCH \(TAG "([^"]*)"\)( UID)?(.*)$')


def esearch_items(rest):
    """[(ADDTO|REMOVEFROM, [(pos, ids)])] in order"""
    out = []
    for what, body in re.findall(r"(ADDTO|REMOVEFROM) \(([^)]*)\)", rest):
        w = body.split()
        out.append((what, [(int(w[i]), seqset(w[i + 1])) for i in range(0, len(w), 2)]))
    return out


class Watcher(Session):
    """session A: its contexts follow every untagged line"""

    def __init__(self):
        super().__init__("a")
        self.ctx = {}
        self.untagged = []

    def follow(self, lines):
        for ln in lines:
            self.untagged.append(ln)
            m = ESEARCH.match(ln)
            if m and m.group(1) in self.ctx and re.search(r" (ADDTO|REMOVEFROM) ", m.group(3)):
                self.ctx[m.group(1)].apply(esearch_items(m.group(3)))
            m = re.match(r"^\* (\d+) EXPUNGE$", ln)
            if m:
                for c in self.ctx.values():
                    c.expunge(int(m.group(1)))

    def cmd(self, text, tag=None):
        lines, status = super().cmd(text, tag)
        self.follow(lines)
        return lines, status


def folder(b):
    """the folder's state as B fetches it: [(uid, flags, from, subject)]"""
    b.cmd("NOOP")  # A's own changes reach B's view first
    lines, _ = b.cmd("UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])")
    out = []
    for ln in lines:
        m = re.match(r"^\* \d+ FETCH \((.*)\)$", ln)
        if not m or "UID " not in ln or "HEADER.FIELDS" not in ln:
            continue  # another session's flags, told to B
        uid = int(re.search(r"UID (\d+)", ln).group(1))
        flags = re.search(r"FLAGS \(([^)]*)\)", ln).group(1).split()
        frm = re.search(r"From: *([^\"]*?) *(Subject:|\"|$)", ln, re.I)
        subj = re.search(r"Subject: *(\S*)", ln, re.I)
        out.append((uid, flags, frm.group(1) if frm else "", subj.group(1) if subj else ""))
    return sorted(out)


def expected(state):
    """each context's result computed here from the folder's state"""
    uids = [m[0] for m in state]
    unseen = [m for m in state if "\\Seen" not in m[1]]
    return {
        "unseen": [m[0] for m in unseen],
        "alice": [m[0] for m in state if "alice" in m[2].lower()],
        "all": uids,
        "flagged": [i + 1 for i, m in enumerate(state) if "\\Flagged" in m[1]],
        "sort": [m[0] for m in sorted(unseen, key=lambda m: (m[3].lower(), m[0]))],
    }


def compare(a, b, names, step):
    a.cmd("NOOP")
    want = expected(folder(b))
    for key, tag in names.items():
        c = a.ctx.get(tag)
        if c is None:
            continue
        check(c.ids == want[key] and not c.errors, "%s: context %s as the folder says" % (step, key),
              "heard %s, folder %s %s" % (c.ids, want[key], c.errors))
        c.errors = []


def append(b, frm, subject, flags=""):
    msg = ("From: %s\r\nTo: %s@localhost\r\nSubject: %s\r\n\r\nbody of %s\r\n" %
           (frm, USER, subject, subject))
    b.send("APPEND INBOX (%s) {%d}" % (flags, len(msg.encode())))
    ln = b.line()
    assert ln.startswith("+"), ln
    b.s.sendall(msg.encode() + b"\r\n")
    tag = "%s%d" % (b.name, b.n)
    while True:
        ln = b.line()
        if ln.startswith(tag + " "):
            return int(re.search(r"APPENDUID \d+ (\d+)", ln).group(1))


def deliver(b, subject):
    before = len(folder(b))
    subprocess.run(["swaks", "--server", "127.0.0.1:%d" % SMTP, "--from", "alice@example.test",
                    "--to", "%s@localhost" % USER, "--header", "Subject: %s" % subject,
                    "--header", "From: Alice <alice@example.test>", "-n"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    for _ in range(100):
        if len(folder(b)) > before:
            return True
        time.sleep(0.1)
    return False


def uid_of(b, subject):
    return [m[0] for m in folder(b) if m[3] == subject][0]


def all_ids(lines, tag):
    for ln in lines:
        m = ESEARCH.match(ln)
        if m and m.group(1) == tag:
            a = re.search(r" ALL (\S+)", m.group(3))
            return seqset(a.group(1)) if a else []
    return None


def start(a, key, text):
    tag = "ctx-" + key
    lines, status = a.cmd(text, tag)
    ids = all_ids(lines, tag)
    check(status.startswith("OK") and ids is not None, "%s: %s answers ESEARCH ALL" % (key, text),
          "\n".join(lines + [status]))
    a.ctx[tag] = Context(tag, "SORT" in text, text.startswith("UID "), ids or [])
    return tag


def test_partial(a):
    full_lines, _ = a.cmd("UID SEARCH RETURN () ALL", "p0")
    full = all_ids(full_lines, "p0")
    for rng in ["1:3", "3:1", "2:100", "-1:-2", "-3:-1", "500:600", "-500:-600"]:
        lines, status = a.cmd("UID SEARCH RETURN (PARTIAL %s) ALL" % rng, "p1")
        lo, hi = sorted(abs(int(x)) for x in rng.split(":"))
        want = full[lo - 1:hi] if not rng.startswith("-") else full[max(len(full) - hi, 0):max(len(full) - lo + 1, 0)]
        m = [re.search(r"PARTIAL \((\S+) (\S+)\)", ln) for ln in lines if ln.startswith("* ESEARCH")]
        got = (m[0].group(1), [] if m[0].group(2) == "NIL" else seqset(m[0].group(2))) if m and m[0] else None
        check(status.startswith("OK") and got == (rng, want),
              "PARTIAL %s of UID SEARCH ALL is the full result sliced (%s)" % (rng, want), lines)
    lines, _ = a.cmd("UID SORT RETURN () (REVERSE SUBJECT) UTF-8 ALL", "p2")
    sfull = all_ids(lines, "p2")
    lines, status = a.cmd("UID SORT RETURN (PARTIAL 2:4 COUNT) (REVERSE SUBJECT) UTF-8 ALL", "p3")
    m = re.search(r"PARTIAL \(2:4 (\S+)\) COUNT (\d+)", " ".join(lines))
    check(m is not None and seqset(m.group(1)) == sfull[1:4] and int(m.group(2)) == len(sfull),
          "PARTIAL 2:4 COUNT of UID SORT (REVERSE SUBJECT) is the sorted result sliced", lines)
    lines, status = a.cmd("SEARCH RETURN (PARTIAL 1:2 MIN MAX) ALL", "p4")
    check(any(re.search(r"MIN 1 MAX %d PARTIAL \(1:2 1:2\)" % len(full), ln) for ln in lines),
          "SEARCH RETURN (PARTIAL 1:2 MIN MAX): MIN and MAX of the whole result", lines)
    for bad in ["PARTIAL 1:5 ALL", "PARTIAL 0:5", "PARTIAL 1:*", "PARTIAL -1:5", "PARTIAL 1:2 PARTIAL 3:4"]:
        _, status = a.cmd("UID SEARCH RETURN (%s) ALL" % bad, "p5")
        check(status.startswith("BAD"), "RETURN (%s) is BAD" % bad, status)
    _, status = a.cmd("UID SORT RETURN (ALL PARTIAL 1:2) (SUBJECT) UTF-8 ALL", "p6")
    check(status.startswith("BAD"), "SORT RETURN (ALL PARTIAL 1:2) is BAD", status)
    a.cmd("UID SEARCH RETURN (SAVE PARTIAL 2:3) ALL", "p7")
    lines, _ = a.cmd("UID FETCH $ (UID)", "p8")
    saved = sorted(int(re.search(r"UID (\d+)", ln).group(1)) for ln in lines if " FETCH " in ln)
    check(saved == full[1:3], "SAVE with PARTIAL 2:3 keeps PARTIAL's messages (RFC 9394 3.2)", saved)


def test_seq_sort(a, b):
    """SORT by sequence number: REMOVEFROM places and numbers before each
    EXPUNGE, then the numbers shifted"""
    tag = start(a, "rsort", "SORT RETURN (UPDATE) (REVERSE SUBJECT) UTF-8 UNDELETED")
    first3 = start(a, "first3", "UID SEARCH RETURN (UPDATE) 1:3")  # moves with EXPUNGE

    def want():
        state = folder(b)
        live = [(i + 1, m) for i, m in enumerate(state) if "\\Deleted" not in m[1]]
        return [seq for seq, m in sorted(live, key=lambda x: (x[1][3].lower(), -x[0]), reverse=True)]

    def same(step):
        a.cmd("NOOP")
        c = a.ctx[tag]
        check(c.ids == want() and not c.errors, "SORT by sequence number: %s" % step,
              "heard %s, folder %s %s" % (c.ids, want(), c.errors))
        c.errors = []
        c3, uids = a.ctx[first3], [m[0] for m in folder(b)][:3]
        check(c3.ids == uids and not c3.errors, "UID SEARCH 1:3 (sequence numbers): %s" % step,
              "heard %s, folder %s %s" % (c3.ids, uids, c3.errors))

    same("start")
    subjects = [m[3] for m in folder(b)]
    pick = [subjects[1], subjects[3], subjects[4], subjects[-1]]
    b.cmd("UID STORE %s +FLAGS (\\Deleted)" % ",".join(str(uid_of(b, x)) for x in pick))
    same("four \\Deleted leave it")
    b.cmd("EXPUNGE")
    a.untagged = []
    same("their EXPUNGE")
    check(not any('"ctx-rsort") REMOVEFROM' in ln for ln in a.untagged), "nothing more to remove at EXPUNGE",
          a.untagged)
    b.cmd("UID STORE %d -FLAGS (\\Deleted)" % uid_of(b, subjects[0]))
    append(b, "zed@example.test", "lime")
    append(b, "zed@example.test", "aardvark")
    same("two APPENDs")
    b.cmd("UID STORE %d,%d +FLAGS (\\Deleted)" % (uid_of(b, "lime"), uid_of(b, subjects[0])))
    b.cmd("UID EXPUNGE %d" % uid_of(b, "lime"))
    a.untagged = []
    same("one \\Deleted, one expunged")
    order = [ln for ln in a.untagged if "REMOVEFROM" in ln or "EXPUNGE" in ln]
    check(order and "REMOVEFROM" in order[0], "REMOVEFROM by sequence number before the EXPUNGE", order)


def main():
    a, b = Watcher(), Session("b")
    lines, _ = a.cmd("CAPABILITY")
    caps = " ".join(lines).split()
    check("CONTEXT=SEARCH" in caps and "CONTEXT=SORT" in caps, "CAPABILITY has CONTEXT=SEARCH and CONTEXT=SORT")
    for frm, subj, flags in [("Alice <alice@example.test>", "kiwi", ""), ("bob@example.test", "apple", "\\Seen"),
                             ("alice@example.test", "mango", "\\Seen"), ("bob@example.test", "cherry", ""),
                             ("carol@example.test", "banana", "\\Flagged"), ("bob@example.test", "fig", "")]:
        append(b, frm, subj, flags)
    b.cmd("SELECT INBOX")
    a.cmd("SELECT INBOX")
    names = {"unseen": start(a, "unseen", "UID SEARCH RETURN (UPDATE) UNSEEN"),
             "alice": start(a, "alice", "UID SEARCH RETURN (UPDATE CONTEXT) FROM alice"),
             "all": start(a, "all", "UID SEARCH RETURN (UPDATE) ALL"),
             "flagged": start(a, "flagged", "SEARCH RETURN (UPDATE) FLAGGED"),
             "sort": start(a, "sort", "UID SORT RETURN (UPDATE) (SUBJECT) UTF-8 UNSEEN")}
    compare(a, b, names, "start")
    lines, status = a.cmd("UID SEARCH RETURN (UPDATE COUNT) DELETED", "ctx-six")
    check(any(ln.startswith('* NO [NOUPDATE "ctx-six"]') for ln in lines) and status.startswith("OK") and
          any(re.search(r"COUNT 0", ln) for ln in lines),
          "a sixth updating context: NO [NOUPDATE], and the search still answers", lines + [status])
    _, status = a.cmd("UID SEARCH RETURN (UPDATE) SEEN", "ctx-unseen")
    check(status.startswith("BAD"), "UPDATE under a tag in use is BAD", status)

    append(b, "alice@example.test", "date")
    append(b, "dave@example.test", "elder", "\\Seen")
    compare(a, b, names, "two APPENDs")
    check(deliver(b, "grape"), "a message delivered by SMTP (swaks)")
    compare(a, b, names, "an SMTP delivery")
    b.cmd("UID STORE %d +FLAGS (\\Seen)" % uid_of(b, "kiwi"))
    b.cmd("UID STORE %d -FLAGS (\\Seen)" % uid_of(b, "apple"))
    compare(a, b, names, "\\Seen set and cleared")
    b.cmd("UID STORE %d,%d +FLAGS (\\Flagged)" % (uid_of(b, "cherry"), uid_of(b, "grape")))
    compare(a, b, names, "\\Flagged on two")
    b.cmd("UID STORE %d,%d +FLAGS (\\Deleted)" % (uid_of(b, "banana"), uid_of(b, "cherry")))
    compare(a, b, names, "\\Deleted (no change for these)")
    b.cmd("EXPUNGE")
    a.untagged = []
    compare(a, b, names, "EXPUNGE of two flagged messages")
    order = [ln for ln in a.untagged if "REMOVEFROM" in ln or "EXPUNGE" in ln]
    check(len(order) >= 2 and "REMOVEFROM" in order[0] and order[-1].endswith("EXPUNGE"),
          "REMOVEFROM of expunged messages comes before the EXPUNGE", order)
    a.cmd("UID STORE %d +FLAGS (\\Seen \\Flagged)" % uid_of(b, "fig"))
    compare(a, b, names, "A's own STORE")
    a.cmd("STORE 1:* -FLAGS (\\Seen)")
    compare(a, b, names, "A's own STORE on every message")

    # IDLE: the news comes while idling, after EXISTS
    tag = a.send("IDLE")
    assert a.line().startswith("+")
    append(b, "alice@example.test", "honeydew")
    seen, deadline = [], time.time() + 10
    a.s.settimeout(1)
    while time.time() < deadline and not any("ADDTO" in ln for ln in seen):
        try:
            seen.append(a.line())
        except socket.timeout:
            pass
    a.s.settimeout(10)
    a.s.sendall(b"DONE\r\n")
    while True:
        ln = a.line()
        if ln.startswith(tag + " "):
            break
        seen.append(ln)
    a.follow(seen)
    adds = [i for i, ln in enumerate(seen) if "ADDTO" in ln]
    exists = [i for i, ln in enumerate(seen) if ln.endswith(" EXISTS")]
    check(adds and exists and exists[0] < adds[0], "during IDLE: ADDTO after the EXISTS", seen)
    print("# IDLE: " + " | ".join(seen))
    compare(a, b, names, "a delivery during IDLE")

    _, status = a.cmd('CANCELUPDATE "ctx-unseen" "no-such-tag"')
    check(status.startswith("OK"), "CANCELUPDATE answers OK", status)
    cancelled = a.ctx.pop("ctx-unseen")
    a.untagged = []
    append(b, "erin@example.test", "ice")
    compare(a, b, names, "after CANCELUPDATE")
    check(not any('TAG "ctx-unseen"' in ln for ln in a.untagged), "CANCELUPDATE: no more updates for its tag",
          a.untagged)
    check(len(cancelled.ids) > 0, "the cancelled context had a result")
    names["unseen"] = start(a, "unseen2", "UID SEARCH RETURN (UPDATE) UNSEEN")
    b.cmd("UID STORE %d +FLAGS (\\Seen)" % uid_of(b, "ice"))
    compare(a, b, names, "a context made after a CANCELUPDATE (the limit has room again)")
    _, status = a.cmd("CANCELUPDATE")
    check(status.startswith("BAD"), "CANCELUPDATE without a tag is BAD", status)

    test_partial(a)

    a.cmd("SELECT INBOX")
    a.ctx = {}
    a.untagged = []
    append(b, "alice@example.test", "jujube")
    a.cmd("NOOP")
    check(not any("ESEARCH" in ln for ln in a.untagged), "SELECT ends every context", a.untagged)
    test_seq_sort(a, b)
    print("# %d failed" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
