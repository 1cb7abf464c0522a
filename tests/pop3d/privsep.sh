#!/usr/bin/env bash
# privsep.sh - who runs what: the pre-login process (pop3d) is
# default_login_user with no other groups, chrooted into
# queue_directory/login; the post-login process (pop3mail) has exactly
# the user's uid, gid and groups (read from /proc/PID/status) and can
# reach nothing of another user's; a connection to login/pop3 from
# anyone but the login user, and a forged token, get nothing.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pop3 tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/pop3.sh"

U=hlpop2 PW=Pop-pass-2 OTHER=hlpop2b
t_check "an instance with pop3d starts" pop3_instance $U $PW
groupadd -f hlpopgrp && usermod -a -G hlpopgrp $U
inst_user $OTHER
install -d -o $OTHER -m 700 "$INST_HOME/Maildir" "$INST_HOME/Maildir/cur" "$INST_HOME/Maildir/new" "$INST_HOME/Maildir/tmp"
echo "Subject: secret of $OTHER" >"$INST_HOME/Maildir/cur/1.secret:2,"
chown $OTHER "$INST_HOME/Maildir/cur/1.secret:2,"
OTHER_FILE=$INST_HOME/Maildir/cur/1.secret:2,
INST_HOME=$(getent passwd $U | cut -d: -f6)
t_check "one message delivered" pop3_send 1
# a link in the user's cur/ to the other user's message: never read
ln -s "$OTHER_FILE" "$INST_HOME/Maildir/cur/2.link:2,"

# status FIELD PID - a line of /proc/PID/status, fields after the name
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$2/status" | tr -s ' \t' ' ' | sed 's/ $//'; }

# a session held open (pre-login), then the same logged in
exec 3<>/dev/tcp/127.0.0.1/$POP3_PORT
read -r greeting <&3
t_check "the greeting came" test -n "$greeting"
login_pid=$(for p in $(inst_pids pop3d); do ls -l /proc/$p/fd 2>/dev/null | grep -q socket && echo $p; done | head -1)
nullid=$(id -u hatonull) nullgid=$(id -g hatonull)
t_expect "pre-login: pop3d's uids are default_login_user's" "$nullid $nullid $nullid $nullid" status Uid "$login_pid"
t_expect "...its gids too" "$nullgid $nullgid $nullgid $nullgid" status Gid "$login_pid"
t_expect "...and it has no other group" "$nullgid" status Groups "$login_pid"
t_expect "...chrooted into queue_directory/login" "$I/queue/login" readlink "/proc/$login_pid/root"
printf 'USER %s\r\nPASS %s\r\n' $U "$PW" >&3
read -r ok <&3	# USER's +OK
read -r ok <&3
starts() { [[ "$1" == "$2"* ]]; }
t_check "logged in" starts "$ok" "+OK Logged in."
mail_pid=$(inst_pids pop3mail | head -1)
uid=$(id -u $U) gid=$(id -g $U)
t_expect "post-login: pop3mail's uids are the user's" "$uid $uid $uid $uid" status Uid "$mail_pid"
t_expect "...its gids too" "$gid $gid $gid $gid" status Gid "$mail_pid"
t_expect "...its groups are the user's (its own and hlpopgrp)" "$(id -G $U | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	bash -c "status() { sed -n \"s/^\$1:[[:space:]]*//p\" /proc/\$2/status | tr -s ' \t' ' ' | sed 's/ \$//'; }; status Groups $mail_pid | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ \$//'"
t_expect "...and its capabilities are none" "0000000000000000" status CapEff "$mail_pid"
printf 'STAT\r\n' >&3
read -r stat <&3
t_check "STAT counts the delivered message, not the link to another user's (got: $stat)" starts "$stat" "+OK 1 "
printf 'RETR 2\r\nQUIT\r\n' >&3
read -r retr2 <&3
t_check "RETR 2 does not exist (the link was never listed)" starts "$retr2" "-ERR "
exec 3<&-
t_check "the other user's file is untouched" test -f "$OTHER_FILE"

# the handoff socket: root (or anyone not default_login_user) is refused
python3 - "$I/queue/login/pop3" <<'PY' >"$T/forge.out" 2>&1
import array, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
# a pipe, not a socketpair: an AF_UNIX socket in flight is freed by the
# kernel's deferred garbage collector, so its EOF could come late
import os, select
r, w = os.pipe()
try:
    s.sendmsg([b"F"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [w]))])
    s.sendall(b"protocol\0pop3\0token\0" + b"ab" * 32 + b"\0rip\x00127.0.0.1\0lip\x00127.0.0.1\0lport\x000\0secured\x000\0tag\0\0input\0\0\0")
except OSError:
    pass		# refused before the handoff was read: the client got nothing
os.close(w)
ready = select.select([r], [], [], 10)[0]
print("got", os.read(r, 100) if ready else "nothing within 10 s")
PY
t_check "a handoff from root (not default_login_user) gets nothing" grep -qx "got b''" "$T/forge.out"
t_check "...and is logged" grep -q "login/pop3: a connection from uid 0, not default_login_user" "$I/maillog"
runuser -u hatonull -- python3 - "$I/queue/login/pop3" <<'PY' >"$T/forge2.out" 2>&1
import array, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
a, b = socket.socketpair()
s.sendmsg([b"F"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [a.fileno()]))])
s.sendall(b"protocol\0pop3\0token\0" + b"ab" * 32 + b"\0rip\x00127.0.0.1\0lip\x00127.0.0.1\0lport\x000\0secured\x000\0tag\0\0input\0\0\0")
b.settimeout(5)
print("got", b.recv(200))
PY
t_check "a forged token from the login user's uid gets an internal login failure" grep -q "got b'-ERR \[SYS/TEMP\] Internal login failure" "$T/forge2.out"
t_check "...logged as a token authd did not accept" grep -q "the login token was not accepted" "$I/maillog"
groupdel hlpopgrp 2>/dev/null
