#!/usr/bin/env python3
"""smtp_auth.py - one SMTP AUTH attempt (and optionally one message) with
Python's smtplib, for the AUTH tests.

  smtp_auth.py [--starttls] [--ssl] [--no-initial] [--source=ADDR] HOST PORT MECH USER PASSWORD [FROM TO]

Prints one line per step: "EHLO <AUTH keyword line or ->", "AUTH <code>
<text>", and with FROM/TO "MAIL <code>", "RCPT <code> <text>", "DATA <code>".
Exit 0 always after a connection (the test compares the output)."""
import smtplib
import ssl
import sys


def main():
    args = sys.argv[1:]
    starttls = "--starttls" in args
    use_ssl = "--ssl" in args
    initial = "--no-initial" not in args
    source = [a.split("=", 1)[1] for a in args if a.startswith("--source=")]
    source = (source[0], 0) if source else None
    args = [a for a in args if not a.startswith("--")]
    host, port, mech, user, password = args[:5]
    rest = args[5:]
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = smtplib.SMTP_SSL(host, int(port), context=ctx, timeout=60, source_address=source) if use_ssl \
        else smtplib.SMTP(host, int(port), timeout=60, source_address=source)
    s.ehlo("client.example.org")
    if starttls:
        s.starttls(context=ctx)
        s.ehlo("client.example.org")
    print("EHLO", s.esmtp_features.get("auth", "-").strip() or "-")
    s.user, s.password = user, password
    auth = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}[mech]
    try:
        code, text = s.auth(mech, auth, initial_response_ok=initial)
    except smtplib.SMTPAuthenticationError as e:
        code, text = e.smtp_code, e.smtp_error
    except smtplib.SMTPNotSupportedError:
        code, text = 0, b"AUTH not offered"
    except smtplib.SMTPException as e:
        code, text = -1, str(e).encode()
    print("AUTH", code, text.decode(errors="replace") if isinstance(text, bytes) else text)
    if len(rest) == 2:
        code, _ = s.mail(rest[0])
        print("MAIL", code)
        code, text = s.rcpt(rest[1])
        print("RCPT", code, text.decode(errors="replace"))
        if code == 250:
            code, _ = s.data(b"Subject: auth test\r\nMessage-ID: <%s@auth.test>\r\n\r\nauthenticated\r\n"
                             % user.encode())
            print("DATA", code)
    try:
        s.quit()
    except smtplib.SMTPException:
        pass


if __name__ == "__main__":
    main()
