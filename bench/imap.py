# bench/imap.py - make bench's IMAP rows: hato's imapd/imapmail against a
# private Dovecot on the same data (bench/imapsrv.py), driven by
# bench/imapload.py.  One user with a folder of 10,000 messages of 2-30 KB
# (2,000 with QUICK) and 50 users with 200 each (100 with QUICK); every
# user has two copies, ~/Maildir-hato and ~/Maildir-dovecot.  The rows,
# runs alternating which server goes first, medians:
# - LOGIN + SELECT INBOX + FETCH 1:* (FLAGS UID ENVELOPE) + LOGOUT on the
#   big folder, cold (the folder copied afresh just before: in new/, no
#   index; the page cache is warm) and warm (the same session again);
# - a QRESYNC client's resync after 1% of its flags changed, with its
#   LOGIN and without (the password hash both verify, from /etc/shadow,
#   is most of a LOGIN) (bench/imap_resync.py);
# - SEARCH SUBJECT, SEARCH FROM and SORT (SUBJECT) ALL on it, warm, in
#   one session;
# - LOGIN, NOOP, LOGOUT of 20 users one after the other: what a
#   session's start costs (the password's hash most of it);
# - 50 clients, one per user, each looping SELECT, FETCH of the last 10
#   (FLAGS UID ENVELOPE), STORE +FLAGS \Deleted on message 1, EXPUNGE,
#   APPEND of a 4 KB message, for a fixed time: commands/s and CPU per
#   command;
# - memory per session in IDLE, 1,000 sessions (200 with QUICK; any
#   list with --imap-idle, e.g. 1000,10000) spread over the 50 users: PSS
#   of the server's cgroup with the sessions less without, divided by the
#   sessions.
# CPU is the server's cgroup (every process of the instance); the client
# runs outside it.
import os
import pwd
import resource
import secrets
import shutil
import subprocess
import time

import imap_resync
import imapload
import load
import mta
import pop3load
import imapsrv
from imapsrv import DovecotImap, HatoImap

FETCH_ALL = "FETCH 1:* (FLAGS UID ENVELOPE)"
LOGINS = 20         # sessions of the LOGIN row
SEARCHES = (("SUBJECT", 'SEARCH SUBJECT "budget"'), ("FROM", 'SEARCH FROM "sender7"'),
            ("SORT_SUBJECT", "SORT (SUBJECT) UTF-8 ALL"))


