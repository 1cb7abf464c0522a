#!/usr/bin/env bash
# local/helper.sh - the kept Maildir delivery helper (deliver_helper.h):
# messages for one user in a row are written by one helper process (the
# one process the test user runs, the same after each message) that runs
# as that user, uid and gid,
# real and effective, and is a child of local; a message for another user
# replaces it; a helper killed between messages is replaced and nothing is
# deferred or lost; a home changed with usermod -d is used a second later.
# local runs with maxproc 1 so that one process (and
# so one helper) sees every message.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "helper tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U1=hlhelp1 U2=hlhelp2
# the homes by name too: a test below moves $U1's home with usermod -d
drop_users() {
	for u in $U1 $U2; do
		for _ in $(seq 30); do pgrep -u "$u" >/dev/null 2>&1 || break; sleep 0.1; done
		userdel -r "$u" 2>/dev/null; rm -rf "/home/$u"
	done
}
drop_users
trap 'inst_cleanup; drop_users' EXIT
for u in $U1 $U2; do useradd -m -d "/home/$u" -s /bin/sh "$u"; done
H1=$(getent passwd $U1 | cut -d: -f6) H2=$(getent passwd $U2 | cut -d: -f6)

inst_new
inst_set "home_mailbox = Maildir/" "local_recipient_maps =" "max_idle = 60s"
cat >>"$I/master.cf" <<MCF
qmgr      fifo  n       -       n       1       1       qmgr
local     unix  -       n       n       -       1       local
MCF
t_check "instance with qmgr and local (maxproc 1) starts" inst_start

files() { ls "$1/Maildir/new" 2>/dev/null | wc -l; }
# writer USER - the process USER runs: its helper (the users are the test's own)
# (a helper just killed may linger as a zombie until local reaps it: not it)
writer() { ps -o pid=,stat= -u "$1" | awk '$2 !~ /^Z/ { print $1 }'; }
# deliver HOME N SUBJECT TO - send one, wait until HOME has N files
at_least() { [ "$(files "$1")" -ge "$2" ]; }	# counted again at every try
deliver() { inst_send sender@example.org "$4" "$3" >/dev/null; inst_wait at_least "$1" "$2"; }

seen=
for n in 1 2 3; do deliver "$H1" $n "row $n" $U1@example.test; seen="$seen $(writer $U1)"; done
t_expect "3 messages for $U1 in a row are all in ~/Maildir/new" 3 files "$H1"
t_expect "...written by one process (the same one after each)" 1 bash -c "echo $seen | tr ' ' '\n' | sort -u | wc -l"
p1=$(writer $U1)
t_expect "...which is still there, as $U1 (uid real, effective, saved, fs)" \
	"$(id -u $U1) $(id -u $U1) $(id -u $U1) $(id -u $U1)" bash -c "awk '/^Uid:/ {print \$2, \$3, \$4, \$5}' /proc/$p1/status"
t_expect "...with $U1's group, real and effective, as its only group" \
	"$(id -g $U1) $(id -g $U1) groups: $(id -g $U1)" \
	bash -c "awk '/^Gid:/ {g = \$2 \" \" \$3} /^Groups:/ {s = \$2; for (i = 3; i <= NF; i++) s = s \" \" \$i} END {print g, \"groups:\", s}' /proc/$p1/status"
t_expect "...a child of local" local bash -c "ps -o comm= -p \$(ps -o ppid= -p $p1)"

deliver "$H2" 1 "other user" $U2@example.test
p2=$(writer $U2)
t_check "a message for $U2 is delivered by another process" test -n "$p2" -a "$p2" != "$p1"
t_check "...and $U1's helper is gone" inst_wait test ! -e /proc/$p1
t_expect "...the file is $U2's" "$U2" bash -c "stat -c %U '$H2'/Maildir/new/*"

kill -9 "$p2"
deliver "$H2" 2 "after kill" $U2@example.test
t_expect "a helper killed between messages: the next one is delivered at once" 2 files "$H2"
p3=$(writer $U2)
t_check "...by a new helper" test -n "$p3" -a "$p3" != "$p2"
t_check "...nothing deferred" bash -c "! grep -q 'status=deferred' '$I/maillog'"
t_expect "5 messages sent, 5 delivered" 5 bash -c "grep -c 'status=sent (delivered to maildir)' '$I/maillog'"

# the passwd entry is remembered for a second (pwcache.h), not longer:
# a new home made with usermod -d is used by the next delivery after that
H1b=$T/newhome1
install -d -o $U1 -g $U1 -m 700 "$H1b"
usermod -d "$H1b" $U1
sleep 1.2
deliver "$H1b" 1 "moved home" $U1@example.test
t_expect "after usermod -d and 1.2 s, the next message goes to the new home" 1 files "$H1b"
t_expect "...and not to the old one" 3 files "$H1"
