# bench/pop3srv.py - the two POP3 servers make bench compares, each in its
# own cgroup like the MTAs (mta.Instance: CPU from cpu.stat, or the
# master's process tree): a hato instance serving only POP3 (authd for
# the login side, pop3d, pop3mail; mail_location ~/Maildir-hato) and a
# private Dovecot 2.3 (its own configuration, base_dir and log, never the
# system service; mail_location ~/Maildir-dovecot).  Both check the same
# system password (hato passdb = system, Dovecot passdb shadow: the same
# hash for both), listen on 127.0.0.1 in the clear and with TLS on
# connect, with hato's test certificate, in their default process model
# (one login process per connection, one mail process per session).
import os

import mta


class HatoPop3(mta.Instance):
    name = "hato"
    cg_tag = "hato_pop3"
    maildir = "Maildir-hato"

    def __init__(self, top, port, tls_port, build):
        super().__init__(top, port, None)
        self.tls_port = tls_port
        self.dir = os.path.join(top, "hato-pop3")
        self.hato = os.path.join(build, "bin", "hato")
        self.postconf = os.path.join(build, "bin", "postconf")

    def setup(self):
        mta.run(self.hato, "init", "--dev", self.dir)
        mta.run(self.postconf, "-c", self.dir, "-e", "inet_protocols = ipv4",
                "passdb = system", "userdb = system", "mail_location = maildir:~/%s" % self.maildir,
                "first_valid_uid = 1000", "default_process_limit = 250",
                "ssl_cert = %s/cert.pem" % self.dir, "ssl_key = %s/key.pem" % self.dir)
        with open(os.path.join(self.dir, "master.cf"), "w") as f:
            f.write("""# master.cf for make bench: POP3 only
login/auth unix - n n - 1 authd
login/pop3 unix - n n - - pop3mail
127.0.0.1:%d inet n - n - - pop3d
127.0.0.1:%d inet n - n - - pop3d
  -o pop3d_tls_wrappermode=yes
""" % (self.port, self.tls_port))

    def start(self):
        self.start_in_cgroup(self.hato, "-c", self.dir, "start")

    def stop_cmd(self):
        mta.run(self.hato, "-c", self.dir, "stop", check=False)

    def pidfile(self):
        return os.path.join(self.dir, "queue", "pid", "master.pid")

    def version(self):
        return mta.run(self.postconf, "-c", self.dir, "-dh", "mail_version", check=False).strip() or "?"


class Dovecot(mta.Instance):
    name = "Dovecot"
    cg_tag = "dovecot"
    maildir = "Maildir-dovecot"

    def __init__(self, top, port, tls_port, cert):
        super().__init__(top, port, None)
        self.tls_port = tls_port
        self.dir = os.path.join(top, "dovecot")
        self.conf = os.path.join(self.dir, "dovecot.conf")
        self.cert_files = cert

    def setup(self):
        for d in ("run", "state"):
            os.makedirs(os.path.join(self.dir, d))
        with open(self.conf, "w") as f:
            f.write("""# dovecot.conf for make bench: a private instance, POP3 only
base_dir = %(dir)s/run
state_dir = %(dir)s/state
log_path = %(dir)s/log
protocols = pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <%(cert)s
ssl_key = <%(key)s
disable_plaintext_auth = no
mail_location = maildir:~/%(maildir)s
first_valid_uid = 1000
passdb {
  driver = shadow
}
userdb {
  driver = passwd
}
service pop3-login {
  inet_listener pop3 {
    port = %(port)d
  }
  inet_listener pop3s {
    port = %(tls_port)d
    ssl = yes
  }
}
""" % {"dir": self.dir, "cert": self.cert_files[0], "key": self.cert_files[1],
                "maildir": self.maildir, "port": self.port, "tls_port": self.tls_port})

    def start(self):
        self.start_in_cgroup("dovecot", "-c", self.conf)

    def stop_cmd(self):
        mta.run("dovecot", "-c", self.conf, "stop", check=False)

    def pidfile(self):
        return os.path.join(self.dir, "run", "master.pid")

    def version(self):
        return mta.run("dovecot", "--version", check=False).strip() or "?"
