#!/usr/bin/env python3
"""sink.py - a scriptable SMTP server for the smtp client tests (stdlib only).

usage: sink.py --port N [--listen ADDR] [--pidfile F] [--dir DIR] [--log F]
               [--name HOST] [--greeting TEXT] [--ehlo KW,KW|none|reject]
               [--rule CMD[:GLOB]=REPLY]... [--tls CERT KEY [--tls-fail]]

Every transaction that ends with "." is saved as DIR/N.msg (the content
exactly as received, dot-stuffing undone, CRLF kept) and DIR/N.json
({"conn", "helo", "mail", "rcpt": [...], "tls"}).  Every command line is
appended to the log as JSON {"conn", "cmd", "pipelined"}; "pipelined" is
true when more input was already buffered behind the command; "CONNECT"
entries also have the client's address ("peer").
--ehlo: the EHLO keywords (default PIPELINING,SIZE 10240000,8BITMIME,DSN,
ENHANCEDSTATUSCODES,SMTPUTF8), "none" for a bare 250, "reject" to answer
EHLO with 502 (the client must fall back to HELO).
--rule: CMD is CONNECT, EHLO, HELO, MAIL, RCPT, DATA, "." or RSET; GLOB
matches the address of MAIL/RCPT (lower case); REPLY is the reply text
("\\n" separates the lines of a multi-line reply), or DROP (close without
a reply), or SLEEP N (wait N seconds, then answer as usual).
--tls CERT KEY: offer STARTTLS; --tls-fail: then answer the handshake with junk.
"""
import argparse
import fnmatch
import json
import os
import re
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time

LOCK = threading.Lock()
COUNTER = {"conn": 0, "msg": 0}
ARGS = None
TLS_CTX = None


def log(entry):
    if ARGS.log:
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")


def address_of(line):
    m = re.search(r"<([^>]*)>", line)
    return m.group(1).lower() if m else ""


def rule_for(cmd, line):
    for r in ARGS.rule:
        head, reply = r.split("=", 1)
        rcmd, _, glob = head.partition(":")
        if rcmd.upper() != cmd:
            continue
        if glob and not fnmatch.fnmatch(address_of(line), glob.lower()):
            continue
        return reply
    return None


