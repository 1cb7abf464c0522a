#!/usr/bin/env bash
# postsuper/postsuper.sh - postsuper on a running instance: -h, -H, -d move
# and delete exactly the named messages while delivery goes on (a message
# deleted from active/ in mid-delivery is not resurrected and qmgr keeps
# working), "-" reads IDs from stdin, -r ALL re-runs cleanup (a virtual
# alias added since applies, the body is unchanged), bad IDs and queue
# names touch nothing, and -s repairs a damaged queue tree.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "postsuper tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
PS=$B/bin/postsuper
export I
PQ=$B/bin/postqueue
POSTCAT=$B/bin/postcat

inst_new
printf '' >"$I/virtual"
"$B/bin/postmap" -c "$I" "hash:$I/virtual"
inst_set "local_recipient_maps =" "minimal_backoff_time = 1h" "maximal_backoff_time = 1h" \
	"queue_run_delay = 1h" "header_checks = regexp:$I/header_checks" \
	"virtual_alias_maps = hash:$I/virtual"
echo '/^Subject: hold/ HOLD' >"$I/header_checks"
inst_add_queue_tools
trap 'inst_agent_stop; inst_cleanup' EXIT
t_check "a fake delivery agent starts" inst_agent "$T/agent.log"
t_check "an instance with qmgr and showq starts" inst_start

