#!/usr/bin/env python3
"""malformed.py SOCKET VUSER VPASS - bad input to authd over its socket gets
clean answers (ERROR or FAIL as docs/auth-protocol.md says, the connection
closed only for broken lines) and authd keeps serving.  Prints one
"ok - NAME" / "not ok - NAME" line per case."""
import os, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from authclient import AuthClient, b64

path, vuser, vpass = sys.argv[1:4]


def check(name, cond, detail=""):
    print(("ok - " if cond else "not ok - ") + name)
    if not cond and detail:
        print("#   " + str(detail))


def closed(c):
    """the server closed the connection: EOF after what it sent, or a reset
    (a UNIX socket closed with our unread bytes in it)"""
    c.sock.settimeout(5)
    try:
        while True:
            d = c.sock.recv(65536)
            if not d:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def auth(rid, mech, *extra, rip="127.0.0.1"):
    return "\t".join(["AUTH", str(rid), mech, "service=smtp", "rip=" + rip] + list(extra))


def serves(name):
    c = AuthClient(path)
    c.send(auth(1, "PLAIN", "resp=" + b64("\0%s\0%s" % (vuser, vpass))))
    r = c.reply()
    check(name, r == ["OK", "1", "user=" + vuser], r)
    c.close()


# broken lines: ERROR - and the connection is closed
for label, data in [("an overlong line (9000 bytes)", b"USER\t1\t" + b"a" * 9000 + b"\tservice=imap\n"),
                    ("an overlong line without LF", b"A" * 20000),
                    ("a NUL byte", b"USER\t1\tbob\0x\tservice=imap\n"),
                    ("a CR", b"USER\t1\tbob\r\n"),
                    ("a non-ASCII byte", "USER\t1\tb\u00f6b\tservice=imap\n".encode()),
                    ("too many fields", b"\t".join([b"USER", b"1", b"bob"] + [b"x"] * 40) + b"\n")]:
    c = AuthClient(path)
    c.send(data)
    r = c.reply()
    check(label + ": ERROR -", r is not None and r[:2] == ["ERROR", "-"], r)
    check(label + ": connection closed", closed(c))
    c.close()

c = AuthClient(path)
c.send("USER\t1\t" + "a" * (8191 - len("USER\t1\t\tservice=imap")) + "\tservice=imap")
check("a line of exactly 8192 bytes with its LF is read (NOTFOUND)", c.reply() == ["NOTFOUND", "1"])
c.close()

# before the handshake, other versions
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(b"GET / HTTP/1.0\n")
data = b""
s.settimeout(5)
try:
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
except socket.timeout:
    pass
check("garbage before VERSION: ERROR and closed", b"ERROR\t-\tVERSION expected first\n" in data and data.endswith(b"\n"), data)
s.close()

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(b"VERSION\t2\t0\n")
s.settimeout(5)
data = b""
try:
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
except socket.timeout:
    pass
check("VERSION 2: ERROR and closed", b"ERROR\t-\tunsupported protocol version" in data, data)
s.close()

# malformed requests on one connection: answered, the connection stays
c = AuthClient(path)
cases = [
    ("bad base64", auth(1, "PLAIN", "resp=!!!!"), ["FAIL", "1", "reason=Invalid base64 data"]),
    ("base64 with bad padding", auth(2, "PLAIN", "resp=AGE"), ["FAIL", "2", "reason=Invalid base64 data"]),
    ("unknown mechanism", auth(3, "DIGEST-MD5"), ["FAIL", "3", "reason=Unsupported authentication mechanism"]),
    ("a mechanism not in auth_mechanisms", auth(4, "NTLM"), ["FAIL", "4", "reason=Unsupported authentication mechanism"]),
    ("PLAIN without its two NULs", auth(5, "PLAIN", "resp=" + b64("bob pw")), ["FAIL", "5", "reason=Invalid PLAIN response"]),
    ("PLAIN with three NULs", auth(6, "PLAIN", "resp=" + b64("\0bob\0pw\0")), ["FAIL", "6", "reason=Invalid PLAIN response"]),
    ("PLAIN with an empty password", auth(7, "PLAIN", "resp=" + b64("\0bob\0")), ["FAIL", "7", "reason=Invalid PLAIN response"]),
    ("a user name with a control character", auth(8, "PLAIN", "resp=" + b64("\0bo\nb\0pw")), ["FAIL", "8", "user=bo?b", "reason=Authentication failed"]),
    ("CONT for nothing", "CONT\t77\tAAAA", ["ERROR", "77", "no outstanding request with this ID"]),
    ("CANCEL for nothing", "CANCEL\t78", ["ERROR", "78", "no outstanding request with this ID"]),
    ("garbage command", "HELLO\tworld", ["ERROR", "-", "unknown command"]),
    ("an empty line", "", ["ERROR", "-", "unknown command"]),
    ("ID 0", auth(0, "PLAIN"), ["ERROR", "-", "bad or missing ID"]),
    ("ID 4294967296", auth(4294967296, "PLAIN"), ["ERROR", "-", "bad or missing ID"]),
    ("ID with a sign", auth("+5", "PLAIN"), ["ERROR", "-", "bad or missing ID"]),
    ("AUTH without service=", "AUTH\t9\tPLAIN\trip=127.0.0.1", ["ERROR", "9", "missing or bad service="]),
    ("AUTH without a mechanism", "AUTH\t10", ["ERROR", "10", "AUTH needs an ID, a mechanism and service="]),
    ("USER without service=", "USER\t11\tbob", ["ERROR", "11", "USER needs an ID, a name and service="]),
    ("CRAM-MD5 garbage response", None, None),
]
t0 = time.time()
for name, line, want in cases:
    if line is None:
        continue
    c.send(line)
    r = c.reply()
    check(name + ": " + " ".join(want), r == want, r)
