# bench/imapsrv.py - the two IMAP servers make bench compares, each in its
# own cgroup like the POP3 ones (bench/pop3srv.py, mta.Instance): a hato
# instance serving only IMAP (authd, imapd, imapmail; mail_location
# ~/Maildir-hato) and a private Dovecot 2.3 with protocols = imap (its own
# configuration, base_dir and log, never the system service;
# mail_location ~/Maildir-dovecot).  Both check the same system password
# (passdb system / shadow), listen on 127.0.0.1 in the clear, in their
# default process model (hato: imapd, then one imapmail per session;
# Dovecot: imap-login per connection, then one imap per session), with
# the limits raised for the 1,000 idle sessions of the memory row
# (processes; connections per user and IP, 10 by default in both; and
# Dovecot's imap service, 1,024 processes by default whatever
# default_process_limit says: the 10,000 row stopped there).
import os

import mta
from pop3srv import Dovecot as Pop3Dovecot, HatoPop3

LIMIT = 1200        # processes (bench/imap.py raises it for --imap-idle)
USERIP = 1200       # sessions per user and IP: the idle sessions are spread over 50 users


class HatoImap(HatoPop3):
    cg_tag = "hato_imap"

    def __init__(self, top, port, build):
        super().__init__(top, port, None, build)
        self.dir = os.path.join(top, "hato-imap")

    def setup(self):
        mta.run(self.hato, "init", "--dev", self.dir)
        mta.run(self.postconf, "-c", self.dir, "-e", "inet_protocols = ipv4",
                "passdb = system", "userdb = system", "mail_location = maildir:~/%s" % self.maildir,
                "first_valid_uid = 1000", "default_process_limit = %d" % LIMIT,
                "protocols = imap", "mail_max_userip_connections = %d" % USERIP,
                "ssl_cert = %s/cert.pem" % self.dir, "ssl_key = %s/key.pem" % self.dir)
        with open(os.path.join(self.dir, "master.cf"), "w") as f:
            f.write("""# master.cf for make bench: IMAP only
login/auth unix - n n - 1 authd
login/imap unix - n n - - imapmail
127.0.0.1:%d inet n - n - - imapd
""" % self.port)


class DovecotImap(Pop3Dovecot):
    cg_tag = "dovecot_imap"

    def __init__(self, top, port, cert):
        super().__init__(top, port, None, cert)
        self.dir = os.path.join(top, "dovecot-imap")
        self.conf = os.path.join(self.dir, "dovecot.conf")

    def setup(self):
        for d in ("run", "state"):
            os.makedirs(os.path.join(self.dir, d))
        with open(self.conf, "w") as f:
            f.write("""# dovecot.conf for make bench: a private instance, IMAP only
base_dir = %(dir)s/run
state_dir = %(dir)s/state
log_path = %(dir)s/log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <%(cert)s
ssl_key = <%(key)s
disable_plaintext_auth = no
mail_location = maildir:~/%(maildir)s
first_valid_uid = 1000
default_process_limit = %(limit)d
default_client_limit = %(clients)d
protocol imap {
  mail_max_userip_connections = %(userip)d
}
passdb {
  driver = shadow
}
userdb {
  driver = passwd
}
service imap {
  process_limit = %(limit)d
}
service imap-login {
  process_limit = %(limit)d
  inet_listener imap {
    port = %(port)d
  }
  inet_listener imaps {
    port = 0
  }
}
""" % {"dir": self.dir, "cert": self.cert_files[0], "key": self.cert_files[1],
                "maildir": self.maildir, "port": self.port, "limit": LIMIT, "userip": USERIP,
                "clients": 4 * LIMIT})
