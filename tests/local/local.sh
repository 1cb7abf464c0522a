#!/usr/bin/env bash
# local/local.sh - the local delivery agent end to end (swaks -> smtpd ->
# cleanup -> qmgr -> local) for system users made with useradd: Maildir
# delivery read back with Python's mailbox.Maildir (owner, mode 0600,
# Return-Path/Delivered-To, the body), user+tag, aliases (an address, a
# file and a command as default_privs, a sysexits code, a loop), a
# .forward to two addresses (a new queued message), a group-writable
# .forward ignored with a warning, a missing home directory deferred, a
# message over mailbox_size_limit bounced, a symlinked Maildir/new not
# followed, a full file system deferred and then delivered, an unknown
# user bounced, one request with three outcomes spoken directly in qmgr's
# protocol; then mbox delivery into mail_spool_directory and into
# ~/Mailbox, read back with mailbox.mbox.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "local tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U1=hltest1 U2=hltest2 U3=hltest3 U4=hltest4 U5=hltest5
FIND="python3 $TOPDIR/tests/local/mailbox_find.py"
drop_users() { for u in $U1 $U2 $U3 $U4 $U5; do userdel -r "$u" >/dev/null 2>&1; done; }
drop_users
trap 'umount "$T/full" 2>/dev/null; drop_users; inst_cleanup' EXIT
for u in $U1 $U2 $U4; do useradd -m -s /bin/sh "$u"; done
useradd -M -d "/nonexistent/$U3" -s /bin/sh "$U3"
useradd -M -d "$T/full" -s /bin/sh "$U5"
H1=$(getent passwd $U1 | cut -d: -f6) H2=$(getent passwd $U2 | cut -d: -f6) H4=$(getent passwd $U4 | cut -d: -f6)

inst_new
mkdir -m 1777 "$T/out"
cat >"$I/aliases" <<EOF
hlalias: $U1
hlfile: $T/out/file.mbox
hlcmd: "|id -un >$T/out/cmd.who; cat >$T/out/cmd.msg"
hltemp: "|exit 75"
hlslow: "|sleep 61.5"
hlnouser: "|exit 67"
hlloopa: hlloopb
hlloopb: hlloopa
hlinc: :include:$T/out/list
hlbad: joe smith
EOF
printf '%s\n' "$U1" >"$T/out/list"
"$B/bin/postalias" "$I/aliases"
inst_set "home_mailbox = Maildir/" "recipient_delimiter = +" "local_recipient_maps =" \
	"alias_maps = hash:$I/aliases" "default_privs = nobody" "mailbox_size_limit = 30000" \
	"command_time_limit = 2s" "queue_run_delay = 1s" "minimal_backoff_time = 1s" \
	"maximal_backoff_time = 2s"
# qmgr retries deferred mail on master's wakeups: one a second here
cat >>"$I/master.cf" <<MCF
qmgr      fifo  n       -       n       1       1       qmgr
local     unix  -       n       n       -       -       local
MCF
t_check "instance with qmgr and local starts" inst_start

# send FROM TO SUBJECT [BODY] - the queue ID
send() { inst_send "$1" "$2" "$3" "${4:-body of $3}"; }
wait_for() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }
wait_long() { for _ in $(seq 600); do "$@" && return 0; sleep 0.1; done; return 1; }	# a qmgr retry
logged() { grep -q -- "$1" "$I/maillog"; }
# json FILE-OR-JSON EXPR - evaluate a Python expression over the JSON object j
json() { python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if ($2) else 1)" "$1"; }

# --- a plain delivery into ~/Maildir/new ----------------------------------------------
id=$(send sender@example.org $U1@example.test plain "hello $U1")
t_check "a message for $U1 is queued" test -n "$id"
t_check "local logs Postfix's line: to=<$U1@example.test>, relay=local, delay, delays, dsn=2.0.0, status=sent (delivered to maildir)" \
	wait_for grep -qE "$id: to=<$U1@example.test>, relay=local, delay=[0-9.]+, delays=[0-9.]+/0/0/[0-9.]+, dsn=2.0.0, status=sent \(delivered to maildir\)" "$I/maillog"
