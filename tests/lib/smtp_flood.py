#!/usr/bin/env python3
"""smtp_flood - many SMTP sessions against one server, for the robustness
tests.  Each message carries a unique Message-ID <TAG-N@flood.test>; the IDs
of the messages that got a 250 after DATA go to --out, one per line.

  smtp_flood.py --port P --count N [--threads T] --rcpt ADDR [--rcpt ADDR2]
                [--tag TAG] [--retry K] [--barrier] [--size BYTES] --out FILE

Recipients alternate between the --rcpt addresses.  --retry K sends a
message again (same Message-ID) up to K times after a 4xx or a dropped
connection, --retry-delay seconds later (0.2).  --barrier: every thread opens its session and says EHLO, all
wait until every session is open, then each sends one message: proves the
server holds --threads sessions at once.  --pace S: each thread sleeps S
seconds after each message (so that a flow lasts while daemons are killed).
--hold S: each session waits S seconds after EHLO (so that sessions overlap).  Prints one summary line:
accepted=N refused=N (421 greetings) tempfail=N (other 4xx) dropped=N
permfail=N concurrent=N
"""
import argparse, smtplib, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--count", type=int, required=True)
ap.add_argument("--threads", type=int, default=4)
ap.add_argument("--rcpt", action="append", required=True)
ap.add_argument("--tag", default="flood")
ap.add_argument("--retry", type=int, default=0)
ap.add_argument("--barrier", action="store_true")
ap.add_argument("--size", type=int, default=200)
ap.add_argument("--timeout", type=float, default=120)
ap.add_argument("--pace", type=float, default=0)
ap.add_argument("--hold", type=float, default=0)
ap.add_argument("--retry-delay", type=float, default=0.2)
ap.add_argument("--out", required=True)
a = ap.parse_args()

lock = threading.Lock()
stats = dict(accepted=0, refused=0, tempfail=0, dropped=0, permfail=0, concurrent=0)
accepted = []
barrier = threading.Barrier(a.threads, timeout=a.timeout) if a.barrier else None


def bump(k):
    with lock:
        stats[k] += 1


def message(n):
    mid = "<%s-%d@flood.test>" % (a.tag, n)
    body = ("x" * 70 + "\r\n") * max(1, a.size // 72)
    hdr = "From: <flood@example.org>\r\nSubject: %s %d\r\nMessage-ID: %s\r\n\r\n" % (a.tag, n, mid)
    return mid, (hdr + body).encode()


def one(n, rcpt):
    """one session, one message; True when it got its 250"""
    mid, data = message(n)
    try:
        s = smtplib.SMTP(a.host, a.port, timeout=a.timeout)
    except smtplib.SMTPConnectError as e:
        bump("refused" if e.smtp_code == 421 else "tempfail")
        return False
    except (OSError, smtplib.SMTPException):
        bump("dropped")
        return False
    try:
        s.ehlo("flood.test")
        if a.hold:
            time.sleep(a.hold)
        if barrier:
            try:
                barrier.wait()
                bump("concurrent")
            except threading.BrokenBarrierError:
                pass
        s.sendmail("flood@example.org", [rcpt], data)
        with lock:
            stats["accepted"] += 1
            accepted.append(mid)
        try:
            s.quit()
        except (OSError, smtplib.SMTPException):
            pass
        return True
    except smtplib.SMTPResponseException as e:
        bump("tempfail" if 400 <= e.smtp_code < 500 else "permfail")
    except smtplib.SMTPRecipientsRefused as e:
        code = list(e.recipients.values())[0][0]
        bump("tempfail" if 400 <= code < 500 else "permfail")
    except (OSError, smtplib.SMTPException):
        bump("dropped")
    try:
        s.close()
    except OSError:
        pass
    return False


def worker(t):
    for n in range(t, a.count, a.threads):
        rcpt = a.rcpt[n % len(a.rcpt)]
        for _ in range(a.retry + 1):
            if one(n, rcpt):
                break
            time.sleep(a.retry_delay)
        if a.pace:
            time.sleep(a.pace)


ts = [threading.Thread(target=worker, args=(t,)) for t in range(a.threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
with open(a.out, "w") as f:
    f.write("".join(m + "\n" for m in accepted))
print(" ".join("%s=%d" % kv for kv in stats.items()))
