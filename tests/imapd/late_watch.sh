#!/usr/bin/env bash
# late_watch.sh - a session whose SELECT got no inotify instance (the
# user's fs.inotify.max_user_instances all taken, here by a helper
# running as the user) still sees mail: NOOP reads the folder; IDLE makes
# the watch then, reads the folder once (what came before it is told at
# IDLE's start), and tells a delivery made during IDLE as it comes.  The
# session's inotify descriptors are counted in /proc/PID/fd.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hllw1 PW=Late-watch-1
t_check "an instance with imapd and local delivery starts" imap_instance $U $PW
t_check "1 message delivered" pop3_send 1

python3 - $IMAP_PORT $U $PW "$INST_HOME" >"$T/late.out" 2>&1 <<'PY'
import ctypes, os, pwd, select, signal, socket, sys, time
port, user, pw, home = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
new = os.path.join(home, "Maildir", "new")
uid = pwd.getpwnam(user).pw_uid
libc = ctypes.CDLL(None, use_errno=True)

def hog():
    """a child as the user holding every inotify instance it may have"""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.setgid(pwd.getpwnam(user).pw_gid); os.setuid(uid)
        held = 0
        while libc.inotify_init1(0) >= 0:
            held += 1
        os.write(w, b"%d %d\n" % (held, ctypes.get_errno()))
        signal.pause()
        os._exit(0)
    os.close(w)
    return pid, os.read(r, 64).decode().split()

def inotify_fds(pids):
    n = 0
    for p in pids:
        for fd in os.listdir("/proc/%d/fd" % p):
            try:
                n += os.readlink("/proc/%d/fd/%s" % (p, fd)) == "anon_inode:inotify"
            except OSError:
                pass
    return n

def session_pids():
    out = []
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and os.stat("/proc/" + p).st_uid == uid and \
               open("/proc/%s/comm" % p).read().strip() == "imapmail":
                out.append(int(p))
        except OSError:
            pass
    return out

def drop(name, subject):
    tmp = os.path.join(home, "Maildir", "tmp", name)
    with open(tmp, "w") as f:
        f.write("Subject: %s\n\nby hand\n" % subject)
    os.chown(tmp, uid, -1)
    os.rename(tmp, os.path.join(new, name))

s = socket.create_connection(("127.0.0.1", port), timeout=20)
f = s.makefile("rb")
def cmd(tag, line):
    s.sendall(("%s %s\r\n" % (tag, line)).encode())
    got = []
    while True:
        l = f.readline().decode().rstrip("\r\n")
        got.append(l)
        if l.startswith(tag + " "):
            return got
def until(pred, secs):
    s.settimeout(secs)
    got = []
    try:
        while True:
            l = f.readline().decode().rstrip("\r\n")
            if not l:
                break
            got.append(l)
            if pred(l):
                break
    except socket.timeout:
        pass
    s.settimeout(20)
    return got

f.readline()
hog_pid, (held, err) = hog()
print("hog", int(held) > 0, err)
cmd("a", "LOGIN %s %s" % (user, pw))
sel = cmd("b", "SELECT INBOX")
print("select", "* 1 EXISTS" in sel, sel[-1].startswith("b OK"))
print("no-watch", inotify_fds(session_pids()))
drop("1700000001.late1.host", "before idle")
noop = cmd("c", "NOOP")
print("noop", "* 2 EXISTS" in noop)
drop("1700000002.late2.host", "before idle, unseen")
os.kill(hog_pid, signal.SIGKILL); os.waitpid(hog_pid, 0)
s.sendall(b"d IDLE\r\n")
start = until(lambda l: "* 3 EXISTS" in l, 10)
print("idle-start", start[:1] == ["+ idling"] and "* 3 EXISTS" in start)
print("watch", inotify_fds(session_pids()))
drop("1700000003.late3.host", "during idle")
during = until(lambda l: "* 4 EXISTS" in l, 10)
print("idle-during", "* 4 EXISTS" in during)
s.sendall(b"DONE\r\n")
print("done", any(l.startswith("d OK") for l in until(lambda l: l.startswith("d "), 10)))
cmd("e", "LOGOUT")
PY
t_check "a helper as the user takes every inotify instance (EMFILE)" grep -qx "hog True 24" "$T/late.out"
t_check "SELECT without a watch answers" grep -qx "select True True" "$T/late.out"
t_check "...and the session has no inotify descriptor" grep -qx "no-watch 0" "$T/late.out"
t_check "NOOP reads the folder: a file put in new/ by hand is told" grep -qx "noop True" "$T/late.out"
t_check "IDLE, the instances free again, tells at its start what came before it" \
	grep -qx "idle-start True" "$T/late.out"
t_check "...with the watch it made then" grep -qx "watch 1" "$T/late.out"
t_check "...and a file put in new/ during IDLE is told as it comes" grep -qx "idle-during True" "$T/late.out"
t_check "DONE ends IDLE" grep -qx "done True" "$T/late.out"
[ -s "$T/late.out" ] && sed 's/^/# /' "$T/late.out"