t_check "...and qmgr removes the message" wait_for logged "$id: removed"
got=$($FIND maildir "$H1/Maildir" plain)
t_check "Python's mailbox.Maildir finds it" test -n "$got"
file=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['file'])" "$got" 2>/dev/null)
t_expect "...in Maildir/new/, owned by $U1, mode 0600" "$U1 600 new" \
	bash -c "stat -c '%U %a' '$file' | tr '\n' ' '; basename \$(dirname '$file')"
t_check "...named SEC.M<usec>Q<queue id>R<hash>.<host>,S=<size>,W=<vsize> with the real size (once per recipient: tests/local/once.sh; W=: tests/local/quota.sh)" \
	bash -c "n=\$(basename '$file'); [[ \$n =~ ^[0-9]+\.M[0-9]+Q${id}R[0-9a-f]{16}\.[^,]+,S=([0-9]+),W=[0-9]+\$ ]] && [ \${BASH_REMATCH[1]} = \$(stat -c %s '$file') ]"
t_check "...the body is the one sent" json "$got" "j['body'].strip() == 'hello $U1'"
t_check "...Return-Path: <sender@example.org> and Delivered-To: $U1@example.test on top" \
	json "$got" "j['return_path'] == '<sender@example.org>' and j['delivered_to'] == ['$U1@example.test']"
t_check "...and tmp/ is empty" test -z "$(ls -A "$H1/Maildir/tmp")"
t_expect "Maildir/{tmp,new,cur} were made 0700, owned by $U1" "700 $U1 700 $U1 700 $U1" \
	bash -c "stat -c '%a %U' '$H1/Maildir/tmp' '$H1/Maildir/new' '$H1/Maildir/cur' | tr '\n' ' ' | sed 's/ \$//'"

# --- user+tag -----------------------------------------------------------------------------
id=$(send sender@example.org "$U1+tag@example.test" tagged)
t_check "user+tag: delivered to the user's Maildir" wait_for logged "$id: to=<$U1+tag@example.test>, relay=local, .*status=sent (delivered to maildir)"
t_check "...with Delivered-To: $U1+tag@example.test" \
	json "$($FIND maildir "$H1/Maildir" tagged)" "j['delivered_to'] == ['$U1+tag@example.test']"

# --- aliases ------------------------------------------------------------------------------
id=$(send sender@example.org hlalias@example.test via-alias)
fwd=$(wait_for logged "$id: to=<$U1@mx.example.test>, orig_to=<hlalias@example.test>, relay=local" &&
	sed -n "s/.*$id: to=<$U1@mx.example.test>, orig_to=<hlalias@example.test>, relay=local, .*status=sent (forwarded as \([0-9A-Za-z]*\)).*/\1/p" "$I/maillog")
t_check "alias to a user: resubmitted as a new message (forwarded as ID)" test -n "$fwd"
t_check "...which reaches $U1's Maildir" wait_for logged "$fwd: to=<$U1@mx.example.test>, relay=local, .*status=sent (delivered to maildir)"
t_check "...with Delivered-To: of both steps, newest first" \
	json "$($FIND maildir "$H1/Maildir" via-alias)" "j['delivered_to'] == ['$U1@mx.example.test', 'hlalias@example.test']"

id=$(send sender@example.org hlfile@example.test to-file)
t_check "alias to a file: delivered to file" wait_for logged "$id: to=<hlfile@example.test>, relay=local, .*status=sent (delivered to file: $T/out/file.mbox)"
t_expect "...created by default_privs (nobody), mode 0600" "nobody 600" stat -c '%U %a' "$T/out/file.mbox"
t_check "...in mbox format (mailbox.mbox reads it, From_ line first)" \
	json "$($FIND mbox "$T/out/file.mbox" to-file)" "j['from_line'].startswith('sender@example.org ') and j['body'].strip() == 'body of to-file'"

