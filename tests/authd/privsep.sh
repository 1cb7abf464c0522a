#!/usr/bin/env bash
# authd/privsep.sh - only authd can read the password hashes: it runs as
# default_internal_user (hatoauth, made by hato init) with the group
# shadow, the users file is 0640 root:hatoauth, and smtpd (mail_owner, the
# uid and groups every other daemon has, read from /proc) can neither read
# it nor share authd's uid; AUTH through smtpd still works.  Then authd
# without access to /etc/shadow (a private mount namespace hides it) says
# so in the log and answers "temporary failure" for a correct password,
# never "password mismatch".
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "authd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=h15priv PW='Sys-priv-pass-7' VPW='Virt-priv-pass-8'
trap 'kill "${HOLD:-}" 2>/dev/null; userdel -r "$U" >/dev/null 2>&1; inst_cleanup' EXIT
userdel -r "$U" >/dev/null 2>&1
useradd -m -s /usr/sbin/nologin "$U" && echo "$U:$PW" | chpasswd || t_fail "useradd + chpasswd $U"

inst_new
echo "auth      unix  -       n       n       -       1       authd" >>"$I/master.cf"
hash=$(printf '%s\n' "$VPW" | "$B/bin/hato" pw -s SHA512-CRYPT) || t_fail "hato pw"
echo "vpriv@example.test:$hash:5000:5000::/nonexistent::" >>"$I/users"
inst_set "passdb = system, passwd-file:$I/users" "userdb = system, passwd-file:$I/users" \
	"auth_mechanisms = plain login" "disable_plaintext_auth = no" "auth_failure_delay = 0" \
	"first_valid_uid = 1000" "smtpd_sasl_auth_enable = yes"
t_expect "hato init: users is 0640 root:hatoauth" "640 root:hatoauth" stat -c '%a %U:%G' "$I/users"
t_check "instance with smtpd and authd starts" inst_start
t_check "hato check is quiet about the users file" \
	bash -c "! '$HATO' -c '$I' check 2>&1 | grep -q '$I/users'"

auth() { python3 "$TOPDIR/tests/lib/smtp_auth.py" 127.0.0.1 "$SMTP_PORT" PLAIN "$1" "$2" | sed -n 2p | cut -d' ' -f1,2; }
t_expect "AUTH PLAIN through smtpd, a virtual user of the users file: 235" "AUTH 235" auth vpriv@example.test "$VPW"
t_expect "AUTH PLAIN through smtpd, a system user (shadow): 235" "AUTH 235" auth "$U" "$PW"

# a client that keeps one smtpd busy while /proc is read
python3 -c "import socket,sys,time; s=socket.create_connection(('127.0.0.1',$SMTP_PORT)); s.recv(512); time.sleep(30)" &
HOLD=$!
smtpd_pid() { inst_pids smtpd | head -1; }
inst_wait smtpd_pid >/dev/null
spid=$(smtpd_pid) apid=$(inst_pids authd | head -1)
t_check "an smtpd (${spid:-none}) and authd (${apid:-none}) run" test -n "$spid" -a -n "$apid"

# ids PID - "UID GID GROUPS" (groups comma-separated, "-" for none) from /proc
ids() {
	awk '/^Uid:/ {u=$3} /^Gid:/ {g=$3} /^Groups:/ {s=""; for (i=2;i<=NF;i++) s=s (s?",":"") $i}
	     END {print u, g, (s ? s : "-")}' "/proc/$1/status"
}
# reads_as "UID GID GROUPS" FILE - can those ids open FILE?
reads_as() {
	local u g s file=$2 groups; read -r u g s <<<"$1"
	if [ "$s" = - ]; then groups=--clear-groups; else groups=--groups=$s; fi
	setpriv --reuid="$u" --regid="$g" "$groups" -- cat "$file" >/dev/null 2>&1
}
sids=$(ids "$spid") aids=$(ids "$apid")
reads_as_file() { reads_as "$1" "$I/users"; }
t_check_fail "smtpd's ids ($sids) cannot read the users file" reads_as_file "$sids"
t_check "authd's ids ($aids) can read it" reads_as_file "$aids"
t_check "authd's uid (${aids%% *}) is not smtpd's (${sids%% *})" test "${aids%% *}" != "${sids%% *}"
t_check "authd's uid is default_internal_user's" test "${aids%% *}" = "$(id -u hatoauth)"
t_check_fail "smtpd's uid cannot signal authd" setpriv --reuid="${sids%% *}" --regid="$(cut -d' ' -f2 <<<"$sids")" \
	--clear-groups -- kill -0 "$apid"
kill "$HOLD" 2>/dev/null; HOLD=

# --- authd without /etc/shadow ----------------------------------------------
inst_stop
wait_gone
: >"$T/noshadow" && chmod 000 "$T/noshadow"
t_check "the instance starts again where /etc/shadow cannot be read" \
	unshare -m --propagation private bash -c "mount --bind '$T/noshadow' /etc/shadow && exec '$HATO' -c '$I' start"
S=$I/queue/private/auth
ac() { python3 "$TOPDIR/tests/authd/authclient.py" "$S" plain "$U" "$1" secured | head -1; }
inst_wait test -S "$S"
t_expect "the correct password of a system user: temporary failure" \
	"FAIL 1 user=$U reason=Temporary authentication failure temp" ac "$PW"
t_check "...logged as: cannot read /etc/shadow" \
	grep -q "authd\[[0-9]*\]: warning: passdb system: cannot read /etc/shadow: Permission denied" "$I/maillog"
t_check "...never as a password mismatch" bash -c "! grep -q 'password mismatch' '$I/maillog'"
t_expect "a virtual user still logs in" "OK 1 user=vpriv@example.test" \
	bash -c "python3 '$TOPDIR/tests/authd/authclient.py' '$S' plain vpriv@example.test '$VPW' secured | head -1"

# --- hato check: the users file's owner and mode -------------------------------
chgrp hato "$I/users"
t_expect_err "hato check: users readable by mail_owner's group is a warning" \
	"$I/users: owner root (uid 0), group hato, mode 640: every hato daemon (mail_owner hato) can read the password hashes" \
	bash -c "'$HATO' -c '$I' check && false"
chgrp hatoauth "$I/users"; chmod 0644 "$I/users"
t_expect_err "hato check: a world-readable users file is a warning" \
	"$I/users: mode 644: every local user can read the password hashes" \
	bash -c "'$HATO' -c '$I' check && false"
chmod 0640 "$I/users"
