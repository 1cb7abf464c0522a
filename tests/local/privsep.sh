#!/usr/bin/env bash
# local/privsep.sh - what a delivery child running as the recipient can
# reach.  (1) A command alias runs as default_privs: while it sleeps, the
# process that waits for it (running as that user) may hold only 0-2, its
# result pipe, the command's output pipe, the queue file and master's log
# sink (it logs warnings; not dumpable, so the user cannot reach it): none
# of local's sockets (the listener, the qmgr connection), master's pipes,
# a table or a memfd; the command itself not even the log sink.  (2) A Maildir in a
# root-owned mail_spool_directory (mode 0755, "/" at the end, home_mailbox
# empty) belongs to the recipient, who can read the message.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "local privsep tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U1=h15ps1
drop_users() { userdel -r "$U1" >/dev/null 2>&1; }
drop_users
trap 'drop_users; inst_cleanup' EXIT
useradd -m -s /bin/sh "$U1"

inst_new
mkdir -m 1777 "$T/out"
cat >"$I/aliases" <<ALIASES
h15cmd: "|echo \$PPID >$T/out/ppid.tmp; ls -l /proc/\$\$/fd >$T/out/cmdfds; mv $T/out/ppid.tmp $T/out/ppid; sleep 3"
ALIASES
"$B/bin/postalias" "$I/aliases"
inst_set "home_mailbox = Maildir/" "local_recipient_maps =" "alias_maps = hash:$I/aliases" \
	"default_privs = nobody" "command_time_limit = 20s" "queue_run_delay = 1s" \
	"minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
cat >>"$I/master.cf" <<MCF
qmgr      fifo  n       -       n       1       1       qmgr
local     unix  -       n       n       -       -       local
MCF
t_check "instance with qmgr and local starts" inst_start
wait_for() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }
logged() { grep -q -- "$1" "$I/maillog"; }

# --- descriptors of the processes that run as the recipient -------------------------
id=$(inst_send sender@example.org h15cmd@example.test fds "body")
t_check "the command runs" wait_for test -s "$T/out/ppid"
ppid=$(cat "$T/out/ppid")
ls -l "/proc/$ppid/fd/" >"$T/parentfds" 2>&1
t_expect "the command's parent runs as default_privs (nobody)" nobody ps -o user= -p "$ppid"
t_check "...and holds no socket but master's log sink (fd 40), no memfd, table or queue directory FIFO" \
	bash -c "! grep -E 'socket:|memfd:|lmdb|/public/|/private/' '$T/parentfds' | grep -v ' 40 -> socket:'"
t_check "...the log sink, not the maillog file (master writes it)" \
	bash -c "grep -q ' 40 -> socket:' '$T/parentfds' && ! grep -q maillog '$T/parentfds'"
t_expect "...only 0-2, its result pipe, the command's output pipe, the queue file and the log sink" "7" \
	bash -c "grep -c ' -> ' '$T/parentfds'"
# the queue file it reads the message from is open read-only (O_ACCMODE 0)
qfds() { for f in /proc/$ppid/fd/*; do case $(readlink "$f") in "$I"/queue/active/*) echo "${f##*/}" ;; esac; done; }
rw_qfds() { for n in $(qfds); do awk '/^flags:/ { if (substr($2, length($2)) != "0") print "rw" }' "/proc/$ppid/fdinfo/$n"; done; }
t_check "...holds the queue file" test -n "$(qfds)"
t_expect "...read-only: a user's process cannot change the queue file" "" rw_qfds
t_expect "...and is not dumpable (its /proc files belong to root)" root stat -c %U "/proc/$ppid/fd"
t_check "the command itself holds only pipes and its output file (none of local's)" \
	bash -c "! grep -E 'socket:|memfd:|maillog|/queue/|lmdb' '$T/out/cmdfds'"
t_check "the command delivery is reported" \
	wait_for logged "$id: to=<h15cmd@example.test>, relay=local, .*status=sent (delivered to command"
sed "s/^/#   /" "$T/parentfds" "$T/out/cmdfds"; cat "$I/aliases" | sed "s/^/#   /"

# --- a Maildir in a root-owned mail_spool_directory --------------------------------------
inst_stop
mkdir -m 0755 "$T/spool"
inst_set "home_mailbox =" "mail_spool_directory = $T/spool/"
t_check "restarted with home_mailbox empty, mail_spool_directory = $T/spool/ (root, 0755)" inst_start
id=$(inst_send sender@example.org "$U1@example.test" spool-maildir "hello spool")
t_check "spool Maildir: delivered to maildir" \
	wait_for logged "$id: to=<$U1@example.test>, relay=local, .*status=sent (delivered to maildir)"
t_expect "...$T/spool/$U1 and its tmp, new, cur belong to $U1" "$U1 $U1 $U1 $U1" \
	bash -c "stat -c %U '$T/spool/$U1' '$T/spool/$U1/tmp' '$T/spool/$U1/new' '$T/spool/$U1/cur' | tr '\n' ' ' | sed 's/ \$//'"
t_expect "...and the message file too" "$U1" bash -c "stat -c %U '$T/spool/$U1'/new/*"
t_check "...which $U1 can read" runuser -u "$U1" -- bash -c "grep -q 'hello spool' '$T/spool/$U1'/new/*"
id=$(inst_send sender@example.org "$U1@example.test" spool-maildir-2 "hello again")
t_check "a second message goes to the same Maildir" \
	wait_for logged "$id: to=<$U1@example.test>, relay=local, .*status=sent (delivered to maildir)"
chown root: "$T/spool/$U1"
id=$(inst_send sender@example.org "$U1@example.test" spool-maildir-3 "not for root")
t_check "a spool Maildir that is not the user's defers" \
	wait_for logged "$id: to=<$U1@example.test>, relay=local, .*status=deferred"
inst_stop
rm -rf "${T:?}/spool/$U1"
ln -s "$T/out" "$T/spool/$U1"
inst_start
id=$(inst_send sender@example.org "$U1@example.test" spool-maildir-4 "not via a link")
t_check "a symlink in place of the spool Maildir defers, and is not followed" \
	wait_for logged "$id: to=<$U1@example.test>, relay=local, .*status=deferred"
t_check "...nothing was made where it points" test ! -e "$T/out/new"
inst_stop
