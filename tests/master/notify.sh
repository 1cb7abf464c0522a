#!/usr/bin/env bash
# master/notify.sh - hato under systemd (systemd/hato.service.in): the unit
# passes `systemd-analyze verify`; `hato start-fg` with NOTIFY_SOCKET (a
# datagram socket this test binds, as systemd would; a path, then the
# abstract "@name" form) says READY=1 with its MAINPID once its port
# answers, RELOADING=1 then READY=1 around `hato reload`, STOPPING=1 at
# `hato stop`; no daemon inherits NOTIFY_SOCKET; with JOURNAL_STREAM naming
# its stderr (the journal) master does not copy its log there, without it
# it does; `make install` and `make uninstall` put the unit in place and
# take everything away again.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "notify tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

sed -e "s|@SBINDIR@|$B/bin|g" "$TOPDIR/systemd/hato.service.in" >"$T/hato.service"
if command -v systemd-analyze >/dev/null; then
	t_check "systemd-analyze verify accepts hato.service" systemd-analyze verify "$T/hato.service"
else
	t_ok "systemd-analyze verify accepts hato.service # SKIP no systemd-analyze"
fi
t_check "the unit is Type=notify, starts hato start-fg, reloads with hato reload" \
	bash -c "grep -qx 'Type=notify' '$T/hato.service' && grep -qx 'ExecStart=$B/bin/hato start-fg' '$T/hato.service' && grep -qx 'ExecReload=$B/bin/hato reload' '$T/hato.service'"

inst_new

# run_notified ADDR JOURNAL - hato start-fg under a notify socket at ADDR,
# its stderr in $T/stderr (named by JOURNAL_STREAM when JOURNAL is yes);
# the messages, one per line, in $T/notify.out
run_notified() {
	python3 - "$1" "$2" "$HATO" "$I" "$SMTP_PORT" "$T" >"$T/notify.out" 2>&1 <<'PY'
import os, signal, socket, subprocess, sys, time
addr, journal, hato, inst, port, tmp = sys.argv[1:7]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
s.settimeout(20)
env = dict(os.environ, NOTIFY_SOCKET=addr)
err = open(os.path.join(tmp, "stderr"), "w")
if journal == "yes":
    st = os.fstat(err.fileno())
    env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
p = subprocess.Popen([hato, "-c", inst, "start-fg"], env=env, stderr=err, stdout=err)
def msg():
    try:
        return s.recv(4096).decode().split("\n")
    except socket.timeout:
        return ["(timeout)"]
def listening():
    try:
        socket.create_connection(("127.0.0.1", int(port)), timeout=2).close()
        return True
    except OSError:
        return False
m = msg()
print("ready", m[0], "MAINPID=%d" % p.pid in m, listening())
c = socket.create_connection(("127.0.0.1", int(port)), timeout=5)	# an smtpd to look at
c.recv(512)
smtpd = []
for _ in range(50):
    smtpd = subprocess.run(["pgrep", "-P", str(p.pid), "-x", "smtpd"], capture_output=True,
                           text=True).stdout.split()
    if smtpd:
        break
    time.sleep(0.1)
env_seen = [open("/proc/%s/environ" % x, "rb").read() for x in smtpd]
print("inherited", any(b"NOTIFY_SOCKET" in e for e in env_seen) if env_seen else "no smtpd")
c.close()
subprocess.run([hato, "-c", inst, "reload"], capture_output=True)
print("reload", msg()[0], msg()[0])
subprocess.run([hato, "-c", inst, "stop"], capture_output=True)
print("stop", msg()[0], p.wait(timeout=30))
PY
}

run_notified "$T/notify.sock" no
t_check "READY=1 with its MAINPID once its port answers" grep -qx "ready READY=1 True True" "$T/notify.out"
t_check "no daemon inherits NOTIFY_SOCKET" grep -qx "inherited False" "$T/notify.out"
t_check "RELOADING=1, then READY=1, around hato reload" \
	grep -qx "reload RELOADING=1 READY=1" "$T/notify.out"
t_check "STOPPING=1 at hato stop, and master exits 0" grep -qx "stop STOPPING=1 0" "$T/notify.out"
t_check "without JOURNAL_STREAM master copies its log to stderr" \
	grep -q "daemon started" "$T/stderr"
cp "$T/notify.out" "$T/notify1.out"

run_notified "@hato-notify-$$" yes
t_check "the abstract form (@name) of NOTIFY_SOCKET works as well" \
	bash -c "grep -qx 'ready READY=1 True True' '$T/notify.out' && grep -qx 'stop STOPPING=1 0' '$T/notify.out'"
t_check "with JOURNAL_STREAM on its stderr it does not (the journal has the lines)" \
	bash -c "! grep -q 'daemon started' '$T/stderr' && grep -q 'daemon started' '$I/maillog'"

# the PREFIX the tree was built with (another would rebuild it under the
# other tests' feet)
root="$T/root" prefix=$(cut -d' ' -f1 "$B/prefix.stamp")
make -s -C "$TOPDIR" install DESTDIR="$root" >"$T/install.out" 2>&1
t_check "make install puts hato.service in PREFIX/lib/systemd/system" \
	grep -qx "ExecStart=$prefix/sbin/hato start-fg" "$root$prefix/lib/systemd/system/hato.service"
t_check "...hato(8) in PREFIX/share/man/man8, the logrotate file in /etc/logrotate.d" \
	bash -c "test -s '$root$prefix/share/man/man8/hato.8' && grep -q 'hato reload' '$root/etc/logrotate.d/hato'"
make -s -C "$TOPDIR" uninstall DESTDIR="$root" >"$T/uninstall.out" 2>&1
t_expect "make uninstall takes every file away again" "" \
	find "$root" -type f -o -type l
