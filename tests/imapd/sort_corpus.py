"""sort_corpus - a Maildir of about 160 generated messages for SORT and THREAD
(tests/imapd/sort_dovecot.sh): threads of References / In-Reply-To
chains (whole, truncated, only In-Reply-To, parents missing, a loop, a
duplicate and a missing Message-ID), subjects with Re:/Fwd:/(fwd)/
[tags]/[Fwd: ...] and RFC 2047 words, addresses with names, comments,
groups and encoded words, equal, missing, broken and zoned dates, equal
arrival times and sizes.  Seeded: the same corpus every run (CORPUS_SEED
explores others).

    python3 sort_corpus.py MAILDIR
"""
import os, random, sys

R = random.Random(int(os.environ.get("CORPUS_SEED", "5256")))
TOPICS = ["budget", "Lunch plans", "release 2.3", "Zebra crossing", "alpha", "ALPHA",
          "caf\u00e9 meeting", "\u00fcber alles", "weekly report", "Server down", "", "a b"]
NAMES = ["Alice Smith <alice@example.org>", "bob@example.net (Bob B)", "\"Carol, C\" <carol@x.test>",
         "=?UTF-8?Q?J=C3=BCrgen?= <juergen@x.test>", "dave@example.org", "<eve@example.com>",
         "Zed <zed@z.test>", "undisclosed-recipients:;", "frank <FRANK@example.org>",
         "\"\" <nobody@x.test>", "Mallory (the bad) <mallory@evil.test>", "aaron@example.org",
         "=?ISO-8859-1?Q?=C9milie?= <emilie@fr.test>", "BOB@example.net", "Team: ann@t.test, ben@t.test;"]
ZONES = ["+0000", "-0700", "+0200", "+0530", "-1200", "GMT", "EST", ""]
DAYNAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


ODD = [  # (Subject, From) the RFC's corners
    ("Re: [fwd: Re: nested (fwd)]", "\"Last, First\" <lf@x.test>"),
    ("[fwd: unclosed", "(comment only) c@x.test"),
    ("Re:", "=?UTF-8?B?w4VrZQ==?= <ake@x.test>"),
    ("[tag]", "group: ;"),
    ("[a] [b]", "<@r1,@r2:routed@x.test>"),
    ("re [tag] : spaced", "\"quoted local\"@x.test"),
    ("Fwd: (fwd)", "Name Only"),
    ("\tRe:\t tabs\t and  spaces ", "x@y.test, second@y.test"),
    ("RE: RE: RE: many", "MiXeD@CaSe.test"),
    ("Re: re: [list] Re: stacked", "=?ISO-8859-1?Q?=D6sten?= <o@x.test>"),
    ("Fw: fw", "a@b"),
    ("Refwd: not a prefix", "a.b.c@d.test"),
    ("[Fwd: [Fwd: twice]]", "\"\" <>"),
    ("=?UTF-8?Q?Re=3A_?= =?UTF-8?Q?encoded_re?=", "<>"),
    ("\u00c9t\u00e9 raw 8bit", "\u00e9mile <e@x.test>"),
    ("Re: =?UTF-8?B?w4l0w6k=?=", "Zoe <zoe@x.test>"),
    ("Re: Fwd: [list]", "=?UTF-8?Q?Last=2C_First?= <lf@x.test>"),
    ("[list] [Fwd: re: inner] (fwd)", "=?UTF-8?Q?=C3=A9l=C3=A8ve?= <eleve@x.test>"),
]


def enc_subject(s):
    """an encoded word now and then, a Re: inside it once"""
    r = R.random()
    b = s.encode("utf-8")
    if r < 0.15:
        return "=?UTF-8?B?%s?=" % __import__("base64").b64encode(b).decode()
    if r < 0.25:
        return "=?UTF-8?Q?%s?=" % "".join(
            chr(c) if chr(c).isalnum() else ("_" if c == 32 else "=%02X" % c) for c in b)
    return s


def subject(topic, depth):
    if depth == 0:
        pre = R.choice(["", "", "", "[list] ", "[x][y] "])
        post = R.choice(["", "", "", " (fwd)", "  "])
        s = pre + topic + post
    else:
        pre = R.choice(["Re: ", "RE: ", "re:", "Re: Re: ", "Fwd: ", "[list] Re: ", "Re [2]: ",
                        "Fw: ", "", "Re:  "])
        s = pre + topic
        if R.random() < 0.08:
            s = "[Fwd: %s]" % s
    return enc_subject(s)


