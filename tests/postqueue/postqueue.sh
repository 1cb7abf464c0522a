#!/usr/bin/env bash
# postqueue/postqueue.sh - mailq, postqueue -p -j -f -i -s and the showq
# service on a running instance: a message in each queue (deferred by a
# fake agent, held by a HOLD header check, active while the agent stalls),
# mailq's text checked line by line against Postfix's layout computed here
# from postcat's view of the same files, -j as JSON, an ordinary user
# through a set-group-ID copy, bad input, and the mail system down.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "postqueue tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
PQ=$B/bin/postqueue
MAILQ=$B/bin/mailq
POSTCAT=$B/bin/postcat

inst_new
inst_set "local_recipient_maps =" "minimal_backoff_time = 1h" "maximal_backoff_time = 1h" \
	"queue_run_delay = 1h" "header_checks = regexp:$I/header_checks"
echo '/^Subject: hold/ HOLD' >"$I/header_checks"
inst_add_queue_tools
trap 'inst_agent_stop; inst_cleanup' EXIT
t_check "a fake delivery agent starts" inst_agent "$T/agent.log"
t_check "an instance with qmgr and showq starts" inst_start

t_expect "an empty queue: 'Mail queue is empty'" "Mail queue is empty" "$PQ" -c "$I" -p
t_expect "...postqueue -j prints nothing" "" "$PQ" -c "$I" -j

status_of() { "$@" >/dev/null 2>&1; echo $?; }
tried() { [ -f "$T/agent.log" ] && grep -c "\"queue_id\": \"$1\"" "$T/agent.log" || echo 0; }
in_queue() { [ -f "$I/queue/$1/$2" ]; }

body=$(printf 'line one\n\ttabbed line with trailing blanks   \n.a leading dot\n..two dots\n%s\nlast line' \
	"$(head -c 3000 /dev/zero | tr '\0' x)")
d1=$(inst_send s@example.org defer1@example.test,defer2@example.test "two deferred" "$body")
d2=$(inst_send '<>' defer3@example.test "from the null sender")
h1=$(inst_send s@example.org user1@example.test "hold me" "$body")
a1=$(inst_send s@example.org slow1@example.test "stalls in active")
t_check "four messages queued" test -n "$d1" -a -n "$d2" -a -n "$h1" -a -n "$a1"
t_check "...one deferred with two recipients" inst_wait in_queue deferred "$d1"
t_check "...one from <> deferred" inst_wait in_queue deferred "$d2"
t_check "...one held by header_checks" in_queue hold "$h1"
t_check "...one in active/, its delivery in progress" \
	inst_wait bash -c "[ -f '$I/queue/active/$a1' ] && grep -q '$a1' '$T/agent.log'"

