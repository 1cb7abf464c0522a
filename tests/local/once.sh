#!/usr/bin/env bash
# local/once.sh - a Maildir delivery is written once per recipient
# (maildir.h "exactly once"): the request that qmgr repeats after a crash
# between local's write and qmgr's record (local killed before it replied,
# qmgr killed before it marked the recipient done) is played here by
# sending the same request twice (tests/local/agent_request.py: same queue
# ID, recipient and arrival time) and the second finds the first one's
# file instead of writing another, in new/ and, for a retry, in cur/ after
# a reader moved it there (":2,S"); two recipients of one message that end
# in the same Maildir still get a file each; the file name keeps the
# Maildir form time.unique.host,S=size,W=vsize; local marks a delivered recipient
# done in the queue file itself (offset_N of the request), before qmgr
# hears of it.  Without qmgr, so the message
# waits in incoming/ and its copy in hold/ is the queue file of the
# requests.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "once tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U1=h15once1
inst_user $U1; H1=$INST_HOME
inst_new
inst_add_maildir
inst_set "recipient_delimiter = +"
t_check "instance with local (no qmgr) starts" inst_start

id=$(inst_send sender@example.org $U1@example.test once "body once")
t_check "a message is queued" test -n "$id"
t_check "...and waits in incoming/, complete" inst_wait test -x "$I/queue/incoming/$id"
cp -p "$I/queue/incoming/$id" "$I/queue/hold/$id"

ARRIVAL=$(date +%s)
# request RETRY RCPT... - one request for hold/$id as qmgr would send it
request() {
	local retry=$1; shift
	(cd "$I/queue" && AGENT_ARRIVAL=$ARRIVAL AGENT_RETRY=$retry \
		python3 "$TOPDIR/tests/local/agent_request.py" private/local "hold/$id" sender@example.org "$@")
}
files() { find "$H1/Maildir/new" "$H1/Maildir/cur" -type f | wc -l; }
json() { python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if ($2) else 1)" "$1"; }

reply=$(request 0 $U1@example.test)
t_check "first attempt: sent, delivered to maildir" json "$reply" "j['status_0'] == 'sent' and j['text_0'] == 'delivered to maildir'"
t_expect "...one file in new/" 1 files
name=$(ls "$H1/Maildir/new")
t_check "...named ARRIVAL.M<usec>Q<queue id>R<16 hex>.<host>,S=<size>,W=<vsize> ($name)" \
	bash -c "[[ '$name' =~ ^$ARRIVAL\.M0Q${id}R[0-9a-f]{16}\.[^.,:/]+,S=([0-9]+),W=[0-9]+\$ ]] && [ \${BASH_REMATCH[1]} = \$(stat -c %s '$H1/Maildir/new/$name') ]"

reply=$(request 0 $U1@example.test)
t_check "the same request again (local died before it replied): sent, by the earlier attempt" \
	json "$reply" "j['status_0'] == 'sent' and j['text_0'].startswith('delivered to maildir (by an earlier attempt: ')"
t_expect "...still one file" 1 files
t_expect "...and tmp/ is empty" "" ls -A "$H1/Maildir/tmp"

mv "$H1/Maildir/new/$name" "$H1/Maildir/cur/$name:2,S"
reply=$(request 1 $U1@example.test)
t_check "a retry after a reader moved the file into cur/ with flags: sent, by the earlier attempt" \
	json "$reply" "j['status_0'] == 'sent' and '$name:2,S' in j['text_0']"
t_expect "...still one file, in cur/" "1 0" bash -c "echo \$(ls '$H1/Maildir/cur' | wc -l) \$(ls '$H1/Maildir/new' | wc -l)"

reply=$(request 1 $U1@example.test $U1+b@example.test)
t_check "two recipients of the message that end in one Maildir: both sent" \
	json "$reply" "j['status_0'] == 'sent' and j['status_1'] == 'sent' and j['text_1'] == 'delivered to maildir'"
t_expect "...the one already there is not written again, the other one is: two files" 2 files
reply=$(request 1 $U1@example.test $U1+b@example.test)
t_expect "...and both again: still two" 2 files
t_expect "Python's mailbox.Maildir reads both" 2 python3 -c "import mailbox; print(len(mailbox.Maildir('$H1/Maildir', create=False)))"

id2=$(inst_send sender@example.org $U1@example.test other "another message")
t_check "another message for the same recipient" inst_wait test -x "$I/queue/incoming/$id2"
cp -p "$I/queue/incoming/$id2" "$I/queue/hold/$id2"
id=$id2 request 1 $U1@example.test >/dev/null
t_expect "...is a file of its own" 3 files
t_check "every delivery was logged as sent, none deferred" bash -c "! grep -q 'status=deferred' '$I/maillog'"

# rcpt_offset FILE ADDRESS - where ADDRESS's recipient record starts
rcpt_offset() {
	python3 -c "import sys; a = sys.argv[2].encode(); print(open(sys.argv[1], 'rb').read().find(b'R' + bytes([len(a)]) + a))" "$1" "$2"
}
off=$(rcpt_offset "$I/queue/hold/$id2" $U1@example.test)
t_check "the recipient's record is found in the queue file (offset $off)" test "$off" -gt 0
t_expect "...and is pending" "recipient: $U1@example.test" \
	bash -c "'$B/bin/postcat' -e '$I/queue/hold/$id2' | grep -E '^(done_)?recipient:'"
(cd "$I/queue" && AGENT_ARRIVAL=$ARRIVAL AGENT_RETRY=1 AGENT_OFFSET=$off \
	python3 "$TOPDIR/tests/local/agent_request.py" private/local "hold/$id2" sender@example.org $U1@example.test) >/dev/null
t_expect "a request with the record's offset: local marks the recipient done in the queue file" \
	"done_recipient: $U1@example.test" bash -c "'$B/bin/postcat' -e '$I/queue/hold/$id2' | grep -E '^(done_)?recipient:'"
(cd "$I/queue" && AGENT_ARRIVAL=$ARRIVAL AGENT_RETRY=1 AGENT_OFFSET=$off \
	python3 "$TOPDIR/tests/local/agent_request.py" private/local "hold/$id2" sender@example.org $U1@example.test) >/dev/null
t_expect "...(the offset is part of the key: a fourth file) and that request again writes none" 4 files
