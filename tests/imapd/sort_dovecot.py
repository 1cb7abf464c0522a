"""sort_dovecot - the same SORT and THREAD commands (UID and sequence
forms) to a private Dovecot and to hato's imapd on the same Maildir
(sort_corpus.py); prints one TAP line per command and the count of
differences.

    python3 sort_dovecot.py DV_PORT DV_PASS HATO_PORT HATO_PASS USER

Answers are compared whole ("* SORT ..." / "* THREAD ..."); an error by its status
and words (without Dovecot's timing).  KNOWN lists commands where
hato answers differently on purpose, with the RFC clause.
"""
import imaplib, os, re, sys

CRIT = ["ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"]
Q = []
for c in CRIT:
    Q.append("UID SORT (%s) UTF-8 ALL" % c)
    Q.append("UID SORT (REVERSE %s) UTF-8 ALL" % c)
Q += [
    "SORT (SUBJECT DATE) UTF-8 ALL", "UID SORT (FROM REVERSE DATE) US-ASCII ALL",
    "UID SORT (REVERSE SUBJECT REVERSE SIZE) UTF-8 ALL", "UID SORT (TO CC SUBJECT) UTF-8 ALL",
    "UID SORT (DATE) UTF-8 SEEN", "UID SORT (SUBJECT) UTF-8 NOT SEEN",
    "UID SORT (SIZE ARRIVAL) UTF-8 LARGER 500", "UID SORT (DATE) UTF-8 SUBJECT budget",
    "UID SORT (REVERSE ARRIVAL) UTF-8 UID 20:80", "SORT (DATE) UTF-8 1:40",
    "UID SORT (SUBJECT) UTF-8 OR FROM alice FROM bob", "UID SORT (DISPLAYFROM DATE) UTF-8 ALL",
    "UID SORT (SUBJECT) utf-8 NOT SUBJECT re", "UID SORT (DATE) UTF-8 SUBJECT nosuchword",
    "UID SORT (SUBJECT) UTF-8 SENTSINCE 1-Dec-2023", "SORT (REVERSE DATE SUBJECT) UTF-8 ALL",
    "UID SORT (SUBJECT) ISO-8859-2 ALL", "UID SORT (NOSUCH) UTF-8 ALL", "UID SORT () UTF-8 ALL",
    "UID SORT (DATE) UTF-8", "UID SORT DATE UTF-8 ALL", "UID SORT (REVERSE) UTF-8 ALL",
]
for alg in ("ORDEREDSUBJECT", "REFERENCES"):
    Q += ["UID THREAD %s UTF-8 ALL" % alg, "THREAD %s UTF-8 ALL" % alg,
          "UID THREAD %s UTF-8 SEEN" % alg, "UID THREAD %s UTF-8 UID 1:70" % alg,
          "UID THREAD %s UTF-8 NOT FROM alice" % alg, "UID THREAD %s US-ASCII SUBJECT alpha" % alg,
          "UID THREAD %s UTF-8 OR SUBJECT budget SUBJECT report" % alg]
Q += ["UID THREAD NOSUCH UTF-8 ALL", "UID THREAD REFERENCES KOI8-R ALL", "UID THREAD REFERENCES UTF-8"]
# ESORT (RFC 5267): one ESEARCH, compared without its (TAG "...")
# SEARCHRES (RFC 5182) with ESORT: SAVE keeps the sorted result (its
# first and last for MIN / MAX) for '$'
Q += ["UID SORT RETURN (SAVE) (SUBJECT) UTF-8 UID 1:30", "UID SORT (ARRIVAL) UTF-8 $",
      "SORT RETURN (SAVE MIN) (REVERSE DATE) UTF-8 ALL", "UID SORT (ARRIVAL) UTF-8 $",
      "UID SORT RETURN (SAVE MIN MAX) (SIZE) UTF-8 SEEN", "SORT (SIZE) UTF-8 $",
      "UID SORT RETURN (SAVE COUNT) (FROM) UTF-8 NOT SEEN", "UID SORT (FROM) UTF-8 OR $ 1",
      "UID SORT RETURN (SAVE ALL) (DATE) UTF-8 SUBJECT nosuchword", "UID SORT (DATE) UTF-8 $"]