# the expected listing, from postcat's reading of the same queue files
expected() {
	python3 - "$POSTCAT" "$I" "$a1" "$d1 $d2" "$h1" <<'PY'
import subprocess, sys
postcat, inst, active, deferred, hold = sys.argv[1:6]
def show(queue, qid):
    env = subprocess.run([postcat, "-c", inst, "-e", "-q", qid], capture_output=True, text=True).stdout
    size = arrival = sender = None
    rcpts = []
    for line in env.splitlines():
        if line.startswith("message_size: "):
            size = int(line.split()[1])
        elif line.startswith("message_arrival_time: "):
            arrival = line[len("message_arrival_time: "):][:19]
        elif line.startswith("sender: "):
            sender = line[len("sender: "):] or "MAILER-DAEMON"
        elif line.startswith("recipient: "):
            rcpts.append(line[len("recipient: "):])
    reasons = {}
    order = []
    try:
        for line in open("%s/queue/defer/%s" % (inst, qid)):
            addr, dsn, text = line.rstrip("\n").split("\t", 2)
            if addr in rcpts and addr not in reasons:
                reasons[addr] = text
                order.append(addr)
    except FileNotFoundError:
        pass
    order += [r for r in rcpts if r not in reasons]
    mark = {"active": "*", "hold": "!"}.get(queue, "")
    out = ["%-19s %8d %19.19s %s" % (qid + mark, size, arrival, sender)]
    last = ""
    for r in order:
        reason = reasons.get(r, "")
        if reason != last:
            show_reason = reason or "reason unavailable"
            out.append("%*s(%s)" % (max(76 - len(show_reason), 0), "", show_reason))
            last = reason
        out.append("%-19s %8s %-19s %s" % ("", "", "", r))
    return out, size
lines = ["%-19s %8s %-19s %s" % ("-----Queue ID------", "--Size--", "---Arrival Time----",
                                 "--Sender/Recipient------")]
total = count = 0
for queue, ids in (("active", active), ("deferred", " ".join(sorted(deferred.split()))), ("hold", hold)):
    for qid in ids.split():
        msg, size = show(queue, qid)
        if count:
            lines.append("")
        lines += msg
        total += size
        count += 1
lines += ["", "-- %d Kbytes in %d Request%s." % (total // 1024, count, "" if count == 1 else "s")]
print("\n".join(lines))
PY
}
expected >"$T/want"
"$MAILQ" -c "$I" >"$T/mailq" 2>"$T/mailq.err"
t_check "mailq: Postfix's layout, line by line (header, ID*/ID!, size, date, sender, reasons, recipients, total)" \
	diff -u "$T/want" "$T/mailq"
t_expect "...the heading" "-----Queue ID------ --Size-- ---Arrival Time---- --Sender/Recipient------" \
	head -1 "$T/mailq"
total=$("$PQ" -c "$I" -j | jq -s 'map(.message_size) | add')
t_expect "...'mailq | tail -1' is the summary" "-- $((total / 1024)) Kbytes in 4 Requests." tail -1 "$T/mailq"
t_expect "...'*' marks the active message, '!' the held one" "$a1* $h1!" \
	bash -c "awk '\$1 ~ /[*!]\$/ { printf \"%s \", \$1 }' '$T/mailq' | sed 's/ \$//'"
t_expect "...the reason of each deferred recipient in parentheses above it" \
	"(fake agent says deferred to defer1@example.test)" \
	bash -c "grep -F '(fake agent says deferred to defer1@example.test)' '$T/mailq' | sed 's/^ *//'"
t_expect "...MAILER-DAEMON as the null sender" "$d2" \
	bash -c "awk '\$7 == \"MAILER-DAEMON\" { print \$1 }' '$T/mailq'"
t_expect "...postsuper's man page pipeline finds the message with exactly one recipient defer3@example.test" "$d2" \
	bash -c "tail -n +2 '$T/mailq' | grep -v '^ *(' | awk 'BEGIN { RS = \"\" } { if (\$8 == \"defer3@example.test\" && \$9 == \"\") print \$1 }' | tr -d '*!'"
t_check "...mailq and postqueue -p print the same" bash -c "'$PQ' -c '$I' -p | cmp -s - '$T/mailq'"

# JSON lines
"$PQ" -c "$I" -j >"$T/json"
t_check "postqueue -j: one JSON object per line with Postfix's field names, in Postfix's order" \
	python3 - "$T/json" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
want = ["queue_name", "queue_id", "arrival_time", "message_size", "forced_expire", "sender", "recipients"]
sys.exit(not (len(objs) == 4 and all(list(o) == want for o in objs)))
PY
t_expect "...queue names and counts" "active 1 deferred 2 hold 1" \
	bash -c "jq -r .queue_name '$T/json' | uniq -c | awk '{ printf \"%s %s \", \$2, \$1 }' | sed 's/ \$//'"
t_expect "...the deferred message: both recipients with their delay_reason" \
	"defer1@example.test=fake agent says deferred to defer1@example.test defer2@example.test=fake agent says deferred to defer2@example.test" \
	bash -c "jq -r 'select(.queue_id == \"$d1\") | .recipients[] | \"\(.address)=\(.delay_reason)\"' '$T/json' | sort | paste -sd ' '"
t_expect "...no delay_reason where there is none (the held message)" "null" \
	jq -r "select(.queue_id == \"$h1\") | .recipients[0].delay_reason" "$T/json"
t_expect "...sizes, arrival times and the sender as numbers and strings" "true" \
	jq -r "select(.queue_id == \"$d2\") | (.message_size > 0 and .arrival_time > 1600000000 and .sender == \"MAILER-DAEMON\" and .forced_expire == false)" "$T/json"

# postcat -q: the body exactly as sent
t_expect "postcat -q shows the held message's body byte for byte" "$body" "$POSTCAT" -c "$I" -b -q "$h1"
t_expect "...and the deferred one's" "$body" "$POSTCAT" -c "$I" -b -q "$d1"

# -i, -s, -f: deferred mail is tried again at once
n=$(tried "$d2") n1=$(tried "$d1")
t_check "postqueue -i ID" "$PQ" -c "$I" -i "$d2"
t_check "...delivers that deferred message now" inst_wait bash -c "[ \$(grep -c '\"queue_id\": \"$d2\"' '$T/agent.log') -gt $n ]"
t_check "...and only that one" test "$(tried "$d1")" = "$n1"
t_check "...which is deferred again" inst_wait in_queue deferred "$d2"
t_expect_err "postqueue -i with an unknown queue ID fails" "1nZZZZZZZZZZZZZZZZ: no such message in the queue" \
	"$PQ" -c "$I" -i 1nZZZZZZZZZZZZZZZZ
t_expect "...exit status 66 (EX_NOINPUT)" 66 status_of "$PQ" -c "$I" -i 1nZZZZZZZZZZZZZZZZ
t_expect_err "postqueue -i with a malformed ID fails" 'invalid queue ID: "../../etc/passwd"' \
	"$PQ" -c "$I" -i ../../etc/passwd
t_expect "...exit status 64 (EX_USAGE)" 64 status_of "$PQ" -c "$I" -i ../../etc/passwd
t_expect_err "postqueue -i of a held message says so" "is on hold" "$PQ" -c "$I" -i "$h1"
t_check "...and leaves it held" in_queue hold "$h1"
n1=$(tried "$d1") n2=$(tried "$d2")
t_check "postqueue -s example.test" "$PQ" -c "$I" -s example.test
t_check "...retries both deferred messages for example.test" inst_wait \
	bash -c "[ \$(grep -c '\"queue_id\": \"$d1\"' '$T/agent.log') -gt $n1 ] && [ \$(grep -c '\"queue_id\": \"$d2\"' '$T/agent.log') -gt $n2 ]"
inst_wait in_queue deferred "$d1"; inst_wait in_queue deferred "$d2"
n1=$(tried "$d1")
t_check "postqueue -s for a site nobody waits for is fine" "$PQ" -c "$I" -s example.net
sleep 1.5
t_check "...and touches nothing" test "$(tried "$d1")" = "$n1"
t_expect_err "postqueue -s with a malformed site fails" "invalid site name" "$PQ" -c "$I" -s 'a/b;c'
n1=$(tried "$d1")
t_check "postqueue -f" "$PQ" -c "$I" -f
t_check "...retries deferred mail at once" inst_wait bash -c "[ \$(grep -c '\"queue_id\": \"$d1\"' '$T/agent.log') -gt $n1 ]"
t_expect_err "postqueue with two actions is a usage error" "specify only one of" "$PQ" -c "$I" -p -j

# the showq protocol itself: a request it does not know, an oversized one
showq_raw() {
	python3 - "$I/queue/public/showq" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(15)
hello = s.recv(4096)
s.sendall(sys.argv[2].encode().replace(b"|", b"\0") + b"\0")
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
print(out.replace(b"\0", b"|").decode(errors="replace"))
PY
}
t_check "showq answers an unknown request with status 64 and says why" \
	bash -c "$(declare -f showq_raw); I='$I'; showq_raw 'request|evil|' | grep -q 'status|64|text|unknown or incomplete showq request'"
t_check "...and a list request without a known format the same way" \
	bash -c "$(declare -f showq_raw); I='$I'; showq_raw 'request|list|format|xml|' | grep -q 'status|64|'"
t_check "...an oversized request gets no answer at all" \
	bash -c "$(declare -f showq_raw); I='$I'; [ -z \"\$(showq_raw \"request|list|format|$(head -c 5000 /dev/zero | tr '\0' x)|\")\" ]"

# an ordinary user: through public/showq with a set-group-ID copy
cp "$PQ" "$T/pq" && chgrp hatodrop "$T/pq" && chmod 2755 "$T/pq"
cp "$PQ" "$T/pq-plain" && chmod 0755 "$T/pq-plain"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
inst_wait in_queue deferred "$d1"
"$MAILQ" -c "$I" >"$T/mailq.root"
t_check "nobody lists the queue with a set-group-ID postqueue, as root sees it" \
	bash -c "$(declare -f as_nobody); as_nobody '$T/pq' -c '$I' -p | diff - '$T/mailq.root'"
t_expect_err "...without set-group-ID rights: a clear refusal" "postqueue must be set-group-ID hatodrop" \
	as_nobody "$T/pq-plain" -c "$I" -p
mkdir -p "$T/evil" && cp "$I/main.cf" "$T/evil/" && chown -R nobody "$T/evil"
t_expect_err "...and a configuration directory the caller controls is not trusted" "is not trusted" \
	as_nobody "$T/pq" -c "$T/evil" -p
t_check "nobody may flush" as_nobody "$T/pq" -c "$I" -f

# the slow delivery finishes: the active message leaves the queue
touch "$T/agent.release"
t_check "the active message is delivered and removed" inst_wait grep -q "$a1: removed" "$I/maillog"

# the mail system is down
inst_stop
t_expect_err "down: an ordinary user gets Postfix's message" \
	"postqueue: fatal: Queue report unavailable - mail system is down" as_nobody "$T/pq" -c "$I" -p
as_nobody "$T/pq" -c "$I" -p >/dev/null 2>&1
t_check "...with exit status 69 (EX_UNAVAILABLE)" test $? = 69
t_check "...root still gets the listing (showq run stand-alone)" \
	bash -c "'$MAILQ' -c '$I' | grep -q '^$h1!'"
t_check "...the same JSON" bash -c "'$PQ' -c '$I' -j | jq -e 'select(.queue_id == \"$h1\") | .queue_name == \"hold\"'"
t_expect_err "...postqueue -f says the mail system is down" \
	"Cannot flush mail queue - mail system is down" "$PQ" -c "$I" -f
"$PQ" -c "$I" -f >/dev/null 2>&1
t_check "...with exit status 69" test $? = 69
t_expect_err "...and so does postqueue -i" "Cannot flush mail queue - mail system is down" "$PQ" -c "$I" -i "$d1"

# a showq that dies half-way: the report is not taken for a short queue
python3 - "$I/queue/public/showq" <<'PY' &
import os, socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
srv.listen(1)
c, _ = srv.accept()
c.sendall(b"protocol\0showq\0version\x001\0\0")
c.recv(4096)
c.sendall(b"data\0Mail queue is empty\n\0\0")
c.close()
PY
fake=$!
inst_wait test -S "$I/queue/public/showq"
t_expect_err "a listing cut short is an error, not a short queue" "the report ended early" "$PQ" -c "$I" -p
wait $fake; rm -f "$I/queue/public/showq"