def date(t):
    r = R.random()
    if r < 0.05:
        return None
    if r < 0.08:
        return "not a date at all"
    z = R.choice(ZONES)
    off = {"+0000": 0, "-0700": -7 * 3600, "+0200": 7200, "+0530": 19800, "-1200": -43200,
           "GMT": 0, "EST": -5 * 3600, "": 0}[z]
    import time
    tm = time.gmtime(t + off)
    s = "%d %s %d %02d:%02d:%02d" % (tm.tm_mday, MONTHS[tm.tm_mon - 1], tm.tm_year,
                                     tm.tm_hour, tm.tm_min, tm.tm_sec)
    if R.random() < 0.7:
        s = DAYNAMES[tm.tm_wday] + ", " + s
    return (s + " " + z).rstrip()


def main(maildir):
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, d), exist_ok=True)
    base = 1700000000
    msgs = []   # (headers, arrival)
    n = 0
    for th in range(30):
        topic = R.choice(TOPICS)
        size = R.randint(1, 8)
        ids = []
        t0 = base + R.randint(0, 90) * 86400 + R.choice([0, 0, 3600, 7])
        for k in range(size):
            n += 1
            mid = "<m%d.t%d@corpus.test>" % (n, th)
            h = []
            if R.random() < 0.04:
                mid = None          # no Message-ID
            elif R.random() < 0.03 and ids:
                mid = ids[0]        # a duplicate
            if mid:
                h.append("Message-ID: " + mid)
            if k > 0:
                parent = R.randrange(len(ids))
                chain = ids[: parent + 1]
                if R.random() < 0.15:
                    chain = ["<lost%d@corpus.test>" % th] + chain   # a missing root
                r = R.random()
                if r < 0.55:
                    h.append("References: " + " ".join(chain))
                    if R.random() < 0.5:
                        h.append("In-Reply-To: " + chain[-1])
                elif r < 0.7:
                    h.append("In-Reply-To: " + chain[-1])
                elif r < 0.8:
                    h.append("References: " + chain[-1])   # truncated
                elif r < 0.85:
                    h.append("References: <gone%d.%d@corpus.test>" % (th, k))
                elif r < 0.9:
                    h.append("References: " + " ".join(chain) + "\n\t<c%d@x.test>" % th)
                else:
                    h.append("In-Reply-To: " + chain[-1] + " (comment)")
            ids.append(mid or "<none%d@corpus.test>" % n)
            s = subject(topic, k)
            if R.random() > 0.03:
                h.append("Subject: " + s)
            h.append("From: " + R.choice(NAMES))
            if R.random() < 0.9:
                h.append("To: " + R.choice(NAMES))
            if R.random() < 0.4:
                h.append("Cc: " + R.choice(NAMES) + ", " + R.choice(NAMES))
            t = t0 + k * R.choice([0, 60, 3600, 86400])
            d = date(t)
            if d:
                h.append("Date: " + d)
            body = "body %d\n" % n + "x" * R.choice([10, 10, 100, 1000, 5000])
            arrival = t + R.choice([0, 0, 30, 7200])
            msgs.append((h, body, arrival))
    # a loop, and messages that share dates and sizes exactly
    msgs.append((["Message-ID: <loopa@corpus.test>", "References: <loopb@corpus.test>",
                  "Subject: loop", "From: a@l.test", "Date: 1 Jan 2024 00:00:00 +0000"], "l\n", base))
    msgs.append((["Message-ID: <loopb@corpus.test>", "References: <loopa@corpus.test>",
                  "Subject: Re: loop", "From: b@l.test", "Date: 1 Jan 2024 00:00:00 +0000"], "l\n", base))
    for k, (subj, frm) in enumerate(ODD):
        h = ["Message-ID: <odd%d@corpus.test>" % k, "Subject: " + subj, "From: " + frm,
             "To: " + frm, "Date: Wed, 3 Jan 2024 %02d:00:00 -0000" % (k % 24)]
        if k % 4 == 0:
            h.append("Subject: zzz second subject")
            h.append("From: zzz@second.test")
        msgs.append((h, "odd %d\n" % k, base + 9 + k % 3))
    while len(msgs) < 140:
        k = len(msgs)
        msgs.append((["Message-ID: <same%d@corpus.test>" % k, "Subject: Same %d" % (k % 3),
                      "From: Same <same@s.test>", "Date: Tue, 2 Jan 2024 10:00:00 +0100"],
                     "same size\n", base + 5))
    R.shuffle(msgs)
    for i, (h, body, arrival) in enumerate(msgs):
        name = "%d.M%dP%d.sortcorpus:2,%s" % (base + i, i, 4000 + i, R.choice(["", "S", "FS"]))
        path = os.path.join(maildir, "cur", name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(h) + "\n\n" + body + "\n")
        os.utime(path, (arrival, arrival))


if __name__ == "__main__":
    main(sys.argv[1])