class ImapRows:
    def __init__(self, bench):
        self.bench, args = bench, bench.args
        q = args.quick
        self.idle_only = getattr(args, "only", None) == "imap-idle"
        self.n = 10 if self.idle_only else 2000 if q else 10000
        self.clients, self.per_client = 50, 100 if q else 200
        idle = getattr(args, "imap_idle", None) or ("200" if q else "1000")
        self.idle_counts = [int(x) for x in idle.split(",")]
        imapsrv.LIMIT = max(imapsrv.LIMIT, max(self.idle_counts) + 200)
        raise_nofile(2 * max(self.idle_counts) + 1000)
        self.huge = getattr(args, "imap_huge", 0) or 0
        self.loop_secs = 8 if q else 20
        self.reps = 3 if q else 5
        self.searches = 5 if q else 10
        self.data = os.path.join(bench.top, "imap-data")
        base = load.free_ports(2)
        self.hato = HatoImap(bench.top, base, args.build)
        self.dove = DovecotImap(bench.top, base + 1, (os.path.join(self.hato.dir, "cert.pem"),
                                                      os.path.join(self.hato.dir, "key.pem")))
        self.prefix = "hlib%d_" % os.getpid()
        self.password = secrets.token_urlsafe(12)
        self.users, self.started, self.raw = [], [], {}
        self.append_msg = None

    # --- setup and teardown ---------------------------------------------
    def setup(self):
        names = [self.prefix + str(i) for i in range(self.clients + (2 if self.huge else 1))]
        for u in names:
            mta.run("useradd", "-m", "-s", "/usr/sbin/nologin", u)
            self.users.append(u)
        lines = "".join("%s:%s\n" % (u, self.password) for u in names)
        p = subprocess.run(["chpasswd"], input=lines, text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if p.returncode != 0:
            raise RuntimeError("chpasswd: %s" % p.stdout.strip())
        self.big = os.path.join(self.data, "big")
        small = os.path.join(self.data, "small")
        pop3load.make_maildir(self.big, self.n, 27, 2, 30)
        pop3load.make_maildir(small, self.per_client, 28, 2, 30)
        with open(os.path.join(small, "new", os.listdir(os.path.join(small, "new"))[0]), "rb") as f:
            self.append_msg = f.read()[:4096].replace(b"\n", b"\r\n")
        if self.huge:               # the last user: a folder of self.huge messages of 1-8 KB
            self.huge_dir = os.path.join(self.data, "huge")
            pop3load.make_maildir(self.huge_dir, self.huge, 29, 1, 8)
        for i, u in enumerate(names):
            self.give(u, self.big if i == 0 else self.huge_dir if i > self.clients else small)
        for s in (self.hato, self.dove):
            s.setup()
            self.started.append(s)
            s.start()
            if not mta.wait_listening(s.port):
                raise RuntimeError("%s does not listen on %d" % (s.name, s.port))

    def give(self, user, template, servers=None):
        """fresh copies of the template Maildir, the user's"""
        home = pwd.getpwnam(user).pw_dir
        for s in servers or (self.hato, self.dove):
            dst = os.path.join(home, s.maildir)
            shutil.rmtree(dst, ignore_errors=True)
            mta.run("cp", "-r", template, dst)
            mta.run("chown", "-R", "%s:" % user, dst)

    def cleanup(self):
        for s in self.started:
            s.stop()
        for u in self.users:
            subprocess.run(["userdel", "-r", u], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # --- one measured thing ------------------------------------------------
    def measure(self, s, logins, script, **kw):
        """run the sessions on s: (seconds, sessions, server CPU seconds);
        self.client_cpu, the client's CPU seconds meanwhile"""
        cpu0, me0 = s.cpu_seconds(), os.times()
        secs, sessions = imapload.run(s.port, logins, script, **kw)
        me1 = os.times()
        self.client_cpu = (me1.user + me1.system) - (me0.user + me0.system)
        time.sleep(0.5)             # the session processes end and are counted
        return secs, sessions, s.cpu_seconds() - cpu0

    def fetch_all(self, s, user=0, n=None):
        """one session on the big folder (users[user]'s, n messages): {secs, cpu_s}"""
        got, n = [], n or self.n

        def script(sess):
            yield ("cmd", "SELECT INBOX")
            yield ("cmd", FETCH_ALL)
            got.append(imapload.fetched(sess.last))
        secs, _, cpu = self.measure(s, [(self.users[user], self.password)], script)
        if got != [n]:
            raise RuntimeError("%s: FETCH 1:* gave %s responses, %d expected" % (s.name, got, n))
        return {"secs": secs, "cpu_s": cpu, "client_cpu_s": self.client_cpu}

    def search(self, s):
        """self.searches of each SEARCH in one session: {KEY_ms, KEY_cpu_ms, KEY_hits}"""
        out, marks = {}, []

        def script(sess):
            yield ("cmd", "SELECT INBOX")
            for key, cmd in SEARCHES:
                marks.append((key, time.monotonic(), s.cpu_seconds()))
                for _ in range(self.searches):
                    yield ("cmd", cmd)
                out[key + "_hits"] = imapload.hits(sess.last)
                marks.append((None, time.monotonic(), s.cpu_seconds()))
        self.measure(s, [(self.users[0], self.password)], script)
        for (key, t0, c0), (_, t1, c1) in zip(marks[::2], marks[1::2]):
            out[key + "_ms"] = (t1 - t0) * 1000 / self.searches
            out[key + "_cpu_ms"] = (c1 - c0) * 1000 / self.searches
        return out

    def logins(self, s):
        """LOGIN, NOOP, LOGOUT of LOGINS users one after the other (the
        password hash and the session's start): {ms, cpu_ms} per session"""
        users = [(u, self.password) for u in self.users[1:1 + LOGINS]]
        secs, _, cpu = self.measure(s, users, lambda sess: iter([("cmd", "NOOP")]), ramp=1)
        return {"ms": secs * 1000 / len(users), "cpu_ms": cpu * 1000 / len(users)}

    def loop(self, s):
        """the 50 clients for self.loop_secs: {cmds_per_s, cpu_ms_per_cmd}"""
        end = time.monotonic() + self.loop_secs

        def script(sess):
            while time.monotonic() < end:
                yield ("cmd", "SELECT INBOX")
                n = imapload.exists(sess.last)
                yield ("cmd", "FETCH %d:* (FLAGS UID ENVELOPE)" % max(1, n - 9))
                yield ("cmd", "STORE 1 +FLAGS.SILENT (\\Deleted)")
                yield ("cmd", "EXPUNGE")
                yield ("append", "INBOX", self.append_msg)
        logins = [(u, self.password) for u in self.users[1:1 + self.clients]]
        secs, sessions, cpu = self.measure(s, logins, script)
        cmds = sum(x.commands - 2 for x in sessions)      # less LOGIN, LOGOUT
        kinds = {}
        for x in sessions:
            for kind, (n, t) in x.by_kind.items():
                k = kinds.setdefault(kind, [0, 0.0])
                k[0], k[1] = k[0] + n, k[1] + t
        return {"cmds_per_s": cmds / secs, "cpu_ms_per_cmd": cpu * 1000 / cmds, "cmds": cmds,
                "secs": secs, "client_cpu_ms_per_cmd": self.client_cpu * 1000 / cmds,
                "ms_by_command": {kind: t * 1000 / n for kind, (n, t) in kinds.items()}}

    def memory(self, s, n):
        """n sessions in IDLE: {pss_kb_per_session, ...}"""
        idle = s.memory()
        users = self.users[1:1 + self.clients]
        logins = [(users[i % len(users)], self.password) for i in range(n)]

        def script(sess):
            yield ("cmd", "SELECT INBOX")
            yield ("idle",)
        _, sessions = imapload.run(s.port, logins, script, hold=True)
        try:
            time.sleep(2)
            busy = s.memory()
        finally:
            imapload.close_all(sessions)
        end = time.monotonic() + 120
        while session_procs(s):         # login processes may linger idle
            if time.monotonic() > end:
                raise RuntimeError("%s's IDLE sessions still there after 120s" % s.name)
            time.sleep(0.2)
        return {"pss_kb_per_session": (busy[0] - idle[0]) / n,
                "rss_kb_per_session": (busy[1] - idle[1]) / n,
                "procs_per_session": (busy[2] - idle[2]) / n,
                "idle": idle, "busy": busy}

    # --- runs ---------------------------------------------------------------
    def repeat(self, i, what, reps=None):
        """what(server) reps times per server, alternating who goes first;
        {name: {key: median, "samples": [...]}}"""
        samples = {"hato": [], "Dovecot": []}
        for rep in range(reps or self.reps):
            order = (self.hato, self.dove) if (i + rep) % 2 == 0 else (self.dove, self.hato)
            for s in order:
                os.sync()
                time.sleep(1)
                samples[s.name].append(what(s))
        res = {}
        for name, xs in samples.items():
            keys = [k for k, v in xs[0].items() if isinstance(v, (int, float))]
            res[name] = {k: median([x[k] for x in xs]) for k in keys}
            res[name]["samples"] = xs
        return res

    def cold(self, s):
        self.give(self.users[0], self.big, (s,))
        os.sync()
        time.sleep(1)
        return self.fetch_all(s)

    def cold_huge(self, s):
        u = self.clients + 1
        self.give(self.users[u], self.huge_dir, (s,))
        os.sync()
        time.sleep(1)
        return self.fetch_all(s, u, self.huge)

    def huge_rows(self, i, row):
        """cold and warm on the folder of self.huge messages, 2 runs each"""
        big = "%d msgs" % self.huge
        cold = self.raw["cold_huge"] = self.repeat(i, self.cold_huge, 2)
        row("IMAP SELECT+FETCH ENVELOPE, %s, cold" % big, "s", cold, "secs", "lower")
        row("IMAP CPU of it, %s cold" % big, "s", cold, "cpu_s", "lower")
        warm = self.raw["warm_huge"] = self.repeat(
            i + 1, lambda s: self.fetch_all(s, self.clients + 1, self.huge), 2)
        row("IMAP SELECT+FETCH ENVELOPE, %s, warm" % big, "s", warm, "secs", "lower")
        row("IMAP CPU of it, %s warm" % big, "s", warm, "cpu_s", "lower")

    def rows(self, i, row):
        """the scenario: row(name, unit, res, key, better) per line"""
        self.setup()
        big = "%d msgs" % self.n
        self.raw = {"messages": self.n, "messages_per_client": self.per_client, "runs": self.reps,
                    "loop_seconds": self.loop_secs, "searches_per_run": self.searches,
                    "versions": {"hato": self.hato.version(), "dovecot": self.dove.version()}}
        if not self.idle_only:
            self.timed_rows(i, row, big)
        for n in self.idle_counts:
            mem = self.raw["idle_%d" % n] = self.repeat(
                i, lambda s, n=n: self.memory(s, n), 1 if self.bench.args.quick or n > 2000 else 3)
            row("IMAP memory per IDLE session (%d), PSS" % n, "KB", mem, "pss_kb_per_session",
                "lower")

    def timed_rows(self, i, row, big):
        """every row but memory"""
        cold = self.raw["cold"] = self.repeat(i, self.cold)
        row("IMAP SELECT+FETCH ENVELOPE, %s, cold" % big, "s", cold, "secs", "lower")
        row("IMAP CPU of it, cold", "s", cold, "cpu_s", "lower")
        warm = self.raw["warm"] = self.repeat(i + 1, self.fetch_all)
        row("IMAP SELECT+FETCH ENVELOPE, %s, warm" % big, "s", warm, "secs", "lower")
        row("IMAP CPU of it, warm", "s", warm, "cpu_s", "lower")
        if self.huge:
            self.huge_rows(i, row)
        search = self.raw["search"] = self.repeat(i, self.search)
        for key, cmd in SEARCHES:
            what = "SORT (SUBJECT) ALL" if cmd.startswith("SORT") else "SEARCH " + key
            row("IMAP %s, %s" % (what, big), "ms", search, key + "_ms", "lower")
            row("IMAP CPU per %s" % what, "ms", search, key + "_cpu_ms", "lower")
        resync = self.raw["qresync"] = self.repeat(i + 1, lambda s: imap_resync.qresync(self, s))
        row("IMAP QRESYNC resync (SELECT), 1%% of %s changed" % big, "ms", resync, "select_ms",
            "lower")
        row("IMAP CPU of it", "ms", resync, "select_cpu_ms", "lower")
        row("IMAP QRESYNC reconnect, its LOGIN too", "s", resync, "secs", "lower")
        row("IMAP CPU of it, LOGIN too", "s", resync, "cpu_s", "lower")
        login = self.raw["logins"] = self.repeat(i, self.logins)
        row("IMAP LOGIN + NOOP + LOGOUT, one at a time", "ms", login, "ms", "lower")
        row("IMAP CPU per LOGIN session", "ms", login, "cpu_ms", "lower")
        for s in (self.hato, self.dove):            # untimed: the small folders' indexes
            imapload.run(s.port, [(u, self.password) for u in self.users[1:1 + self.clients]],
                         lambda sess: iter([("cmd", "SELECT INBOX")]))
        loop = self.raw["clients_%d" % self.clients] = self.repeat(i + 1, self.loop)
        row("IMAP %d clients SELECT..APPEND loop" % self.clients, "cmds/s", loop, "cmds_per_s")
        row("IMAP CPU per command, %d clients" % self.clients, "ms", loop, "cpu_ms_per_cmd",
            "lower")

def session_procs(s):
    """how many of s's processes are sessions' mail processes (hato's
    imapmail, Dovecot's imap), not counting the ones waiting for a login
    as root (hato's mail_process_min_avail)"""
    n = 0
    for pid in s.pids():
        try:
            with open("/proc/%d/comm" % pid) as f:
                mail = f.read().strip() in ("imapmail", "imap")
            with open("/proc/%d/status" % pid) as f:
                uid = [ln.split()[1] for ln in f if ln.startswith("Uid:")]
            n += mail and uid != ["0"]
        except OSError:
            pass
    return n


def raise_nofile(want):
    """the client's descriptors: one socket per session"""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