id=$(send sender@example.org hlcmd@example.test to-command)
t_check "alias to a command: delivered to command" wait_for logged "$id: to=<hlcmd@example.test>, relay=local, .*status=sent (delivered to command: id -un"
t_expect "...run as default_privs" "nobody" cat "$T/out/cmd.who"
t_check "...with the message on stdin, From_ line, Return-Path and Delivered-To first" \
	bash -c "head -1 '$T/out/cmd.msg' | grep -q '^From sender@example.org ' && grep -q '^Delivered-To: hlcmd@example.test' '$T/out/cmd.msg' && grep -q '^Subject: to-command' '$T/out/cmd.msg'"

id=$(send sender@example.org hltemp@example.test tempfail)
t_check "a command exiting 75 (EX_TEMPFAIL) defers" wait_for logged "$id: to=<hltemp@example.test>, relay=local, .*dsn=4.3.0, status=deferred (Command died with status 75"
id=$(send sender@example.org hlnouser@example.test nouser)
t_check "a command exiting 67 (EX_NOUSER) bounces 5.1.1" wait_for logged "$id: to=<hlnouser@example.test>, relay=local, .*dsn=5.1.1, status=bounced (Command died with status 67"

id=$(send sender@example.org hlslow@example.test slow)
t_check "a command past command_time_limit is killed and bounces 5.3.0" \
	wait_for logged "$id: to=<hlslow@example.test>, relay=local, .*dsn=5.3.0, status=bounced (Command time limit exceeded: \"sleep 61.5\")"
t_check "...and no sleep is left running (61.5 s: no other process on the machine sleeps exactly that)" bash -c "! pgrep -x -f 'sleep 61.5' >/dev/null"

id=$(send sender@example.org hlinc@example.test included)
t_check ":include: file: its address is forwarded" wait_for logged "$id: to=<$U1@mx.example.test>, orig_to=<hlinc@example.test>, relay=local, .*status=sent (forwarded as"

id=$(send sender@example.org hlbad@example.test bad-item)
t_check "an alias item that is no address bounces 5.1.3 (and is not passed on)" \
	wait_for logged "$id: to=<hlbad@example.test>, relay=local, .*dsn=5.1.3, status=bounced (bad address syntax in alias: \"joe smith\")"

id=$(send sender@example.org hlloopa@example.test loop)
t_check "an alias loop ends in a bounce: mail forwarding loop (5.4.6)" \
	wait_for logged "relay=local, .*dsn=5.4.6, status=bounced (mail forwarding loop for hlloop"

# --- .forward ----------------------------------------------------------------------------
printf '%s@example.test\n' "$U1" >"$H2/.forward"
chown $U2: "$H2/.forward"
chmod 664 "$H2/.forward"
id=$(send sender@example.org $U2@example.test gw-forward)
t_check "a group-writable .forward is ignored with a warning" \
	wait_for logged "warning: $id: $U2: ignoring $H2/.forward: group writable"
t_check "...and the mail goes to the mailbox" wait_for logged "$id: to=<$U2@example.test>, relay=local, .*status=sent (delivered to maildir)"

printf '# forward to two, and a command\n%s@example.test, someone@example.net\n"|id -un >%s"\n' \
	"$U1" "$T/out/fwd.who" >"$H2/.forward"
chmod 644 "$H2/.forward"
id=$(send sender@example.org $U2@example.test two-forward)
fwd=$(wait_for logged "$id: to=<someone@example.net>, orig_to=<$U2@example.test>, relay=local" &&
	sed -n "s/.*$id: to=<someone@example.net>, orig_to=<$U2@example.test>, relay=local, .*status=sent (forwarded as \([0-9A-Za-z]*\)).*/\1/p" "$I/maillog")