check("...the FAILs among them came after the delay", time.time() - t0 >= 0.29 * 1)

c.send(auth(20, "LOGIN"))
r1 = c.reply()
c.send(auth(20, "LOGIN"))
r2 = c.reply()
check("duplicate ID: ERROR", r1 == ["CONT", "20", b64("Username:")] and r2 == ["ERROR", "20", "duplicate ID"], (r1, r2))
c.send("CONT\t20\t" + b64("bob"))
r = c.reply()
check("LOGIN asks for the password", r == ["CONT", "20", b64("Password:")], r)
c.send("CANCEL\t20")
c.send("USER\t21\tnobody-here\tservice=imap")
r = c.reply()
check("CANCEL mid-LOGIN: no reply, the next request is answered", r == ["NOTFOUND", "21"], r)
c.send(auth(20, "LOGIN"))
r = c.reply()
check("...and the ID is free again", r == ["CONT", "20", b64("Username:")], r)
c.send("CONT\t20\t%%%")
r = c.reply()
check("bad base64 in CONT: FAIL", r == ["FAIL", "20", "reason=Invalid base64 data"], r)
c.send(auth(22, "CRAM-MD5"))
r = c.reply()
check("CRAM-MD5 challenge", r and r[0] == "CONT" and r[1] == "22", r)
c.send("CONT\t22\t" + b64("bob nothex"))
r = c.reply()
check("CRAM-MD5 garbage response: FAIL", r == ["FAIL", "22", "reason=Invalid CRAM-MD5 response"], r)
c.send(auth(23, "CRAM-MD5", "resp=" + b64("x")))
r = c.reply()
check("CRAM-MD5 with an initial response: FAIL", r and r[:2] == ["FAIL", "23"], r)

for i in range(100, 165):
    c.send(auth(i, "LOGIN"))
replies = [c.reply() for _ in range(65)]
check("65 outstanding requests: the 65th gets ERROR", replies[-1] == ["ERROR", "164", "too many outstanding requests"], replies[-1])
c.close()

# a delayed FAIL does not hold up the requests behind it
c = AuthClient(path)
t0 = time.time()
c.send(auth(1, "PLAIN", "resp=" + b64("\0%s\0%s" % (vuser, "not-" + vpass))))
c.send(auth(2, "PLAIN", "resp=" + b64("\0%s\0%s" % (vuser, vpass))))
r1, t1 = c.reply(), time.time() - t0
r2, t2 = c.reply(), time.time() - t0
check("a failing request and a good one: OK first (%.3fs), FAIL after the delay (%.3fs)" % (t1, t2),
      r1 == ["OK", "2", "user=" + vuser] and t1 < 0.25 and r2 and r2[:2] == ["FAIL", "1"] and t2 >= 0.29, (r1, r2))
c.close()

# a client that half-closes still gets its delayed FAIL
c = AuthClient(path)
c.send(auth(1, "PLAIN", "resp=" + b64("\0%s\0%s" % (vuser, "not-" + vpass))))
c.sock.shutdown(socket.SHUT_WR)
r = c.reply()
check("half-closed client still gets its delayed FAIL", r and r[:2] == ["FAIL", "1"], r)
c.close()

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(b"VERSION\t1\t0\n" + os.urandom(100000))
s.close()
serves("after 100 kB of random bytes authd still serves")
for _ in range(3):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.close()
serves("after connections closed at once authd still serves")
