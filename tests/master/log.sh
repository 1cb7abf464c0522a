#!/usr/bin/env bash
# master/log.sh - where the logs go: without maillog_file and without a
# syslog socket "hato check" and "hato start" say so (tested in a private
# mount namespace whose /dev has, or lacks, a socket at /dev/log); the
# master reopens maillog_file on reload (logrotate moved it away); a normal
# stop logs no "killed by signal" warnings; a Postfix master.cf copied
# verbatim gives one line naming the services hato does without, not one
# warning per service.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "log tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

# in_dev MODE CMD... - run CMD in a private mount namespace whose /dev is a
# tmpfs holding null, zero, random, urandom, tty, full and, with MODE
# "syslog", a datagram socket /dev/log served while CMD runs
in_dev() {
	unshare -m --propagation private bash -s "$T/olddev" "$@" <<'SH'
old=$1 mode=$2; shift 2
mkdir -p "$old" && mount --rbind /dev "$old" && mount -t tmpfs -o mode=755 hatodev /dev || exit 97
for n in null zero random urandom tty full; do
	[ -e "$old/$n" ] && touch "/dev/$n" && mount --bind "$old/$n" "/dev/$n"
done
ln -s /proc/self/fd /dev/fd
[ "$mode" = syslog ] || exec "$@"
exec python3 -c '
import socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
sys.exit(subprocess.run(sys.argv[1:]).returncode)' "$@"
SH
}

inst_new
inst_set "maillog_file =" "local_recipient_maps ="
in_dev nosyslog "$HATO" -c "$I" check >"$T/check.out" 2>&1
t_check "no maillog_file, no /dev/log: hato check warns and says what to set" \
	grep -q "warning: .*no syslog socket /dev/log.*maillog_file" "$T/check.out"
in_dev syslog "$HATO" -c "$I" check >"$T/check2.out" 2>&1
t_check "...with a syslog socket at /dev/log it does not" \
	bash -c "! grep -q 'syslog' '$T/check2.out' && grep -q 'in order' '$T/check2.out'"
in_dev nosyslog "$HATO" -c "$I" start >"$T/start.out" 2>&1
t_check "no maillog_file, no /dev/log: hato start warns on stderr" \
	grep -q "warning: .*no syslog socket /dev/log.*maillog_file" "$T/start.out"
t_check "...and starts" "$HATO" -c "$I" status
"$HATO" -c "$I" stop >/dev/null 2>&1
inst_set "maillog_file = $I/maillog"
"$HATO" -c "$I" check >"$T/check3.out" 2>&1
t_check "with maillog_file set hato check says nothing about syslog" \
	bash -c "! grep -q 'syslog' '$T/check3.out'"

# reload after logrotate moved the file: the master writes a new one
inst_add_pickup 1
inst_add_queue_tools
t_check "instance starts" inst_start
mv "$I/maillog" "$I/maillog.1"
t_check "hato reload" "$HATO" -c "$I" reload
wait_log() { for _ in $(seq 50); do grep -q "$1" "$I/maillog" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
t_check "after reload the master logs to a new maillog_file" wait_log "hato/master\[[0-9]*\]: reload"
t_check "...and not into the moved file" bash -c "! grep -q 'master.*reload' '$I/maillog.1'"
id=$(inst_send sender@example.org user@example.test "after rotation")
t_check "a daemon started after the reload logs there too" wait_log "hato/smtpd\[[0-9]*\]: connect from"
t_check "...and the queue manager, which ran before it ($id)" wait_log "hato/qmgr\[[0-9]*\]: $id: from=<sender@example.org>"
sleep 1.5		# pickup and qmgr woke up; smtpd waits idle for the next client
t_check "hato stop" "$HATO" -c "$I" stop
t_check "the master's stop lines are in the new file" grep -q "hato/master\[[0-9]*\]: stopped" "$I/maillog"
t_check "a normal stop logs no 'killed by signal' warning" \
	bash -c "! cat '$I'/maillog* | grep 'killed by signal\|exit status'"

# a verbatim Postfix master.cf (the guide's): one line for what is skipped
sed -e "s/^smtp      inet/127.0.0.1:$SMTP_PORT inet/" -e "s/^submission inet/127.0.0.1:$((SMTP_PORT + 1)) inet/" \
	-e "s/^imap .*//" -e "s/^pop3 .*//" "$EXAMPLES/master.cf" >"$I/master.cf"
"$HATO" -c "$I" check >"$T/check4.out" 2>&1
t_check "hato check accepts the guide's master.cf" grep -q "in order" "$T/check4.out"
t_expect "hato check: one line names the skipped services" "1" grep -c "tlsmgr" "$T/check4.out"
t_check "...naming each of them" bash -c "for s in tlsmgr rewrite bounce defer trace verify flush \
	error retry discard lmtp anvil scache; do grep -q \"[ ,]\$s\>\" '$T/check4.out' || exit 1; done"
: >"$I/maillog"
t_check "instance starts with it" inst_start
t_check "hato reload" "$HATO" -c "$I" reload
wait_log "hato/master\[[0-9]*\]: reload"
t_expect "start and reload: one line each in the log" "2" grep -c "tlsmgr" "$I/maillog"
t_expect "...and no per-service warning" "0" grep -c "warning:.*service skipped" "$I/maillog"
exit 0
