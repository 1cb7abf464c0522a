#!/usr/bin/env bash
# master/systemd.sh - hato.service under a real systemd: the machine's
# own manager is not used (PID 1 need not be systemd, and a test must not
# touch the machine's services); a systemd service manager of this test's
# own runs instead - Debian's /lib/systemd/systemd as root's user manager
# (the instance user@0.service runs), in a mount namespace where a tmpfs
# over /run/systemd holds the "booted with systemd" mark it wants, its
# state in the test's directory.  The unit is systemd/hato.service.in
# with the build's paths, HATO_CONFIG naming the test instance, and a
# drop-in with PrivateTmp=no (the instance lives in /tmp; everything
# else of the unit's hardening stays on).  Checked: start waits for
# master's READY=1 (active, MainPID is master's pid file, the port
# answers), systemctl reload runs hato reload (RELOADING=1/READY=1; a new
# master.cf service listens, the same master), systemctl stop stops every
# daemon (inactive, no process left), a killed master is restarted
# (Restart=on-failure: a new MainPID that serves, none of the old
# master's daemons left).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "systemd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

SD=/lib/systemd/systemd
[ -x "$SD" ] || SD=/usr/lib/systemd/systemd
X=$T/xdg
mkdir -p "$X/run" "$X/config/systemd/user/hato-test.service.d"
chmod 700 "$X/run"
made_run_systemd=
[ -d /run/systemd ] || { mkdir /run/systemd && made_run_systemd=yes; }

# sd - the test's systemd (a user manager of root, in its own mount
# namespace); its pid in $T/sd.pid
sd_start() {
	cat >"$T/sd.sh" <<EOF
#!/bin/bash
mount -t tmpfs hato-test /run/systemd && mkdir /run/systemd/system || exit 9
# the nodes a unit's ProtectSystem=, PrivateDevices= ... mount over what
# they hide (PID 1 makes them; this manager is not PID 1)
n=/run/systemd/inaccessible
mkdir -m 0755 \$n && mkdir -m 0 \$n/dir && : >\$n/reg && chmod 0 \$n/reg &&
	mkfifo -m 0 \$n/fifo && mknod -m 0 \$n/chr c 0 0 && mknod -m 0 \$n/blk b 0 0 &&
	python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('\$n/sock')" && chmod 0 \$n/sock || exit 9
export XDG_RUNTIME_DIR=$X/run XDG_CONFIG_HOME=$X/config
echo \$\$ >$T/sd.pid
exec $SD --user --log-target=console --log-level=notice
EOF
	chmod +x "$T/sd.sh"
	setsid unshare -m --propagation private "$T/sd.sh" </dev/null >"$T/sd.log" 2>&1 &
	inst_wait test -S "$X/run/systemd/private"
}
# sctl ARGS - systemctl --user against the test's manager
sctl() {
	nsenter -m -t "$(cat "$T/sd.pid")" env XDG_RUNTIME_DIR="$X/run" systemctl --user "$@"
}
sd_stop() {
	local pid
	if [ -f "$T/sd.pid" ]; then
		pid=$(cat "$T/sd.pid")
		sctl stop hato-test >/dev/null 2>&1
		sctl exit >/dev/null 2>&1
		inst_wait bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
	fi
	[ -n "$made_run_systemd" ] && rmdir /run/systemd 2>/dev/null
	inst_cleanup
}
trap sd_stop EXIT

inst_new
sed -e "s|@SBINDIR@|$B/bin|g" "$TOPDIR/systemd/hato.service.in" >"$X/config/systemd/user/hato-test.service"
printf '[Service]\nEnvironment=HATO_CONFIG=%s\n' "$I" >"$X/config/systemd/user/hato-test.service.d/instance.conf"
printf '[Service]\nPrivateTmp=no\n' >"$X/config/systemd/user/hato-test.service.d/tmp.conf"
inst_set "in_flow_delay = 0"

t_check "a systemd service manager of the test's own runs" sd_start
t_check "...and knows the unit" bash -c "$(declare -f sctl); T='$T' X='$X' sctl cat hato-test >/dev/null"
t_check "systemctl start hato-test returns (READY=1 came)" timeout 60 bash -c "$(declare -f sctl); T='$T' X='$X' sctl start hato-test"
prop() { sctl show -p "$1" --value hato-test; }
t_expect "...the unit is active" active prop ActiveState
main=$(prop MainPID)
t_expect "...its MainPID is master's (the pid file)" "$main" tr -dc 0-9 <"$I/queue/pid/master.pid"
# banner - the instance's SMTP greeting
banner() { timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SMTP_PORT && head -c 4 <&3" 2>/dev/null; }
t_expect "...and the SMTP port answers" "220 " banner

extra=$((SMTP_PORT + 1))
echo "127.0.0.1:$extra inet n - n - - smtpd" >>"$I/master.cf"
t_check "systemctl reload hato-test returns" timeout 60 bash -c "$(declare -f sctl); T='$T' X='$X' sctl reload hato-test"
t_check "...the new master.cf service listens" inst_wait bash -c "ss -Hltn 'sport = :$extra' | grep -q ."
t_expect "...served by the same master, still active" "$main active" \
	bash -c "$(declare -f sctl prop); T='$T' X='$X'; echo \$(prop MainPID) \$(prop ActiveState)"

banner >/dev/null	# an smtpd to be left behind by the kill (reload ended the others)
inst_wait pgrep -P "$main" -x smtpd >/dev/null
kids=$(pgrep -P "$main" | tr '\n' ' ')
t_check "master has daemons (the smtpd that answered)" test -n "$kids"
kill -9 "$main"
t_check "a killed master: systemd starts a new one (Restart=on-failure)" \
	inst_wait bash -c "$(declare -f sctl prop); T='$T' X='$X'; p=\$(prop MainPID); [ \"\$p\" != 0 ] && [ \"\$p\" != $main ] && [ \"\$(prop ActiveState)\" = active ]"
t_check "...which serves" inst_wait bash -c "$(declare -f banner); SMTP_PORT=$SMTP_PORT; [ \"\$(banner)\" = '220 ' ]"
t_check "...and no daemon of the killed master is left" \
	inst_wait bash -c "for p in $kids; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"

main=$(prop MainPID)
t_check "systemctl stop hato-test returns" timeout 60 bash -c "$(declare -f sctl); T='$T' X='$X' sctl stop hato-test"
t_expect "...the unit is inactive" inactive prop ActiveState
t_check "...and no process of the instance is left" wait_gone
