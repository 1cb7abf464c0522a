#!/usr/bin/env bash
# master/logrotate.sh - `hato logrotate` (Postfix 3.4's postfix logrotate):
# maillog_file moved to maillog.SUFFIX and compressed (gzip), master
# reloaded and writing the new one; every daemon's lines reach the file
# through master (master_logsink.c), so no process of the instance holds
# the old file (looked up in /proc/PID/fd), and an smtpd that was in a
# session during the rotation writes its next lines to the new file;
# the same with logrotate(8) and the file make install puts in
# /etc/logrotate.d (postrotate: hato reload); refusals: not running, a
# maillog_file that is a symbolic link or in a directory anyone may write,
# maillog_file unset.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "logrotate tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=hlrot1
inst_new
inst_user $U
inst_add_maildir qmgr
t_check "hato logrotate with the mail system stopped: refused" \
	bash -c "! '$HATO' -c '$I' logrotate 2>'$T/stopped.err' && grep -q 'not running' '$T/stopped.err'"
t_check "an instance with qmgr and local delivery starts" inst_start
first=$(inst_send sender@example.test $U@example.test "before")
inst_wait grep -q "$first: removed" "$I/maillog"

# instance_fds - "PID LINK" for every descriptor of master and its children
instance_fds() {
	local m; m=$(tr -dc 0-9 <"$I/queue/pid/master.pid")
	for p in $m $(pgrep -P "$m"); do
		for f in /proc/$p/fd/*; do echo "$p $(readlink "$f")"; done
	done 2>/dev/null
}
n=$(instance_fds | grep -c " $I/maillog\$")
t_expect "only master holds maillog_file: the daemons send it their lines" 1 echo "$n"

# a session open across the rotation: its smtpd is busy all along
cat >"$T/session.py" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline().decode()
        if l[3:4] != "-":
            return l.strip()
print(reply(), flush=True)
s.sendall(b"EHLO client.example\r\n"); print(reply(), flush=True)
sys.stdin.readline()			# the rotation happens here
for c in ("MAIL FROM:<sender@example.test>", "RCPT TO:<%s@example.test>" % sys.argv[2], "DATA"):
    s.sendall((c + "\r\n").encode()); reply()
s.sendall(b"Subject: across the rotation\r\n\r\nbody\r\n.\r\n")
print(reply(), flush=True)
s.sendall(b"QUIT\r\n"); reply()
PY
coproc SMTP { python3 -u "$T/session.py" "$SMTP_PORT" "$U" 2>"$T/session.err"; }
read -r greet <&"${SMTP[0]}"; read -r ehlo <&"${SMTP[0]}"
t_check "an SMTP session is open (its smtpd busy)" test "${ehlo:0:3}" = 250

"$HATO" -c "$I" logrotate >"$T/rotate.out" 2>&1
rc=$?
t_expect "hato logrotate exits 0" 0 echo $rc
moved=$(ls "$I"/maillog.2*.gz 2>/dev/null | head -1)
t_check "maillog_file is moved to maillog.YYYYMMDD-HHMMSS and gzipped" \
	bash -c "[ -n '$moved' ] && [[ '$moved' =~ /maillog\.[0-9]{8}-[0-9]{6}\.gz$ ]] && gzip -t '$moved'"
t_check "...the moved log has the lines before it" bash -c "zcat '$moved' | grep -q '$first: removed'"
t_check "...and master writes a new maillog_file (its reload line)" \
	inst_wait grep -q "reload -- version" "$I/maillog"
n=$(instance_fds | grep -c -e 'maillog\.' -e 'maillog (deleted)')
t_expect "no process of the instance holds the moved file" 0 echo "$n"

echo go >&"${SMTP[1]}"
read -r queued <&"${SMTP[0]}"
id=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$queued")
t_check "the session goes on after the rotation and queues its message" test -n "$id"
inst_wait grep -q "$id: removed" "$I/maillog"
t_check "the smtpd busy across the rotation writes its lines to the new file" \
	grep -q "hato/smtpd\[[0-9]*\]: $id: client=" "$I/maillog"
t_check "...and the rest of the message's life is there too" \
	bash -c "grep -q '$id: message-id=' '$I/maillog' && grep -q '$id: to=<$U@example.test>.*status=sent' '$I/maillog'"
t_check "...none of it in the moved log" bash -c "! zcat '$moved' | grep -q '$id'"

# logrotate(8) with the file make install puts in /etc/logrotate.d
if command -v logrotate >/dev/null; then
	sed -e "s|@MAILLOG@|$I/maillog|" -e "s|@HATO@|$HATO -c $I|" "$TOPDIR/logrotate/hato.in" \
		>"$T/logrotate.conf"
	chmod 644 "$T/logrotate.conf"
	logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" >"$T/logrotate.out" 2>&1
	t_check "logrotate -f with logrotate/hato moves maillog_file to maillog.1" test -s "$I/maillog.1"
	t_check "...its postrotate reload has master write a new one" \
		inst_wait grep -q "reload -- version" "$I/maillog"
	n=$(instance_fds | grep -c -e 'maillog\.1' -e 'maillog (deleted)')
	t_expect "...and no process holds maillog.1" 0 echo "$n"
	again=$(inst_send sender@example.test $U@example.test "after logrotate")
	inst_wait grep -q "$again: removed" "$I/maillog"
	t_check "...where the next message's lines go, none to maillog.1" \
		bash -c "grep -q '$again: client=' '$I/maillog' && ! grep -q '$again' '$I/maillog.1'"
else
	t_ok "logrotate(8) with logrotate/hato # SKIP no logrotate (make deps installs it)"
fi

ln -s "$I/maillog" "$I/maillog.link"
inst_set "maillog_file = $I/maillog.link"
t_check "a maillog_file that is a symbolic link: refused, nothing moved" \
	bash -c "! '$HATO' -c '$I' logrotate 2>'$T/link.err' && grep -q 'not a regular file' '$T/link.err' && test -L '$I/maillog.link'"
mkdir -m 0777 "$T/open" && : >"$T/open/maillog"
inst_set "maillog_file = $T/open/maillog"
t_check "one in a directory anyone may write: refused, nothing moved" \
	bash -c "! '$HATO' -c '$I' logrotate 2>'$T/open.err' && grep -q 'directory others may change' '$T/open.err' && test -f '$T/open/maillog'"

inst_set "maillog_file ="
t_check "hato logrotate without maillog_file: refused, says syslog" \
	bash -c "! '$HATO' -c '$I' logrotate 2>'$T/syslog.err' && grep -q 'maillog_file is not set' '$T/syslog.err'"
