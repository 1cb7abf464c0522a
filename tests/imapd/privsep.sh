#!/usr/bin/env bash
# privsep.sh - who runs what for IMAP: the pre-login process (imapd) is
# default_login_user with no other groups, no capabilities, chrooted
# into queue_directory/login (read from /proc/PID/status), also over
# imaps; after LOGIN the session is imapmail's with exactly the user's
# uid and gid; a handoff to login/imap from anyone but default_login_user,
# or with a forged token, gets nothing.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imapd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hlimap9 PW=Imap-pass-9
t_check "an instance with imapd starts" imap_instance $U $PW
t_check "one message delivered" pop3_send 1

# status FIELD PID - a line of /proc/PID/status, fields after the name
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$2/status" | tr -s ' \t' ' ' | sed 's/ $//'; }
# serving PORT - the pid of the imapd holding a connection on PORT
serving() { ss -Htnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
nullid=$(id -u hatonull) nullgid=$(id -g hatonull)

exec 3<>/dev/tcp/127.0.0.1/$IMAP_PORT
read -r greeting <&3
t_check "the greeting came" test -n "$greeting"
login_pid=$(serving $IMAP_PORT)
t_check "the imapd serving it is found" test -n "$login_pid"
t_expect "pre-login: imapd's uids are default_login_user's" "$nullid $nullid $nullid $nullid" status Uid "$login_pid"
t_expect "...its gids too" "$nullgid $nullgid $nullgid $nullgid" status Gid "$login_pid"
t_expect "...and it has no other group" "$nullgid" status Groups "$login_pid"
t_expect "...and no capabilities" "0000000000000000" status CapEff "$login_pid"
t_expect "...chrooted into queue_directory/login" "$I/queue/login" readlink "/proc/$login_pid/root"
printf 'a LOGIN %s %s\r\n' $U "$PW" >&3
read -r ok <&3
t_check "logged in (imapmail's tagged OK)" bash -c "[[ '$ok' == 'a OK [CAPABILITY '* ]]"
mail_pid=$(serving $IMAP_PORT)
uid=$(id -u $U) gid=$(id -g $U)
t_check "the session is now another process's" test -n "$mail_pid" -a "$mail_pid" != "$login_pid"
t_expect "post-login: its uids are the user's" "$uid $uid $uid $uid" status Uid "$mail_pid"
t_expect "...its gids too" "$gid $gid $gid $gid" status Gid "$mail_pid"
printf 'b LOGOUT\r\n' >&3
exec 3<&-

# imaps: the TLS end stays in the login process
python3 - 127.0.0.1 $IMAPS_PORT <<'PY' >"$T/tls.out" 2>&1 &
import socket, ssl, sys, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10), server_hostname="x")
print(s.recv(1000).decode().strip(), flush=True)
time.sleep(3)
PY
inst_wait test -s "$T/tls.out"	# the TLS greeting came: the session is up
tls_pid=$(serving $IMAPS_PORT)
t_expect "imaps pre-login: the same uid" "$nullid $nullid $nullid $nullid" status Uid "$tls_pid"
t_expect "...and the same root" "$I/queue/login" readlink "/proc/$tls_pid/root"
wait

# the handoff socket: root (or anyone not default_login_user) is refused
cat >"$T/forge.py" <<'PY'
import array, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
a, b = socket.socketpair()
try:
    s.sendmsg([b"F"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [a.fileno()]))])
    s.sendall(b"protocol\0imap\0token\0" + b"ab" * 32 + b"\0rip\x00127.0.0.1\0lip\x00127.0.0.1\0lport\x000\0secured\x000\0tag\0t1\0input\0\0\0")
except OSError:
    pass		# refused before the handoff was read: the client got nothing
a.close()
b.settimeout(5)
try:
    print("got", b.recv(200))
except socket.timeout:
    print("got timeout")
PY
python3 "$T/forge.py" "$I/queue/login/imap" >"$T/forge.out" 2>&1
t_check "a handoff from root (not default_login_user) gets nothing" grep -qx "got b''" "$T/forge.out"
t_check "...and is logged" grep -q "login/imap: a connection from uid 0, not default_login_user" "$I/maillog"
runuser -u hatonull -- python3 "$T/forge.py" "$I/queue/login/imap" >"$T/forge2.out" 2>&1
t_check "a forged token from the login user's uid gets a tagged NO" grep -q "got b't1 NO " "$T/forge2.out"

# mail_process_min_avail (1): an imapmail is started before any login
# and waits, as root, for a handoff; a login takes it and another waits
spares() { inst_pids imapmail | while read -r p; do [ "$(status Uid "$p" | cut -d' ' -f1)" = 0 ] && echo "$p"; done; }
export -f status
# spare_other PID - a spare other than PID waits
spare_other() { spares | grep -qvx "$1"; }
t_check "a spare imapmail waits for the next login (mail_process_min_avail)" inst_wait spare_other none
spare=$(spares | head -1)
exec 5<>/dev/tcp/127.0.0.1/$IMAP_PORT
read -r _ <&5
printf 'a LOGIN %s %s\r\n' "$U" "$PW" >&5
read -r reply <&5
t_expect "...a login is served by it (now as the user)" "$(id -u $U)" bash -c "status Uid $spare | cut -d' ' -f1"
t_check "...and another spare is started" inst_wait spare_other "$spare"
exec 5<&-
