# bench/mta.py - the two MTAs make bench compares: a private hato
# instance (hato init --dev) and a private Postfix instance (its own
# config directory, queue, data directory, maillog_file), each started in
# its own cgroup v2 directory when /sys/fs/cgroup allows it, so that CPU
# (cpu.stat) and memory (PSS of cgroup.procs) cover every process of the
# instance, also short-lived ones.  Without a cgroup, the master's process
# tree is sampled from /proc instead.  Both listen on 127.0.0.1 only.
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

CG_ROOTS = ("/sys/fs/cgroup/unified", "/sys/fs/cgroup")
HZ = os.sysconf("SC_CLK_TCK")


def run(*cmd, check=True, **kw):
    """run a command quietly; its output on failure"""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, stdin=subprocess.DEVNULL, **kw)
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stdout.strip()))
    return p.stdout


def cgroup_new(name):
    """a fresh cgroup v2 directory, or None where none can be made"""
    for root in CG_ROOTS:
        if not os.path.exists(os.path.join(root, "cgroup.procs")) or \
           not os.path.exists(os.path.join(root, "cpu.stat")):
            continue
        path = os.path.join(root, name)
        try:
            os.mkdir(path)
            return path
        except OSError:
            continue
    return None


def proc_children():
    """ppid -> [pid] for every process"""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(int(d))
            if st:
                kids.setdefault(st[1], []).append(int(d))
    return kids


def proc_stat(pid):
    """(pid, ppid, utime+stime, cutime+cstime) in ticks, or None"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    return (pid, int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[13]) + int(rest[14]))


def mem_of(pid):
    """(pss_kb, rss_kb) of one process from smaps_rollup"""
    pss = rss = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


class Instance:
    """what both MTAs share: cgroup, process list, CPU, memory, stop"""
    name = "?"

    def __init__(self, top, port, relay_port):
        self.top, self.port, self.relay_port = top, port, relay_port
        self.cg = None
        self.sampled = False

    def start_in_cgroup(self, *cmd):
        tag = getattr(self, "cg_tag", self.name.lower())
        self.cg = cgroup_new("hlbench_%s_%d" % (tag, os.getpid()))
        cg = self.cg

        def enter():
            if cg:
                with open(os.path.join(cg, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
        # output to a file: a daemon that keeps its stdout (Dovecot's) would
        # hold a pipe open for good
        with tempfile.TemporaryFile() as out:
            p = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, preexec_fn=enter)
            out.seek(0)
            text = out.read().decode(errors="replace").strip()
        if p.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, text))

    def master_pid(self):
        try:
            with open(self.pidfile()) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def pids(self):
        """every process of the instance"""
        if self.cg:
            with open(os.path.join(self.cg, "cgroup.procs")) as f:
                return [int(x) for x in f.read().split()]
        root = self.master_pid()
        if root is None:
            return []
        kids, out, todo = proc_children(), [], [root]
        while todo:
            p = todo.pop()
            out.append(p)
            todo += kids.get(p, [])
        return out

    def cpu_seconds(self):
        """user+system CPU of the whole instance so far"""
        if self.cg:
            with open(os.path.join(self.cg, "cpu.stat")) as f:
                for line in f:
                    if line.startswith("usage_usec"):
                        return int(line.split()[1]) / 1e6
        # fallback: live processes, plus what the master reaped
        self.sampled = True
        total = 0
        for p in self.pids():
            st = proc_stat(p)
            if st:
                total += st[2] + (st[3] if p == self.master_pid() else 0)
        return total / HZ

    def sync_counter(self):
        """a SyncCounter for this instance's cgroup (counts nothing without one)"""
        return SyncCounter(self.cg)

    def memory(self):
        """(pss_kb, rss_kb, processes) summed over the instance"""
        pss = rss = n = 0
        for p in self.pids():
            a, b = mem_of(p)
            pss, rss, n = pss + a, rss + b, n + 1
        return pss, rss, n

    def queue_count(self):
        n = 0
        for d in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(os.path.join(self.queue_dir(), d)):
                n += len(files)
        return n

    def stop(self):
        try:
            self.stop_cmd()
        except Exception:
            pass
        for _ in range(50):
            if not self.pids():
                break
            time.sleep(0.1)
        if self.cg:
            kill = os.path.join(self.cg, "cgroup.kill")
            if self.pids() and os.path.exists(kill):
                with open(kill, "w") as f:
                    f.write("1")
            for _ in range(50):
                try:
                    os.rmdir(self.cg)
                    break
                except OSError:
                    time.sleep(0.1)
        else:
            for p in self.pids():
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass


def common_params(relay_port):
    """the main.cf settings both MTAs get"""
    return ["myhostname = mx.example.test", "mydomain = example.test",
            "mydestination = $myhostname, localhost", "mynetworks = 127.0.0.0/8",
            "inet_protocols = ipv4", "relayhost = [127.0.0.1]:%d" % relay_port,
            "alias_maps =", "alias_database =", "home_mailbox = Maildir/",
            "default_process_limit = 250", "biff = no",
            "smtpd_tls_security_level = may"]