in_queue() { [ -f "$I/queue/$1/$2" ]; }
nowhere() { [ -z "$(find "$I/queue" -name "$1" -path '*/[a-z]*/*' ! -path '*/defer/*' ! -path '*/bounce/*')" ]; }
# snap [ID...] - the queue files and their state, without the named IDs
snap() {
	(cd "$I/queue" && find incoming active deferred hold corrupt -type f -printf '%p %m %s %T@\n' | sort) |
		{ if [ $# -gt 0 ]; then grep -vE "/($(IFS='|'; echo "$*")) "; else cat; fi; }
}
delivered() { grep -q "\"rcpt_0\": \"$1\"" "$T/agent.log" 2>/dev/null; }

d1=$(inst_send s@example.org defer1@example.test one)
d2=$(inst_send s@example.org defer2@example.test two)
d3=$(inst_send s@example.org defer3@example.test three)
h1=$(inst_send s@example.org user1@example.test "hold one")
h2=$(inst_send s@example.org user2@example.test "hold two")
a1=$(inst_send s@example.org slow1@example.test "active, then sent")
a2=$(inst_send s@example.org slowdefer4@example.test "active, then deferred")
t_check "messages in deferred/, hold/ and active/" inst_wait bash -c \
	"cd '$I/queue' && [ -f deferred/$d1 ] && [ -f deferred/$d2 ] && [ -f deferred/$d3 ] && [ -f hold/$h1 ] && [ -f hold/$h2 ] && [ -f active/$a1 ] && [ -f active/$a2 ] && grep -q $a1 '$T/agent.log' && grep -q $a2 '$T/agent.log'"

# bad input: a clear message, a non-zero exit, nothing touched
snap >"$T/before"
t_expect_err "a malformed queue ID is refused" 'invalid queue ID "../../etc/passwd"' "$PS" -c "$I" -d ../../etc/passwd
t_check "...nothing touched" bash -c "$(declare -f snap); snap | diff '$T/before' -"
t_expect_err "a malformed ID next to a good one: refused" 'invalid queue ID "a/b"' "$PS" -c "$I" -d "$d1" -h a/b
t_check "...before anything was done" bash -c "$(declare -f snap); snap | diff '$T/before' -"
t_expect_err "a malformed ID on stdin: refused" 'standard input, line 2: invalid queue ID' \
	bash -c "printf '%s\n../x\n' $d1 | '$PS' -c '$I' -d -"
t_check "...nothing touched" bash -c "$(declare -f snap); snap | diff '$T/before' -"
t_expect_err "an unknown queue ID: a clear message" "1nZZZZZZZZZZZZZZZZ: no such message in hold, incoming, active, deferred" \
	"$PS" -c "$I" -d 1nZZZZZZZZZZZZZZZZ
t_expect_err "...and Postfix 3.7's summary, at 0" "postsuper: Deleted: 0 messages" "$PS" -c "$I" -d 1nZZZZZZZZZZZZZZZZ
t_check "...nothing touched" bash -c "$(declare -f snap); snap | diff '$T/before' -"
t_expect_err "a queue that does not exist is refused" 'invalid queue name "nosuchqueue"' "$PS" -c "$I" -d ALL nosuchqueue
t_expect_err "...so is a path posing as a queue" 'invalid queue name "../deferred"' "$PS" -c "$I" -d ALL ../deferred
t_check "...nothing touched" bash -c "$(declare -f snap); snap | diff '$T/before' -"
t_expect_err "an ordinary user may not" "reserved for the superuser" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$PS" -c "$I" -d ALL
t_check "...nothing touched" bash -c "$(declare -f snap); snap | diff '$T/before' -"

# -h and -H
"$PS" -c "$I" -h "$d1" 2>"$T/err"
t_check "postsuper -h ID: 'postsuper: ID: placed on hold'" grep -qx "postsuper: $d1: placed on hold" "$T/err"
t_check "...Postfix's summary" grep -qx "postsuper: Placed on hold: 1 message" "$T/err"
t_check "...the message is in hold/ and not in deferred/" bash -c "[ -f '$I/queue/hold/$d1' ] && [ ! -f '$I/queue/deferred/$d1' ]"
t_check "...nothing else moved" bash -c "$(declare -f snap); diff <(snap $d1 < /dev/null) <(grep -v '/$d1 ' '$T/before')"
t_check "...mailq marks it '!'" bash -c "'$PQ' -c '$I' -p | grep -q '^$d1! '"
"$PS" -c "$I" -H "$d1" 2>"$T/err"
t_check "postsuper -H ID: 'Released from hold: 1 message'" grep -qx "postsuper: Released from hold: 1 message" "$T/err"
t_check "...back in deferred/" in_queue deferred "$d1"
t_check "...due now (its retry time, the mtime, is not in the future)" \
	test "$(stat -c %Y "$I/queue/deferred/$d1")" -le "$(date +%s)"
t_check "...nothing else moved" bash -c "$(declare -f snap); diff <(snap $d1) <(grep -v '/$d1 ' '$T/before')"
"$PS" -c "$I" -H "$h1" 2>"$T/err"
t_check "a held message released with -H" grep -qx "postsuper: $h1: released from hold" "$T/err"
"$PQ" -c "$I" -f
t_check "...is delivered at the next flush and removed" inst_wait grep -q "$h1: removed" "$I/maillog"
t_check "...and held mail stays held meanwhile" in_queue hold "$h2"

# "-": IDs on stdin
printf '%s\n\n%s\n' "$d2" "$d3" | "$PS" -c "$I" -h - 2>"$T/err"
t_check "postsuper -h - reads the IDs from stdin" grep -qx "postsuper: Placed on hold: 2 messages" "$T/err"
t_check "...both are held" bash -c "[ -f '$I/queue/hold/$d2' ] && [ -f '$I/queue/hold/$d3' ]"
"$PS" -c "$I" -H ALL 2>"$T/err"
t_check "postsuper -H ALL releases everything held" grep -qx "postsuper: Released from hold: 3 messages" "$T/err"
t_check "...hold/ is empty" test -z "$(ls "$I/queue/hold")"

# -d
"$PS" -c "$I" -d "$d3" 2>"$T/err"
t_check "postsuper -d ID: 'postsuper: ID: removed'" grep -qx "postsuper: $d3: removed" "$T/err"
t_check "...'Deleted: 1 message'" grep -qx "postsuper: Deleted: 1 message" "$T/err"
t_check "...gone from the queue, and its defer/ log with it" bash -c "$(declare -f nowhere); I='$I'; nowhere $d3 && [ ! -e '$I/queue/defer/$d3' ]"
t_check "...logged in the mail log too" grep -q "postsuper\[[0-9]*\]: $d3: removed" "$I/maillog"

# deleting messages in mid-delivery: not resurrected, qmgr carries on
"$PS" -c "$I" -d "$a1" -d "$a2" 2>"$T/err"
t_check "postsuper -d of two messages qmgr is delivering" grep -qx "postsuper: Deleted: 2 messages" "$T/err"
touch "$T/agent.release"
sleep 2
t_check "...the one delivered meanwhile is not resurrected" bash -c "$(declare -f nowhere); I='$I'; nowhere $a1"
t_check "...nor the one deferred meanwhile" bash -c "$(declare -f nowhere); I='$I'; nowhere $a2"
n1=$(inst_send s@example.org user5@example.test "after the deletions")
t_check "...and qmgr still delivers new mail" inst_wait grep -q "$n1: removed" "$I/maillog"

# -d ALL deferred: only that queue
h3=$(inst_send s@example.org user3@example.test "hold three")
t_check "(one more held message)" inst_wait in_queue hold "$h3"
"$PS" -c "$I" -d ALL deferred 2>"$T/err"
t_check "postsuper -d ALL deferred empties deferred/" test -z "$(ls "$I/queue/deferred")"
t_check "...and counts what it deleted" grep -qx "postsuper: Deleted: 3 messages" "$T/err"
t_check "...held mail is untouched" in_queue hold "$h3"

# -r: through cleanup again
r1=$(inst_send s@example.org defer9@example.test "requeue me" "$(printf 'body\twith a tab  \n.dot\n')")
t_check "(a deferred message for defer9@example.test)" inst_wait in_queue deferred "$r1"
"$POSTCAT" -c "$I" -b -q "$r1" >"$T/body.before"
echo "defer9@example.test defer10@example.test" >"$I/virtual"
"$B/bin/postmap" -c "$I" "hash:$I/virtual"
sleep 1.1	# cleanup looks for a new table at most once a second
"$PS" -c "$I" -r ALL 2>"$T/err"
t_check "postsuper -r ALL: 'Requeued: 2 messages' (the deferred and the held one)" \
	grep -qx "postsuper: Requeued: 2 messages" "$T/err"
new=$(sed -n "s/^postsuper: $r1: requeued as \([0-9A-Za-z]*\)\$/\1/p" "$T/err")
t_check "...the old queue file is gone" bash -c "$(declare -f nowhere); I='$I'; [ -n '$new' ] && nowhere $r1"
t_check "...the new message went through virtual_alias_maps: defer10@example.test" \
	inst_wait delivered defer10@example.test
t_check "...with the original recipient kept as ORCPT" inst_wait bash -c \
	"'$POSTCAT' -c '$I' -e -q '$new' | grep -qx 'original_recipient: rfc822;defer9@example.test'"
t_check "...and the same body, byte for byte" bash -c "'$POSTCAT' -c '$I' -b -q '$new' | cmp -s - '$T/body.before'"
t_check "...a requeued held message is released (header checks are not applied again)" \
	inst_wait delivered user3@example.test

# -s: a damaged queue tree, repaired with a report
inst_stop
t_expect_err "postsuper -r without a running cleanup fails clearly" "$new: not requeued: connect to" \
	"$PS" -c "$I" -r "$new"
t_check "...and the message is back where it was, not left on hold" \
	bash -c "[ -f '$I/queue/deferred/$new' ] && [ ! -e '$I/queue/hold/$new' ]"
q=$I/queue
victim=$(ls "$q/deferred" | head -1)
mv "$q/deferred/$victim" "$q/deferred/not-an-id"
ln -s /etc/passwd "$q/incoming/1xSymlink000000000"
mkdir "$q/hold/A" && cp -p "$q/deferred/not-an-id" "$q/hold/A/1xHashed0000000000" && chown -R hato "$q/hold/A"
chmod 0750 "$q/hold/A/1xHashed0000000000"
install -o hato -m 0600 /dev/null "$q/incoming/1xOldIncomplete000" && touch -d '2 days ago' "$q/incoming/1xOldIncomplete000"
install -o hato -m 0600 /dev/null "$q/incoming/1xNewIncomplete000"
printf 'garbage' >"$q/hold/1xGarbage000000000" && chown hato "$q/hold/1xGarbage000000000" && chmod 0700 "$q/hold/1xGarbage000000000"
printf 'x\t4.0.0\ty\n' >"$q/defer/1xOrphan0000000000" && chown hato "$q/defer/1xOrphan0000000000"
"$PS" -c "$I" -s 2>"$T/err"
t_check "postsuper -s reports every problem and fixes it" grep -qE '^postsuper: Structure check: ([0-9]+) problems found, \1 fixed$' "$T/err"
t_check "...a file with a bad name gets a queue ID" bash -c \
	"grep -q 'deferred/not-an-id: not a queue ID: renamed to deferred/' '$T/err' && [ ! -e '$q/deferred/not-an-id' ] && [ \$(ls '$q/deferred' | wc -l) = 1 ]"
t_check "...a symbolic link is removed" bash -c "grep -q 'incoming/1xSymlink000000000: not a regular file: removed' '$T/err' && [ ! -L '$q/incoming/1xSymlink000000000' ]"
t_check "...a file in a subdirectory moves up and the subdirectory goes" \
	bash -c "[ -f '$q/hold/1xHashed0000000000' ] && [ ! -d '$q/hold/A' ]"
t_check "...a complete file with an odd mode gets 0700 back" bash -c \
	"grep -q 'hold/1xHashed0000000000: mode 0750: changed to 0700' '$T/err' && [ \$(stat -c %a '$q/hold/1xHashed0000000000') = 700 ]"
t_check "...an incomplete file older than a day is removed" bash -c "grep -q 'incoming/1xOldIncomplete000: incomplete queue file older than a day: removed' '$T/err' && [ ! -e '$q/incoming/1xOldIncomplete000' ]"
t_check "...a young one is left for cleanup" test -e "$q/incoming/1xNewIncomplete000"
t_check "...a corrupt file goes to corrupt/" bash -c "grep -q 'hold/1xGarbage000000000: corrupt' '$T/err' && [ -f '$q/corrupt/1xGarbage000000000' ]"
t_check "...defer/ logs without a message are removed" bash -c "grep -q 'defer/1xOrphan0000000000: its message is in no queue: removed' '$T/err' && [ ! -e '$q/defer/1xOrphan0000000000' ]"
t_check "...among them the one qmgr wrote for the message deleted in mid-delivery" \
	bash -c "[ ! -e '$q/defer/$a2' ]"
t_expect "a second postsuper -s finds nothing" "" "$PS" -c "$I" -s
t_check "postsuper -d ID corrupt removes a corrupt file" "$PS" -c "$I" -d 1xGarbage000000000 corrupt
rm -f "$q/incoming/1xNewIncomplete000"
