# bench/pop3.py - make bench's POP3 rows: hato's pop3d against a private
# Dovecot on the same data.  One user with a Maildir of 1000 messages of
# 4-100 KB (200 with QUICK) for the one-client rows, and 50 more users
# with as many each for the 50-client row (the issue's "1000 messages,
# 50 concurrent clients"; a few messages per client would measure the
# password hash of the logins, which has its own row).  Every user has
# two copies, ~/Maildir-hato and ~/Maildir-dovecot, so neither server's
# index sees the other's.  An untimed warm-up session per mailbox and
# server first (new/ to cur/, the indexes, the page cache), then timed
# runs alternating which server goes first: log in, LIST, RETR of every
# message, QUIT; the one-client run again over TLS on connect; and the 50
# users logging in and out only.  CPU is the server's cgroup (every
# process of the instance), divided by the messages retrieved (or the
# logins); the client (pop3load) runs outside it and is built to cost
# little next to either server.
import os
import pwd
import secrets
import ssl
import subprocess
import time

import load
import mta
import pop3load
from pop3srv import Dovecot, HatoPop3


class Pop3Rows:
    def __init__(self, bench):
        self.bench, args = bench, bench.args
        self.n = 200 if args.quick else 1000
        self.clients, self.per_client = 50, self.n
        self.reps = 5
        self.data = os.path.join(bench.top, "pop3-data")
        base = load.free_ports(4)
        self.hato = HatoPop3(bench.top, base, base + 1, args.build)
        self.dove = Dovecot(bench.top, base + 2, base + 3,
                            (os.path.join(self.hato.dir, "cert.pem"), os.path.join(self.hato.dir, "key.pem")))
        self.prefix = "hlpb%d_" % os.getpid()
        self.password = secrets.token_urlsafe(12)
        self.users, self.started, self.raw = [], [], {}

    # --- setup and teardown ---------------------------------------------
    def setup(self):
        names = [self.prefix + str(i) for i in range(self.clients + 1)]
        for u in names:
            mta.run("useradd", "-m", "-s", "/usr/sbin/nologin", u)
            self.users.append(u)
        lines = "".join("%s:%s\n" % (u, self.password) for u in names)
        p = subprocess.run(["chpasswd"], input=lines, text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if p.returncode != 0:
            raise RuntimeError("chpasswd: %s" % p.stdout.strip())
        big, small = os.path.join(self.data, "big"), os.path.join(self.data, "small")
        self.big_bytes = pop3load.make_maildir(big, self.n, 17)
        pop3load.make_maildir(small, self.per_client, 18)
        for i, u in enumerate(names):
            self.give(u, big if i == 0 else small)
        for s in (self.hato, self.dove):
            s.setup()
            self.started.append(s)
            s.start()
            for port in (s.port, s.tls_port):
                if not mta.wait_listening(port):
                    raise RuntimeError("%s does not listen on %d" % (s.name, port))

    def give(self, user, template):
        """copies of the template Maildir for both servers, the user's"""
        home = pwd.getpwnam(user).pw_dir
        for s in (self.hato, self.dove):
            mta.run("cp", "-r", template, os.path.join(home, s.maildir))
        mta.run("chown", "-R", "%s:" % user, home)

    def cleanup(self):
        for s in self.started:
            s.stop()
        for u in self.users:
            subprocess.run(["userdel", "-r", u], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # --- runs -------------------------------------------------------------
    def logins(self, many):
        users = self.users[1:] if many else self.users[:1]
        return [(u, self.password) for u in users]

    def once(self, s, many, tls=None, login_only=False):
        """one timed run on server s: {secs, msgs, bytes, sessions, cpu_s,
        client_cpu_s}"""
        os.sync()
        time.sleep(1)
        cpu0, me0 = s.cpu_seconds(), os.times()
        logins = self.logins(many)
        secs, msgs, nbytes = pop3load.retrieve_all(s.tls_port if tls else s.port,
                                                   logins, tls, login_only)
        me1 = os.times()
        time.sleep(0.5)             # the session processes end and are counted
        cpu = s.cpu_seconds() - cpu0
        want = 0 if login_only else self.clients * self.per_client if many else self.n
        if msgs != want:
            raise RuntimeError("%s: %d messages retrieved, %d expected" % (s.name, msgs, want))
        return {"secs": secs, "msgs": msgs, "bytes": nbytes, "sessions": len(logins), "cpu_s": cpu,
                "client_cpu_s": (me1.user + me1.system) - (me0.user + me0.system)}

    def repeat(self, i, many, tls=None, login_only=False):
        """self.reps runs per server, alternating who goes first; medians"""
        samples = {"hato": [], "Dovecot": []}
        for rep in range(self.reps):
            order = (self.hato, self.dove) if (i + rep) % 2 == 0 else (self.dove, self.hato)
            for s in order:
                samples[s.name].append(self.once(s, many, tls, login_only))
        res = {}
        for name, xs in samples.items():
            if login_only:
                res[name] = {"logins_per_s": median([x["sessions"] / x["secs"] for x in xs]),
                             "cpu_ms_per_login": median([x["cpu_s"] * 1000 / x["sessions"]
                                                         for x in xs]),
                             "samples": xs}
                continue
            res[name] = {"msgs_per_s": median([x["msgs"] / x["secs"] for x in xs]),
                         "mb_per_s": median([x["bytes"] / x["secs"] / 1e6 for x in xs]),
                         "cpu_ms_per_msg": median([x["cpu_s"] * 1000 / x["msgs"] for x in xs]),
                         "client_cpu_ms_per_msg": median([x["client_cpu_s"] * 1000 / x["msgs"]
                                                          for x in xs]),
                         "samples": xs}
        return res

    def warm_up(self):
        for s in (self.hato, self.dove):
            for many in (False, True):
                self.once(s, many)

    def rows(self, i, row):
        """the scenario: row(name, unit, hato, dovecot, better) per line"""
        self.setup()
        self.warm_up()
        one = self.repeat(i, False)
        many = self.repeat(i + 1, True)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        self.once(self.hato, False, ctx)
        self.once(self.dove, False, ctx)
        tls = self.repeat(i, False, ctx)
        logins = self.repeat(i + 1, True, login_only=True)
        self.raw = {"one_client": one, "clients_%d" % self.clients: many, "one_client_tls": tls,
                    "logins_%d" % self.clients: logins,
                    "messages_one_client": self.n, "bytes_one_client_crlf": self.big_bytes,
                    "messages_per_client": self.per_client, "runs": self.reps,
                    "versions": {"hato": self.hato.version(), "dovecot": self.dove.version()}}
        for what, res in (("1 client", one), ("1 client, TLS (995)", tls)):
            row("POP3 %s, msgs/s" % what, "msgs/s", res, "msgs_per_s")
            row("POP3 %s, MB/s" % what, "MB/s", res, "mb_per_s")
        row("POP3 %d clients, msgs/s" % self.clients, "msgs/s", many, "msgs_per_s")
        row("POP3 CPU per message, 1 client", "ms", one, "cpu_ms_per_msg", "lower")
        row("POP3 CPU per message, %d clients" % self.clients, "ms", many, "cpu_ms_per_msg", "lower")
        row("POP3 CPU per message, 1 client TLS", "ms", tls, "cpu_ms_per_msg", "lower")
        row("POP3 %d logins + QUIT, logins/s" % self.clients, "logins/s", logins,
            "logins_per_s")
        row("POP3 CPU per login, %d clients" % self.clients, "ms", logins, "cpu_ms_per_login",
            "lower")


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