Q += ["UID SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL", "SORT RETURN (ALL) (DATE) UTF-8 ALL",
      "UID SORT RETURN () (REVERSE ARRIVAL) UTF-8 ALL", "UID SORT RETURN (ALL) (ARRIVAL) UTF-8 ALL",
      "UID SORT RETURN (COUNT) (DATE) UTF-8 SUBJECT nosuchword",
      "UID SORT RETURN (MIN MAX ALL) (DATE) UTF-8 SUBJECT nosuchword",
      "UID SORT RETURN (MIN) (SIZE) UTF-8 SEEN", "UID SORT RETURN (MAX COUNT) (FROM DATE) UTF-8 NOT SEEN",
      "SORT RETURN (MIN MAX) (REVERSE SUBJECT) UTF-8 1:50", "UID SORT RETURN (NOSUCH) (DATE) UTF-8 ALL"]

KNOWN = {
    "UID SORT (SUBJECT) ISO-8859-2 ALL":
        "hato's search takes UTF-8 and US-ASCII only (as its SEARCH): NO [BADCHARSET], as "
        "RFC 5256 section 3 says for a charset the server does not support; Dovecot converts",
    "UID THREAD REFERENCES KOI8-R ALL": "the same (RFC 5256 section 3, BADCHARSET)",
}


def timeless(words):
    """an error's words without Dovecot's timing"""
    return re.sub(r" \([0-9.]+ \+ [0-9.]+( \+ [0-9.]+)? secs\)\.$", "", words)


def server(port, user, pw):
    out = []
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(user, pw)
    m.select("INBOX")
    for q in Q:
        m.untagged_responses.clear()
        words = q.split(" ", 1)
        try:
            typ, dat = m._simple_command(words[0], words[1])
        except (m.error, m.abort) as e:
            w = re.search(r"error: (\w+) \[b?.(.*).\]$", str(e))
            out.append(("ERR %s %s" % (w.group(1), timeless(w.group(2)))) if w else "ERR " + str(e))
            continue
        if typ != "OK":
            out.append("ERR %s %s" % (typ, timeless(dat[0].decode(errors="replace") if dat else "")))
            continue
        got = [k for k in ("SORT", "THREAD", "ESEARCH") if k in m.untagged_responses]
        for k in got:
            text = re.sub(r'^\(TAG "[^"]*"\) ?', "", m.untagged_responses[k][0].decode())
            out.append(("* %s %s" % (k, text)).rstrip())
        if not got:
            out.append("OK, nothing untagged")
    m.logout()
    return out


def first_session(port, user, pw):
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(user, pw)
    m.select("INBOX")
    m.logout()


def main():
    dv_port, dv_pw, h_port, h_pw, user = sys.argv[1:6]
    first_session(int(dv_port), user, dv_pw)
    first_session(int(h_port), user, h_pw)
    d = server(int(dv_port), user, dv_pw)
    h = server(int(h_port), user, h_pw)
    diff = 0
    for i, q in enumerate(Q):
        dv = d[i] if i < len(d) else "(none)"
        hv = h[i] if i < len(h) else "(none)"
        if dv == hv:
            print("ok - %s" % q)
            if os.environ.get("SORT_VERBOSE"):
                print("#   both: %s" % dv[:300])
        elif q in KNOWN:
            print("ok - %s # known difference: %s" % (q, KNOWN[q]))
        else:
            diff += 1
            print("not ok - %s" % q)
            print("#   dovecot: %s" % dv[:3000])
            print("#   hato:    %s" % hv[:3000])
    print("# %d commands (%d SORT, %d THREAD), %d differences" % (
        len(Q), sum("SORT" in q for q in Q), sum("THREAD" in q for q in Q), diff))
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
