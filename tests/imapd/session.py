#!/usr/bin/env python3
"""session.py [--tls] [--source ADDR] [--quiet S] HOST PORT STEP... - one
raw IMAP session for the tests (hato's imapd or a private Dovecot): print
the greeting, then send each STEP as is (Python escapes: \\r\\n, \\x00)
and print every line received until the tagged answer to the STEP's last
line (for a last line without a space, a SASL answer: the first line not
untagged), a "+" continuation, the server closing ("[closed]") or S seconds
(default 1.5) of quiet ("[quiet]").  A STEP "<STARTTLS>" starts TLS on
the connection (after a tagged OK the test has seen); "<SLEEP n>" waits;
"<EXPECT-NOTHING>" prints what arrives within S seconds, if anything.
Lines are printed without their CRLF, non-UTF-8 bytes replaced."""
import socket
import ssl
import sys
import time


def tls_wrap(s):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx.wrap_socket(s, server_hostname="localhost")


class Conn:
    def __init__(self, s, quiet):
        self.s, self.quiet, self.buf, self.closed = s, quiet, b"", False

    def line(self):
        """the next line, None at close or after quiet seconds"""
        self.s.settimeout(self.quiet)
        while b"\n" not in self.buf:
            try:
                data = self.s.recv(65536)
            except (socket.timeout, TimeoutError):
                print("[quiet]")
                return None
            except OSError as e:
                data = b""
            if not data:
                if self.buf:
                    break
                print("[closed]")
                self.closed = True
                return None
            self.buf += data
        i = self.buf.find(b"\n")
        i = len(self.buf) if i < 0 else i + 1
        out, self.buf = self.buf[:i], self.buf[i:]
        text = out.decode("utf-8", "replace").rstrip("\r\n")
        print(text)
        return text

    def until(self, tag):
        """to the tagged answer; without a tag (a SASL answer) to the
        first line that is not untagged"""
        while True:
            text = self.line()
            if text is None:
                return
            if text.startswith("+") or (tag and text.startswith(tag + " ")):
                return
            if not tag and not text.startswith("* "):
                return


def main():
    args, use_tls, source, quiet = sys.argv[1:], False, None, 1.5
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--tls":
            use_tls = True
        elif opt == "--source":
            source = (args.pop(0), 0)
        elif opt == "--quiet":
            quiet = float(args.pop(0))
    host, port = args[0], int(args[1])
    s = socket.create_connection((host, port), 10, source_address=source)
    if use_tls:
        s = tls_wrap(s)
    c = Conn(s, quiet)
    c.line()
    for step in args[2:]:
        if c.closed:
            break
        if step == "<STARTTLS>":
            c.s = tls_wrap(c.s)
            print("[tls]")
            continue
        if step.startswith("<SLEEP "):
            time.sleep(float(step[7:-1]))
            continue
        if step == "<EXPECT-NOTHING>":
            while c.line() is not None:
                pass
            continue
        data = step.encode("latin-1").decode("unicode_escape").encode("latin-1")
        try:
            c.s.sendall(data)
        except OSError:
            print("[closed]")
            break
        last = data.rstrip(b"\r\n").split(b"\n")[-1]
        c.until(last.split(b" ")[0].decode("latin-1") if b" " in last else None)


if __name__ == "__main__":
    main()
