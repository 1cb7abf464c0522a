# bench/load.py - the load side of make bench: smtp-sink (Postfix's test
# server, counting with -c) as the relay target, smtp-source as the
# sender, a Maildir counter, 200 idle SMTP sessions and a smtplib latency
# client.  Every measurement waits for its condition with a deadline and
# raises RuntimeError when it is not met.
import os
import random
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import time

FROM = "bench@example.org"
BODY = ("Subject: bench\r\nFrom: <%s>\r\n\r\n" % FROM) + ("x" * 76 + "\r\n") * 52


class Sink:
    """smtp-sink -c on 127.0.0.1:port; count() = messages received"""

    def __init__(self, top, port):
        self.out = os.path.join(top, "sink.out")
        self.port = port
        self.proc = None

    def start(self):
        self.stop()
        self.fp = open(self.out, "wb")
        self.proc = subprocess.Popen(["smtp-sink", "-c", "-u", "nobody",
                                      "127.0.0.1:%d" % self.port, "256"],
                                     stdout=self.fp, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        end = time.time() + 10
        while time.time() < end and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.fp.flush()
        with open(self.out, "rb") as f:
            out = f.read(500).decode(errors="replace").strip()
        raise RuntimeError("smtp-sink does not listen on %d (exit %s): %s" % (
            self.port, self.proc.poll(), out))

    def count(self):
        try:
            with open(self.out, "rb") as f:
                f.seek(max(0, os.path.getsize(self.out) - 200))
                tail = f.read()
        except OSError:
            return 0
        m = re.findall(rb"mesg=(\d+)", tail)
        return int(m[-1]) if m else 0

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait()
            self.proc = None
            self.fp.close()


def free_ports(n):
    """a base port where n consecutive loopback ports are free"""
    for _ in range(100):
        base = random.randint(20000, 39000)
        try:
            for p in range(base, base + n):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
    raise RuntimeError("no %d free consecutive ports on 127.0.0.1" % n)


def source(port, n, sessions, to, background=False):
    """smtp-source: n messages of 4 KB in `sessions` parallel sessions"""
    cmd = ["smtp-source", "-s", str(sessions), "-m", str(n), "-l", "4096",
           "-M", "client.example.org", "-f", FROM, "-t", to, "127.0.0.1:%d" % port]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    if background:
        return p
    _, err = p.communicate()
    if p.returncode != 0:
        raise RuntimeError("smtp-source: exit %d: %s" % (p.returncode, err.decode(errors="replace")))
    return p


def wait_for(cond, timeout, what):
    """poll cond() every 10 ms until true; the time it became true"""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return time.monotonic()
        time.sleep(0.01)
    raise RuntimeError("timeout after %ds waiting for %s" % (timeout, what))


def maildir_count(home):
    try:
        return sum(1 for _ in os.scandir(os.path.join(home, "Maildir", "new")))
    except OSError:
        return 0


def maildir_set_aside(home, trash):
    """move the Maildir out of the way (the MTA makes a new one); the old
    ones are deleted only at the end, in trash, because thousands of
    unlinks just before a run make every create of the next run dearer
    (ext4 passes over inodes freed in the last 30 s), for either MTA"""
    d = os.path.join(home, "Maildir")
    if os.path.isdir(d):
        os.makedirs(trash, exist_ok=True)
        try:
            os.rename(d, os.path.join(trash, "Maildir.%d" % len(os.listdir(trash))))
        except OSError:  # another file system: delete it now after all
            shutil.rmtree(d)


def idle_sessions(port, n):
    """n SMTP sessions that got the banner and an EHLO reply, held open"""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), 30)
        s.settimeout(30)
        f = s.makefile("rb")
        if not f.readline().startswith(b"220"):
            raise RuntimeError("no 220 banner on session %d" % len(socks))
        s.sendall(b"EHLO client.example.org\r\n")
        while True:
            line = f.readline()
            if not line.startswith(b"250"):
                raise RuntimeError("EHLO refused: %r" % line)
            if line[3:4] == b" ":
                break
        socks.append((s, f))
    return socks


def close_sessions(socks):
    for s, _ in socks:
        try:
            s.sendall(b"QUIT\r\n")
            s.close()
        except OSError:
            pass


def latencies(port, n, to):
    """seconds for n sequential connect..QUIT transactions of 4 KB"""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        c = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.org", timeout=60)
        c.sendmail(FROM, [to], BODY)
        c.quit()
        out.append(time.perf_counter() - t0)
    return out


def percentile(xs, p):
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def stop_proc(p):
    if p and p.poll() is None:
        p.send_signal(signal.SIGTERM)
        p.wait()
