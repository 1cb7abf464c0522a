# bench/imap_sortdev.py - a developer's loop for SORT and THREAD: hato's
# imapmail against a private Dovecot 2.3 on copies of the same Maildirs
# (bench/imapsrv.py), 2,000 and 10,000 messages (bench/pop3load.py's
# messages), each command run a few times in one warm session, median
# wall and server CPU milliseconds side by side.  Not part of make bench.
#   python3 bench/imap_sortdev.py setup DIR BUILD   # users, data, servers
#   python3 bench/imap_sortdev.py run DIR [N]       # the table
#   python3 bench/imap_sortdev.py restart DIR BUILD # hato again (new build)
#   python3 bench/imap_sortdev.py teardown DIR BUILD
# Everything it makes is under DIR and two users named in DIR/state.json.
import json
import os
import pwd
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402
import mta  # noqa: E402
import pop3load  # noqa: E402
from imapsrv import DovecotImap, HatoImap  # noqa: E402

SIZES = (2000, 10000)
CMDS = ("SORT (SUBJECT) UTF-8 ALL", "SORT (DATE) UTF-8 ALL", "SORT (ARRIVAL) UTF-8 ALL",
        "SORT (FROM) UTF-8 ALL", "SORT (REVERSE SIZE) UTF-8 ALL", "THREAD REFERENCES UTF-8 ALL")


def servers(st, build):
    hato = HatoImap(st["dir"], st["port"], build)
    dove = DovecotImap(st["dir"], st["port"] + 1, (os.path.join(hato.dir, "cert.pem"),
                                                   os.path.join(hato.dir, "key.pem")))
    return hato, dove


def setup(d, build):
    os.makedirs(d)
    os.chmod(d, 0o755)
    st = {"dir": d, "port": load.free_ports(2), "password": secrets.token_urlsafe(12),
          "users": ["hsort%d_%d" % (os.getpid(), n) for n in SIZES]}
    for u, n in zip(st["users"], SIZES):
        mta.run("useradd", "-m", "-s", "/usr/sbin/nologin", u)
        subprocess.run(["chpasswd"], input="%s:%s\n" % (u, st["password"]), text=True, check=True)
        tmpl = os.path.join(d, "data%d" % n)
        pop3load.make_maildir(tmpl, n, 27, 2, 30)
        home = pwd.getpwnam(u).pw_dir
        for md in ("Maildir-hato", "Maildir-dovecot"):
            mta.run("cp", "-r", tmpl, os.path.join(home, md))
            mta.run("chown", "-R", "%s:" % u, os.path.join(home, md))
    for s in servers(st, build):
        s.setup()
        s.start()
        mta.wait_listening(s.port)
        st["cg_" + s.name] = s.cg
    save(d, st)


def save(d, st):
    with open(os.path.join(d, "state.json"), "w") as f:
        json.dump(st, f)


def state(d):
    with open(os.path.join(d, "state.json")) as f:
        return json.load(f)


class Client:
    def __init__(self, port, user, password):
        self.sock = socket.create_connection(("127.0.0.1", port), 60)
        self.buf, self.n = b"", 0
        self.line()
        self.cmd('LOGIN %s "%s"' % (user, password))

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(1 << 20)
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def cmd(self, text):
        self.n += 1
        tag = b"t%d " % self.n
        self.sock.sendall(tag + text.encode() + b"\r\n")
        out = []
        while True:
            ln = self.line()
            if ln.startswith(tag):
                if not ln[len(tag):].startswith(b"OK"):
                    raise RuntimeError("%s: %s" % (text, ln))
                return out
            out.append(ln)


def measure(srv, port, user, password, reps):
    c = Client(port, user, password)
    c.cmd("SELECT INBOX")
    rows, answers = {}, {}
    for cmd in CMDS:
        answers[cmd] = c.cmd(cmd)          # warm-up
        ms, cpu = [], []
        for _ in range(reps):
            c0, t0 = srv.cpu_seconds(), time.monotonic()
            c.cmd(cmd)
            ms.append((time.monotonic() - t0) * 1000)
            cpu.append((srv.cpu_seconds() - c0) * 1000)
        rows[cmd] = (statistics.median(ms), statistics.median(cpu))
    c.cmd("LOGOUT")
    return rows, answers


def first(srv, port, user, password, cmd, reps=5):
    """a new session's first cmd after SELECT, and the mean of reps of
    cmd in one session as make bench takes it: (first ms, first cpu, mean
    ms, mean cpu), medians of 3 sessions"""
    out = []
    for _ in range(3):
        c = Client(port, user, password)
        c.cmd("SELECT INBOX")
        t = []
        for _ in range(reps):
            c0, t0 = srv.cpu_seconds(), time.monotonic()
            c.cmd(cmd)
            t.append(((time.monotonic() - t0) * 1000, (srv.cpu_seconds() - c0) * 1000))
        c.cmd("LOGOUT")
        out.append((t[0][0], t[0][1], sum(x[0] for x in t) / reps, sum(x[1] for x in t) / reps))
    return tuple(statistics.median(x[i] for x in out) for i in range(4))


def run(d, reps):
    st = state(d)
    hato, dove = servers(st, "/nonexistent")
    for s in (hato, dove):
        s.cg = st["cg_" + s.name]
    for u, n in zip(st["users"], SIZES):
        res = {}
        for s in (hato, dove):
            res[s.name] = measure(s, s.port, u, st["password"], reps)
        print("%d messages%s" % (n, "" if res["hato"][1] == res["Dovecot"][1] else
                                 "  (ANSWERS DIFFER: %s)" % ", ".join(
                                     k for k in CMDS if res["hato"][1][k] != res["Dovecot"][1][k])))
        for cmd in CMDS:
            h, v = res["hato"][0][cmd], res["Dovecot"][0][cmd]
            print("  %-30s hato %7.2f ms %7.2f cpu  dovecot %7.2f ms %7.2f cpu  time x%.2f" %
                  (cmd, h[0], h[1], v[0], v[1], h[0] / v[0]))
        for cmd in (CMDS[0], CMDS[1], CMDS[3], CMDS[5]):
            h, v = (first(s, s.port, u, st["password"], cmd) for s in (hato, dove))
            print("  new session %-30s first: hato %6.2f ms %6.2f cpu, dovecot %6.2f ms %6.2f cpu;"
                  " mean of 5: hato %6.2f ms %6.2f cpu, dovecot %6.2f ms %6.2f cpu, time x%.2f cpu x%.2f"
                  % (cmd, h[0], h[1], v[0], v[1], h[2], h[3], v[2], v[3], h[2] / v[2], h[3] / v[3]))


def main():
    what, d = sys.argv[1], os.path.abspath(sys.argv[2])
    if what == "setup":
        setup(d, os.path.abspath(sys.argv[3]))
    elif what == "run":
        run(d, int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    elif what == "restart":
        st = state(d)
        hato, _ = servers(st, os.path.abspath(sys.argv[3]))
        hato.cg = st["cg_hato"]
        hato.stop()
        hato.start()
        mta.wait_listening(hato.port)
        st["cg_hato"] = hato.cg
        save(d, st)
    elif what == "teardown":
        st = state(d)
        for s in servers(st, os.path.abspath(sys.argv[3])):
            s.cg = st["cg_" + s.name]
            s.stop()
        for u in st["users"]:
            subprocess.run(["userdel", "-r", u], stderr=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
