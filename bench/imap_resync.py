# bench/imap_resync.py - make bench's QRESYNC rows (bench/imap.py runs
# them on its big folder, against both servers): a client that left
# knowing UIDVALIDITY and HIGHESTMODSEQ comes back after another session
# changed the flags of 1% of the folder: LOGIN, ENABLE QRESYNC, SELECT
# INBOX (QRESYNC (v m)), LOGOUT, timed, with the server's CPU; and the
# resync alone, from the LOGIN's answer to the SELECT's (the password's
# hash, the same for both servers, left out); the answer must hold
# exactly the changed messages.  Runs toggle \Flagged on a 1%: on, then
# off again, the same 1% for both servers.
import time

import random
import re

import imapload


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
    got, mark = [], {}

    def script(sess):
        mark["t0"], mark["c0"] = time.monotonic(), s.cpu_seconds()    # LOGIN answered
        yield ("cmd", "ENABLE QRESYNC")
        yield ("cmd", "SELECT INBOX (QRESYNC (%d %d))" % (v, m))
        mark["t1"], mark["c1"] = time.monotonic(), s.cpu_seconds()
        got.append(imapload.fetched(sess.last))
    secs, _, cpu = rows.measure(s, [(rows.users[0], rows.password)], script)
    if got != [k]:
        raise RuntimeError("%s: QRESYNC gave %s FETCH responses, %d expected" % (s.name, got, k))
    return {"secs": secs, "cpu_s": cpu, "changed": k,
            "select_ms": (mark["t1"] - mark["t0"]) * 1000,
            "select_cpu_ms": (mark["c1"] - mark["c0"]) * 1000}