class Conn:
    def __init__(self, sock, n):
        self.sock, self.n, self.buf = sock, n, b""
        self.helo, self.mail, self.rcpt, self.tls = None, None, [], False

    def send(self, text):
        lines = text.split("\\n")
        last = len(lines) - 1
        out = "".join((l[:3] + "-" + l[4:] if i < last else l) + "\r\n" for i, l in enumerate(lines))
        self.sock.sendall(out.encode())

    def readline(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def apply_rule(self, cmd, line, default):
        reply = rule_for(cmd, line)
        if reply is None:
            reply = default
        if reply == "DROP":
            return False
        if reply.startswith("SLEEP "):
            time.sleep(float(reply.split()[1]))
            reply = default
        self.send(reply)
        return True

    def data(self):
        content = b""
        while True:
            line = self.readline()
            if line is None:
                return False
            if line == b".\r\n":
                break
            if line.startswith(b"."):
                line = line[1:]
            content += line
        with LOCK:
            COUNTER["msg"] += 1
            n = COUNTER["msg"]
        log({"conn": self.n, "cmd": ".", "pipelined": len(self.buf) > 0})
        default = "250 2.0.0 Ok: queued as SINK%d" % n
        if rule_for(".", "") is None and ARGS.dir:
            with open(os.path.join(ARGS.dir, "%d.msg" % n), "wb") as f:
                f.write(content)
            with open(os.path.join(ARGS.dir, "%d.json" % n), "w") as f:
                json.dump({"conn": self.n, "helo": self.helo, "mail": self.mail,
                           "rcpt": self.rcpt, "tls": self.tls}, f)
        self.mail, self.rcpt = None, []
        return self.apply_rule(".", "", default)

    def ehlo_reply(self, arg):
        if ARGS.ehlo == "reject":
            return "502 5.5.2 Error: command not recognized"
        kws = [] if ARGS.ehlo == "none" else ARGS.ehlo.split(",")
        if TLS_CTX and not self.tls:
            kws.append("STARTTLS")
        return "\\n".join(["250 " + ARGS.name] + ["250 " + k for k in kws])

    def command(self, line):
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        cmd = text.split(" ", 1)[0].upper()
        log({"conn": self.n, "cmd": text, "pipelined": len(self.buf) > 0})
        if cmd == "EHLO":
            self.helo = text
            return self.apply_rule("EHLO", text, self.ehlo_reply(text))
        if cmd == "HELO":
            self.helo = text
            return self.apply_rule("HELO", text, "250 " + ARGS.name)
        if cmd == "STARTTLS" and TLS_CTX:
            self.send("220 2.0.0 Ready to start TLS")
            if ARGS.tls_fail:
                self.sock.sendall(b"this is no TLS handshake\r\n")
                return False
            self.sock = TLS_CTX.wrap_socket(self.sock, server_side=True)
            self.buf, self.tls, self.helo = b"", True, None
            return True
        if cmd == "MAIL":
            ok = rule_for("MAIL", text)
            if ok is None or ok.startswith("2") or ok.startswith("SLEEP"):
                self.mail, self.rcpt = text, []
            return self.apply_rule("MAIL", text, "250 2.1.0 Ok")
        if cmd == "RCPT":
            if self.mail is None:
                self.send("503 5.5.1 Error: need MAIL command")
                return True
            ok = rule_for("RCPT", text)
            if ok is None or ok.startswith("2") or ok.startswith("SLEEP"):
                self.rcpt.append(text)
            return self.apply_rule("RCPT", text, "250 2.1.5 Ok")
        if cmd == "DATA":
            if not self.rcpt:
                self.send("554 5.5.1 Error: no valid recipients")
                return True
            r = rule_for("DATA", text)
            if r is not None:
                return self.apply_rule("DATA", text, "")
            self.send("354 End data with <CR><LF>.<CR><LF>")
            return self.data()
        if cmd == "RSET":
            self.mail, self.rcpt = None, []
            return self.apply_rule("RSET", text, "250 2.0.0 Ok")
        if cmd == "NOOP":
            self.send("250 2.0.0 Ok")
            return True
        if cmd == "QUIT":
            self.send("221 2.0.0 Bye")
            return False
        self.send("502 5.5.2 Error: command not recognized")
        return True

    def run(self):
        greeting = ARGS.greeting or "220 %s ESMTP sink" % ARGS.name
        if not self.apply_rule("CONNECT", "", greeting):
            return
        while True:
            line = self.readline()
            if line is None or not self.command(line):
                return


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        with LOCK:
            COUNTER["conn"] += 1
            n = COUNTER["conn"]
        log({"conn": n, "cmd": "CONNECT", "pipelined": False, "peer": self.client_address[0]})
        try:
            Conn(self.request, n).run()
        except (OSError, ssl.SSLError):
            pass
        log({"conn": n, "cmd": "DISCONNECT", "pipelined": False})


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global ARGS, TLS_CTX
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pidfile")
    ap.add_argument("--dir")
    ap.add_argument("--log")
    ap.add_argument("--name", default="sink.test")
    ap.add_argument("--greeting")
    ap.add_argument("--ehlo", default="PIPELINING,SIZE 10240000,8BITMIME,DSN,ENHANCEDSTATUSCODES,SMTPUTF8")
    ap.add_argument("--rule", action="append", default=[])
    ap.add_argument("--tls", nargs=2)
    ap.add_argument("--tls-fail", action="store_true")
    ARGS = ap.parse_args()
    if ARGS.tls:
        TLS_CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        TLS_CTX.load_cert_chain(ARGS.tls[0], ARGS.tls[1])
    if ":" in ARGS.listen:
        Server.address_family = socket.AF_INET6
    srv = Server((ARGS.listen, ARGS.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if ARGS.pidfile:
        with open(ARGS.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(ARGS.pidfile + ".tmp", ARGS.pidfile)
    try:
        srv.serve_forever()
    finally:
        if ARGS.pidfile:
            try:
                os.unlink(ARGS.pidfile)
            except OSError:
                pass


if __name__ == "__main__":
    main()
