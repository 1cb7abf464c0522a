#!/usr/bin/env bash
# robust.sh - authd under bad input and failure: malformed requests get
# clean answers and authd keeps serving (tests/authd/malformed.py);
# authd's privileges in /proc (default_internal_user, the one group shadow, no root
# directory change, not dumpable, no_new_privs); kill -9 makes master
# start a new authd that answers; an unreadable passwd-file is a temporary
# failure and "hato check" warns about it.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "authd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
echo "auth      unix  -       n       n       -       1       authd" >>"$I/master.cf"
echo "vc@example.test:{PLAIN}Robust-pass-1:5003:5003::/var/vmail/vc::" >>"$I/users"
inst_set "auth_failure_delay = 300ms" "auth_mechanisms = plain login cram-md5" \
	"passdb = passwd-file:$I/users" "userdb = passwd-file:$I/users" "auth_default_realm = example.test"
t_expect "hato init made users 0640 root:default_internal_user's group" "640 root:hatoauth" stat -c '%a %U:%G' "$I/users"
t_check "instance with authd starts" inst_start
t_check "hato check is quiet about the users file authd can read" \
	bash -c "! '$HATO' -c '$I' check 2>&1 | grep -q 'authd'"
S=$I/queue/private/auth
ac() { python3 "$TOPDIR/tests/authd/authclient.py" "$S" "$@"; }
t_expect "a first login works" "OK 1 user=vc@example.test" bash -c "python3 '$TOPDIR/tests/authd/authclient.py' '$S' plain vc@example.test Robust-pass-1 secured | head -1"
t_expect "auth_default_realm is added to a login without @" "OK 1 user=vc@example.test" bash -c "python3 '$TOPDIR/tests/authd/authclient.py' '$S' plain VC Robust-pass-1 secured | head -1"
# this instance's authd: a child of its master (other instances may run one)
authd_pid() { pgrep -x -P "$(tr -dc 0-9 <"$I/queue/pid/master.pid")" authd; }
pid=$(authd_pid)
t_check "authd runs (pid ${pid:-none})" test -n "$pid"

python3 "$TOPDIR/tests/authd/malformed.py" "$S" vc@example.test Robust-pass-1
t_expect "the same authd served all of it" "$pid" authd_pid
t_check "nothing crashed: no panic or fatal in the log" bash -c "! grep -E 'authd.*(panic|fatal)' '$I/maillog'"

st=/proc/$pid/status
uid=$(id -u hatoauth) gid=$(id -g hatoauth) sgid=$(getent group shadow | cut -d: -f3)
t_expect "/proc: Uid is default_internal_user's (real, effective, saved, fs)" "$uid $uid $uid $uid" \
	bash -c "awk '/^Uid:/ {print \$2, \$3, \$4, \$5}' $st"
t_expect "/proc: Gid is default_internal_user's group" "$gid $gid $gid $gid" bash -c "awk '/^Gid:/ {print \$2, \$3, \$4, \$5}' $st"
t_expect "/proc: the only supplementary group is shadow ($sgid)" "$sgid" bash -c "awk '/^Groups:/ {print \$2 \$3}' $st"
t_expect "/proc: NoNewPrivs" "1" bash -c "awk '/^NoNewPrivs:/ {print \$2}' $st"
t_expect "/proc: no capabilities left" "0000000000000000 0000000000000000" bash -c "awk '/^CapEff:|^CapPrm:/ {printf \"%s \", \$2}' $st | sed 's/ \$//'"
t_expect "/proc: root directory is / (no chroot)" "/" readlink "/proc/$pid/root"
t_expect "not dumpable: its /proc files belong to root, so its own uid cannot ptrace it" "root" stat -c %U "/proc/$pid/environ"
t_check_fail "...reading its memory as its own user fails" runuser -u hatoauth -- cat "/proc/$pid/environ"
t_check "authd can read /etc/shadow through the group" bash -c "awk '/^Groups:/' $st | grep -qw $sgid && test \$(stat -c %G /etc/shadow) = shadow"

kill -9 "$pid"
t_expect "after kill -9 a new connection gets a new authd that answers" "OK 1 user=vc@example.test" \
	bash -c "python3 '$TOPDIR/tests/authd/authclient.py' '$S' plain vc@example.test Robust-pass-1 secured | head -1"
npid=$(authd_pid)
t_check "...a different process ($pid -> ${npid:-none})" test -n "$npid" -a "$npid" != "$pid"

chmod 0600 "$I/users"
t_expect "a passwd-file authd cannot read: temporary failure, at once" \
	"FAIL 1 user=vc@example.test reason=Temporary authentication failure temp" \
	bash -c "python3 '$TOPDIR/tests/authd/authclient.py' '$S' plain vc@example.test Robust-pass-1 secured | head -1"
t_check "...logged with the reason" grep -q "passdb passwd-file:$I/users: $I/users: Permission denied" "$I/maillog"
t_expect_err "...and hato check warns about it" "$I/users: authd (running as hatoauth, group shadow) cannot read it: Permission denied" \
	bash -c "'$HATO' -c '$I' check && false"
chmod 0640 "$I/users"
t_expect "readable again: the login works" "OK 1 user=vc@example.test" \
	bash -c "python3 '$TOPDIR/tests/authd/authclient.py' '$S' plain vc@example.test Robust-pass-1 secured | head -1"