t_check ".forward to two addresses: both forwarded as one new message" \
	bash -c "[ -n '$fwd' ] && grep -q '$id: to=<$U1@example.test>, orig_to=<$U2@example.test>, relay=local, .*(forwarded as $fwd)' '$I/maillog'"
t_check "...which qmgr queues with the original sender and 2 recipients" \
	wait_for logged "$fwd: from=<sender@example.org>, size=[0-9]*, nrcpt=2 (queue active)"
t_check "...$U1 gets it, Delivered-To: $U2@example.test inside" \
	bash -c "wait_for() { for _ in \$(seq 100); do \"\$@\" && return 0; sleep 0.1; done; return 1; }
		wait_for $FIND maildir '$H1/Maildir' two-forward >/dev/null &&
		$FIND maildir '$H1/Maildir' two-forward | grep -q '\"$U2@example.test\"'"
t_check "...and the remote one waits in the queue (no smtp transport here)" \
	wait_for test -f "$I/queue/deferred/$fwd"
t_expect "a command in a .forward runs as the user" "$U2" cat "$T/out/fwd.who"
rm -f "$H2/.forward"

# --- failures -----------------------------------------------------------------------------
id=$(send sender@example.org $U3@example.test no-home)
t_check "a missing home directory defers: 4.2.0 cannot access home directory" \
	wait_for logged "$id: to=<$U3@example.test>, relay=local, .*dsn=4.2.0, status=deferred (cannot access home directory /nonexistent/$U3: No such file or directory)"
t_check "...with a warning naming the user" logged "warning: $id: $U3: cannot access home directory /nonexistent/$U3"
t_check "...and the message waits in deferred/" wait_for test -f "$I/queue/deferred/$id"

# qmgr's side by hand (tests/local/agent_request.py): one request, three
# recipients, three outcomes, on a copy of that message in hold/ (which
# qmgr leaves alone)
wait_for bash -c "cp -p '$I/queue/deferred/$id' '$I/queue/hold/' 2>/dev/null || cp -p '$I/queue/active/$id' '$I/queue/hold/' 2>/dev/null"
reply=$(cd "$I/queue" && python3 "$TOPDIR/tests/local/agent_request.py" private/local \
	"hold/$id" sender@example.org $U1@example.test nosuchuser@example.test $U3@example.test)
t_check "agent protocol: one status per recipient: sent, bounced 5.1.1, deferred 4.2.0" \
	json "$reply" "(j['status_0'], j['status_1'], j['dsn_1'], j['status_2'], j['dsn_2']) == ('sent', 'bounced', '5.1.1', 'deferred', '4.2.0') and j['relay_0'] == 'local' and j['text_0'] == 'delivered to maildir'"

big=$(python3 -c "print(('x' * 70 + '\\n') * 500, end='')")
id=$(send $U2@example.test $U1@example.test too-big "$big")
t_check "a message over mailbox_size_limit bounces 5.2.2" \
	wait_for logged "$id: to=<$U1@example.test>, relay=local, .*dsn=5.2.2, status=bounced (message too large for the mailbox"
t_check "...and the sender gets the notification in its Maildir" \
	wait_for bash -c "grep -l 'too-big' '$H2'/Maildir/new/* 2>/dev/null | xargs grep -l 'Undelivered Mail' >/dev/null"

mkdir -p "$H4/Maildir/tmp" "$H4/Maildir/cur" "$H4/elsewhere"
ln -s "$H4/elsewhere" "$H4/Maildir/new"
chown -R $U4: "$H4/Maildir" "$H4/elsewhere"
chown -h $U4: "$H4/Maildir/new"
id=$(send sender@example.org $U4@example.test symlinked)
t_check "a symlinked Maildir/new is not followed: deferred" \
	wait_for logged "$id: to=<$U4@example.test>, relay=local, .*status=deferred (maildir delivery failed: open directory Maildir/new: is a symbolic link (not followed))"
