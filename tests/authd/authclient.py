#!/usr/bin/env python3
"""authclient.py - a small client of hato's authd protocol (docs/auth-protocol.md)
for the tests: the real daemon answers, nothing is mocked.

  authclient.py SOCKET plain USER PASS [rip=IP] [secured] [authzid=Z]
  authclient.py SOCKET login USER PASS [rip=IP] [secured] [initial]
  authclient.py SOCKET cram USER PASS [rip=IP]
  authclient.py SOCKET user NAME
  authclient.py SOCKET mechs
Prints the final reply line (OK/FAIL/USER/NOTFOUND/ERROR, tabs as spaces)
and "elapsed=SECONDS"; exit 0 for OK/USER, 1 otherwise.
"""
import base64, hashlib, hmac, socket, sys, time


class AuthClient:
    def __init__(self, path, timeout=20):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.rbuf = b""
        self.send("VERSION\t1\t0")
        self.mechs = []
        while True:
            line = self.readline()
            if line is None or line == "DONE":
                break
            f = line.split("\t")
            if f[0] == "MECH":
                self.mechs.append(f[1])

    def send(self, line):
        self.sock.sendall((line + "\n").encode() if isinstance(line, str) else line)

    def readline(self):
        while b"\n" not in self.rbuf:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.rbuf += data
        line, self.rbuf = self.rbuf.split(b"\n", 1)
        return line.decode()

    def reply(self):
        line = self.readline()
        return line.split("\t") if line is not None else None

    def close(self):
        self.sock.close()


def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()


def opts(args):
    rip = "192.0.2.10"
    extra = []
    for a in args:
        if a.startswith("rip="):
            rip = a[4:]
        elif a == "secured":
            extra.append("secured")
    return rip, extra


def auth(c, rid, mech, rip, extra, resp=None):
    f = ["AUTH", str(rid), mech, "service=smtp", "rip=" + rip, "lip=127.0.0.1"] + extra
    if resp is not None:
        f.append("resp=" + resp)
    c.send("\t".join(f))
    return c.reply()


def do_plain(c, user, pw, args):
    rip, extra = opts(args)
    authz = next((a[8:] for a in args if a.startswith("authzid=")), "")
    return auth(c, 1, "PLAIN", rip, extra, b64(authz + "\0" + user + "\0" + pw))


def do_login(c, user, pw, args):
    rip, extra = opts(args)
    r = auth(c, 1, "LOGIN", rip, extra, b64(user) if "initial" in args else None)
    if r and r[0] == "CONT" and base64.b64decode(r[2]) == b"Username:":
        c.send("CONT\t1\t" + b64(user))
        r = c.reply()
    if r and r[0] == "CONT" and base64.b64decode(r[2]) == b"Password:":
        c.send("CONT\t1\t" + b64(pw))
        r = c.reply()
    return r


def do_cram(c, user, pw, args):
    rip, extra = opts(args)
    r = auth(c, 1, "CRAM-MD5", rip, extra)
    if r and r[0] == "CONT":
        challenge = base64.b64decode(r[2])
        digest = hmac.new(pw.encode(), challenge, hashlib.md5).hexdigest()
        c.send("CONT\t1\t" + b64(user + " " + digest))
        r = c.reply()
    return r


def main():
    path, cmd = sys.argv[1], sys.argv[2]
    c = AuthClient(path)
    start = time.time()
    if cmd == "mechs":
        print(" ".join(c.mechs))
        return 0
    if cmd == "user":
        c.send("USER\t7\t%s\tservice=imap" % sys.argv[3])
        r = c.reply()
    else:
        fn = {"plain": do_plain, "login": do_login, "cram": do_cram}[cmd]
        r = fn(c, sys.argv[3], sys.argv[4], sys.argv[5:])
    elapsed = time.time() - start
    sys.stdout.write("%s\nelapsed=%.3f\n" % (" ".join(r) if r else "(no reply)", elapsed))
    return 0 if r and r[0] in ("OK", "USER") else 1


if __name__ == "__main__":
    sys.exit(main())
