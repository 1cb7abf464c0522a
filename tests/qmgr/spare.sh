#!/usr/bin/env bash
# qmgr/spare.sh - a delivered message does not stay on disk in the queue:
# qmgr keeps the finished queue file's inode in spare/ for the next message
# (qfile_spare.h), overwritten with zeros, so after delivering messages
# whose sender, headers and body carry a unique marker no file under the
# queue directory (spare/ included) holds the marker, while spare/ does
# hold the finished files (the reuse is still there), and the next
# message, written over a spare, is delivered whole.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "spare tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U1=h15spare1
inst_user $U1; H1=$INST_HOME
inst_new
inst_add_maildir qmgr
t_check "instance with qmgr and local starts" inst_start

marker=h15m$$x$RANDOM
files() { ls "$H1/Maildir/new" 2>/dev/null | wc -l; }
for n in 1 2 3; do
	id=$(inst_send "$marker-from@example.org" $U1@example.test "$marker subject $n" \
		"$(printf 'body line %s %s\n' "$marker" "$n"; python3 -c "print(('z' * 70 + '\\n') * 40, end='')")")
	t_check "message $n with the marker is queued" test -n "$id"
	t_check "...delivered and removed from the queue" inst_wait grep -q "$id: removed" "$I/maillog"
done
t_expect "all three are in the Maildir" 3 files
t_check "...and carry the marker there" grep -q "$marker" -r "$H1/Maildir/new"
t_check "spare/ keeps finished queue files" test "$(ls "$I/queue/spare" | wc -l)" -ge 1
t_check "...of their old size (the blocks are kept)" \
	bash -c "[ \$(find '$I/queue/spare' -type f -size +1k | wc -l) -ge 1 ]"
t_expect "no file under the queue directory holds the marker (spare/ included)" "" \
	grep -rlaF "$marker" "$I/queue"

id=$(inst_send sender@example.org $U1@example.test "after" "written over a spare")
four() { [ "$(files)" = 4 ]; }	# counted again at every try
t_check "the next message is delivered" inst_wait four
t_check "...whole" bash -c "grep -l 'written over a spare' '$H1'/Maildir/new/* | xargs grep -q 'Subject: after'"
