#!/usr/bin/env bash
# qmgr/interrupted.sh - the crash between a delivery and qmgr's record of
# it, replayed without timing: two messages (one for a local Maildir, one
# relayed to smtp-sink) are delivered, then their queue files, saved
# before, are put back into active/ as a qmgr killed before its done mark
# leaves them, and the instance is started again.  qmgr delivers them
# again as interrupted (retry=2 in the request): local finds the Maildir
# file the first attempt wrote and reports it delivered without writing a
# second one; smtp cannot know what the remote server kept, delivers
# again and logs "possible duplicate".  Last, smtp by hand (the request of
# tests/local/agent_request.py) marks the recipient done in the queue
# file itself at the server's 250.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "interrupted tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
command -v smtp-sink >/dev/null || { t_fail "smtp-sink is installed (make deps)"; exit 0; }

U1=h15intr1
SINK_PORT=$((SMTP_PORT + 1))
inst_user $U1; H1=$INST_HOME
mkdir -p "$T/dump" "$T/saved"; chmod 755 "$T"; chmod 777 "$T/dump"
smtp-sink -u nobody -d "$T/dump/%Y%m%d%H%M%S." 127.0.0.1:$SINK_PORT 10 & sink=$!
trap 'kill $sink 2>/dev/null; inst_cleanup' EXIT

inst_new
inst_add_maildir
inst_set "relayhost = [127.0.0.1]:$SINK_PORT"
echo "smtp      unix  -       -       n       -       -       smtp" >>"$I/master.cf"
t_check "instance without qmgr starts" inst_start
loc=$(inst_send sender@example.org $U1@example.test "to maildir" "local body")
far=$(inst_send sender@example.org far@example.net "relayed" "relayed body")
t_check "two messages wait in incoming/" inst_wait test -x "$I/queue/incoming/$loc" -a -x "$I/queue/incoming/$far"
cp -p "$I/queue/incoming/$loc" "$I/queue/incoming/$far" "$T/saved/"
inst_stop

echo "qmgr      fifo  n       -       n       1       1       qmgr" >>"$I/master.cf"
t_check "with qmgr: started again" inst_start
t_check "both are delivered and removed" \
	inst_wait bash -c "grep -q '$loc: removed' '$I/maillog' && grep -q '$far: removed' '$I/maillog'"
t_expect "one file in the Maildir" 1 bash -c "ls '$H1/Maildir/new' | wc -l"
inst_stop

# what a qmgr killed before its done marks leaves: the files in active/
cp -p "$T/saved/$loc" "$T/saved/$far" "$I/queue/active/"
t_check "started again with both in active/" inst_start
t_check "local: the interrupted delivery is found in the Maildir, reported sent" \
	inst_wait grep -q "$loc: to=<$U1@example.test>, relay=local, .*status=sent (delivered to maildir (by an earlier attempt: " "$I/maillog"
t_check "...and removed" inst_wait bash -c "[ \$(grep -c '$loc: removed' '$I/maillog') = 2 ]"
t_expect "...still one file in the Maildir" 1 bash -c "find '$H1/Maildir/new' '$H1/Maildir/cur' -type f | wc -l"
t_check "smtp: sent again, with a possible-duplicate warning" \
	inst_wait grep -q "warning: $far: to=<far@example.net>, relay=127.0.0.1\[127.0.0.1\]:$SINK_PORT: possible duplicate" "$I/maillog"
relayed_twice() { [ "$(grep -l 'relayed body' "$T"/dump/* 2>/dev/null | wc -l)" = 2 ]; }
t_check "...(the sink has it twice: the remote side cannot be undone)" inst_wait relayed_twice
t_expect "no possible-duplicate warning for the first, uninterrupted delivery" 1 grep -c "possible duplicate" "$I/maillog"

# smtp marks a recipient done in the queue file at the server's 250 (before
# qmgr hears of it): one request by hand for a copy in hold/
cp -p "$T/saved/$far" "$I/queue/hold/"
off=$(python3 -c "import sys; a = b'far@example.net'; print(open(sys.argv[1], 'rb').read().find(b'R' + bytes([len(a)]) + a))" "$I/queue/hold/$far")
reply=$(cd "$I/queue" && AGENT_NEXTHOP="[127.0.0.1]:$SINK_PORT" AGENT_OFFSET=$off \
	python3 "$TOPDIR/tests/local/agent_request.py" private/smtp "hold/$far" sender@example.org far@example.net)
t_check "smtp by hand: sent" bash -c "echo '$reply' | grep -q '\"status_0\": \"sent\"'"
t_expect "...and the recipient is marked done in the queue file" "done_recipient: far@example.net" \
	bash -c "'$B/bin/postcat' -e '$I/queue/hold/$far' | grep -E '^(done_)?recipient:'"
