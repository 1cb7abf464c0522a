# bench/imap_resync.py - make bench's QRESYNC and SORT rows (bench/imap.py
# runs them on its big folder, against both servers):
# - QRESYNC: a client that left knowing UIDVALIDITY and HIGHESTMODSEQ
#   comes back after another session changed the flags of 1% of the
#   folder: LOGIN, ENABLE QRESYNC, SELECT INBOX (QRESYNC (v m)), LOGOUT,
#   timed, with the server's CPU; the answer must hold exactly the changed
#   messages.  Each run toggles \Flagged on its own 1%.
# - SORT: SORT (SUBJECT) and SORT (REVERSE DATE) of the whole folder in one
#   session, warm, per command.
import random
import re
import time

import imapload

SORTS = (("SUBJECT", "SORT (SUBJECT) UTF-8 ALL"), ("DATE", "SORT (REVERSE DATE) UTF-8 ALL"))


def _state(rows, s):
    """(UIDVALIDITY, HIGHESTMODSEQ) of the big folder, as a QRESYNC client
    keeps them"""
    got = {}

    def script(sess):
        yield ("cmd", "ENABLE QRESYNC")
        yield ("cmd", "SELECT INBOX")
        text = bytes(sess.last)
        got["v"] = int(re.search(rb"\[UIDVALIDITY (\d+)\]", text).group(1))
        got["m"] = int(re.search(rb"\[HIGHESTMODSEQ (\d+)\]", text).group(1))
    imapload.run(s.port, [(rows.users[0], rows.password)], script)
    return got["v"], got["m"]


def _change(rows, s, seqs, on):
    """another session: \\Flagged on (or off) the messages seqs"""
    def script(sess):
        yield ("cmd", "SELECT INBOX")
        yield ("cmd", "STORE %s %sFLAGS.SILENT (\\Flagged)" % (",".join(map(str, seqs)),
                                                            "+" if on else "-"))
    imapload.run(s.port, [(rows.users[0], rows.password)], script)


def qresync(rows, s):
    """one resync after 1% changed: {secs, cpu_s, changed}"""
    rows.resync_runs = getattr(rows, "resync_runs", 0) + 1
    run = (rows.resync_runs - 1) // 2    # each server gets the same runs:
    k = max(1, rows.n // 100)            # \Flagged on a 1%, then off again
    seqs = sorted(random.Random(run // 2).sample(range(1, rows.n + 1), k))
    v, m = _state(rows, s)
    _change(rows, s, seqs, run % 2 == 0)
    got = []

    def script(sess):
        yield ("cmd", "ENABLE QRESYNC")
        yield ("cmd", "SELECT INBOX (QRESYNC (%d %d))" % (v, m))
        got.append(imapload.fetched(sess.last))
    secs, _, cpu = rows.measure(s, [(rows.users[0], rows.password)], script)
    if got != [k]:
        raise RuntimeError("%s: QRESYNC gave %s FETCH responses, %d expected" % (s.name, got, k))
    return {"secs": secs, "cpu_s": cpu, "changed": k}


def sort(rows, s):
    """rows.searches of each SORT in one session: {KEY_ms, KEY_cpu_ms}"""
    out, marks = {}, []

    def script(sess):
        yield ("cmd", "SELECT INBOX")
        for key, cmd in SORTS:
            marks.append((key, time.monotonic(), s.cpu_seconds()))
            for _ in range(rows.searches):
                yield ("cmd", cmd)
            out[key + "_hits"] = imapload.hits(sess.last)
        marks.append((None, time.monotonic(), s.cpu_seconds()))
    rows.measure(s, [(rows.users[0], rows.password)], script)
    for (key, t0, c0), (_, t1, c1) in zip(marks, marks[1:]):
        out[key + "_ms"] = (t1 - t0) * 1000 / rows.searches
        out[key + "_cpu_ms"] = (c1 - c0) * 1000 / rows.searches
        if out[key + "_hits"] != rows.n:
            raise RuntimeError("%s: %s sorted %d of %d" % (s.name, key, out[key + "_hits"], rows.n))
    return out