class Hato(Instance):
    name = "hato"

    def __init__(self, top, port, relay_port, build):
        super().__init__(top, port, relay_port)
        self.dir = os.path.join(top, "hato")
        self.hato = os.path.join(build, "bin", "hato")
        self.postconf = os.path.join(build, "bin", "postconf")

    def setup(self):
        run(self.hato, "init", "--dev", self.dir)
        run(self.postconf, "-c", self.dir, "-e", *common_params(self.relay_port))
        with open(os.path.join(self.dir, "master.cf"), "w") as f:
            f.write("""# master.cf for make bench
127.0.0.1:%d inet n - n - - smtpd
pickup    fifo  n - n 60  1 pickup
cleanup   unix  n - n -   0 cleanup
qmgr      fifo  n - n 300 1 qmgr
smtp      unix  - - n -   - smtp
relay     unix  - - n -   - smtp
local     unix  - n n -   - local
showq     unix  n - n -   - showq
""" % self.port)

    def start(self):
        self.start_in_cgroup(self.hato, "-c", self.dir, "start")

    def stop_cmd(self):
        run(self.hato, "-c", self.dir, "stop", check=False)

    def pidfile(self):
        return os.path.join(self.dir, "queue", "pid", "master.pid")

    def queue_dir(self):
        return os.path.join(self.dir, "queue")

    def version(self):
        return run(self.postconf, "-c", self.dir, "-dh", "mail_version", check=False).strip() or "?"

    def cert(self):
        return os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")


class Postfix(Instance):
    name = "Postfix"

    def __init__(self, top, port, relay_port, cert):
        super().__init__(top, port, relay_port)
        self.dir = os.path.join(top, "postfix")
        self.conf = os.path.join(self.dir, "conf")
        self.cert_files = cert

    def setup(self):
        for d in ("conf", "queue", "data"):
            os.makedirs(os.path.join(self.dir, d))
        shutil.chown(os.path.join(self.dir, "data"), "postfix")
        with open("/etc/postfix/master.cf") as f:
            stock = f.read()
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(self.master_cf(stock))
        params = common_params(self.relay_port) + [
            "compatibility_level = 3.6",
            "queue_directory = %s/queue" % self.dir,
            "data_directory = %s/data" % self.dir,
            "mail_owner = postfix", "setgid_group = postdrop",
            "maillog_file = %s/maillog" % self.dir,
            "maillog_file_prefixes = %s" % self.dir,
            "inet_interfaces = 127.0.0.1",
            "smtpd_tls_cert_file = %s" % self.cert_files[0],
            "smtpd_tls_key_file = %s" % self.cert_files[1]]
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write("# main.cf for make bench: a private Postfix instance\n")
            f.write("\n".join(params) + "\n")
        run("postfix", "-c", self.conf, "check")

    def master_cf(self, stock):
        """Debian's master.cf: smtpd on our port, nothing chrooted"""
        out = []
        for line in stock.splitlines():
            f = line.split()
            if f and not line[0].isspace() and not line.startswith("#") and len(f) >= 8:
                if f[0] == "smtp" and f[1] == "inet":
                    f[0] = "127.0.0.1:%d" % self.port
                f[4] = "n"
                line = " ".join(f)
            out.append(line)
        return "\n".join(out) + "\n"

    def start(self):
        self.start_in_cgroup("postfix", "-c", self.conf, "start")

    def stop_cmd(self):
        run("postfix", "-c", self.conf, "stop", check=False)

    def pidfile(self):
        return os.path.join(self.dir, "queue", "pid", "master.pid")

    def queue_dir(self):
        return os.path.join(self.dir, "queue")

    def version(self):
        return run("postconf", "-c", self.conf, "-h", "mail_version", check=False).strip() or "?"


def wait_listening(port, timeout=10):
    """true once something listens on 127.0.0.1:port"""
    end = time.time() + timeout
    while time.time() < end:
        out = run("ss", "-Hltn", "sport = :%d" % port, check=False)
        if re.search(r":%d\b" % port, out):
            return True
        time.sleep(0.1)
    return False


class SyncCounter:
    """fsync-family system calls made by every process of a cgroup while it
    runs, counted by the kernel's syscall tracepoints through perf stat -G;
    stop() returns the count, or None where perf or the cgroup is missing.
    perf's workload is a cat on a pipe: closing the pipe ends the count
    (a signal to perf is not safe: a background job may ignore SIGINT)"""
    EVENTS = ("fsync", "fdatasync", "syncfs", "sync_file_range", "msync")

    def __init__(self, cg):
        self.proc, self.out = None, None
        if not cg or not shutil.which("perf"):
            return
        name = os.path.relpath(cg, os.path.dirname(cg))
        events = ",".join("syscalls:sys_enter_%s" % e for e in self.EVENTS)
        self.out = "/tmp/%s.perf" % name
        self.proc = subprocess.Popen(
            ["perf", "stat", "-x", ",", "-a", "-e", events,
             "-G", ",".join([name] * len(self.EVENTS)), "-o", self.out, "--", "cat"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.PIPE)
        time.sleep(0.3)             # perf has its counters open

    def stop(self):
        if not self.proc:
            return None
        self.proc.stdin.close()     # cat ends, perf prints its counts
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None
        total, seen = 0, 0
        try:
            with open(self.out) as f:
                for line in f:
                    fields = line.strip().split(",")
                    if len(fields) > 2 and fields[2].startswith("syscalls:"):
                        # "<not counted>": no process of the cgroup ran the event
                        total += int(fields[0]) if fields[0].isdigit() else 0
                        seen += 1
            os.unlink(self.out)
        except OSError:
            return None
        return total if seen == len(self.EVENTS) else None