t_check "...nothing was written where it points, nothing left in tmp/" \
	bash -c "[ -z \"\$(ls -A '$H4/elsewhere')\" ] && [ -z \"\$(ls -A '$H4/Maildir/tmp')\" ]"

mkdir "$T/full"
if mount -t tmpfs -o size=256k,mode=0755 tmpfs "$T/full" 2>/dev/null; then
	mkdir -p "$T/full/Maildir/tmp" "$T/full/Maildir/new" "$T/full/Maildir/cur"
	chown -R $U5: "$T/full"
	dd if=/dev/zero of="$T/full/filler" bs=4k >/dev/null 2>&1
	id=$(send sender@example.org $U5@example.test disk-full)
	t_check "a full file system (ENOSPC) defers 4.3.0" \
		wait_for logged "$id: to=<$U5@example.test>, relay=local, .*dsn=4.3.0, status=deferred (maildir delivery failed: write: No space left on device)"
	t_check "...leaving nothing in tmp/ or new/" \
		bash -c "[ -z \"\$(find '$T/full/Maildir' -type f)\" ]"
	rm -f "$T/full/filler"
	t_check "...and a retry delivers it once there is room" \
		wait_long logged "$id: to=<$U5@example.test>, relay=local, .*status=sent (delivered to maildir)"
else
	t_ok "a full file system (ENOSPC) defers # SKIP cannot mount a tmpfs here"
fi

id=$(send sender@example.org nosuchuser@example.test unknown)
t_check "an unknown user bounces: 5.1.1 User unknown" \
	wait_for logged "$id: to=<nosuchuser@example.test>, relay=local, .*dsn=5.1.1, status=bounced (User unknown: no local user \"nosuchuser\")"

# --- mbox in mail_spool_directory ------------------------------------------------------------
inst_stop
mkdir -m 0755 "$T/spool"
inst_set "home_mailbox =" "mail_spool_directory = $T/spool"
t_check "restarted with home_mailbox empty, mail_spool_directory = $T/spool" inst_start
id=$(send sender@example.org $U1@example.test spool-one)
t_check "spool mbox: delivered to mailbox" wait_for logged "$id: to=<$U1@example.test>, relay=local, .*status=sent (delivered to mailbox)"
id=$(send sender@example.org $U1@example.test "spool-two")
wait_for logged "$id: to=<$U1@example.test>, relay=local, .*status=sent (delivered to mailbox)"
t_expect "...the file is created for $U1 (in a root-owned spool), mode 0600" "$U1 600" stat -c '%U %a' "$T/spool/$U1"
t_check "...and no dotlock is left behind" test ! -e "$T/spool/$U1.lock"
got=$($FIND mbox "$T/spool/$U1" spool-two)
t_check "...mailbox.mbox reads both messages, From_ line, body" \
	json "$got" "j['count'] == 2 and j['from_line'].startswith('sender@example.org ') and j['body'].strip() == 'body of spool-two'"

# --- an mbox file in the home directory ----------------------------------------------------
inst_stop
inst_set "home_mailbox = Mailbox"
t_check "restarted with home_mailbox = Mailbox" inst_start
id=$(send sender@example.org $U2@example.test home-mbox)
t_check "home mbox: delivered to mailbox" wait_for logged "$id: to=<$U2@example.test>, relay=local, .*status=sent (delivered to mailbox)"
t_expect "...~/Mailbox made by $U2, mode 0600" "$U2 600" stat -c '%U %a' "$H2/Mailbox"
t_check "...mailbox.mbox reads it, with Delivered-To" \
	json "$($FIND mbox "$H2/Mailbox" home-mbox)" "j['delivered_to'] == ['$U2@example.test'] and j['body'].strip() == 'body of home-mbox'"
inst_stop
