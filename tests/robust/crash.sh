#!/usr/bin/env bash
# robust/crash.sh - kill -9 of a random hato daemon (smtpd, cleanup, qmgr,
# local, smtp, pickup; never master) every 200 ms while messages with
# unique Message-IDs flow in by SMTP, half to a local user's Maildir, half
# relayed to smtp-sink, while others are submitted locally with sendmail
# (postdrop, maildrop/, pickup).  After the kills stop and the queue
# drains, every message that got a 250 (or a sendmail exit 0) is delivered
# (lost = 0), and no message reaches the Maildir twice: not for one queue
# file (local's exactly-once delivery, maildir.h) and not under two
# (pickup's file queued once: cleanup_maildrop.c).  Relayed duplicates are
# counted, not failed: a smtp process killed between the remote 250 and
# its reply to qmgr cannot know (smtp logs "possible duplicate" on the
# retry).  Short: 300 + 50 messages; STRESS=1 (make
# stress): 2000 + 300.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "robustness tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/robust.sh"
rob_pick_ports 2
command -v smtp-sink >/dev/null || { t_fail "smtp-sink is installed (make deps)"; exit 0; }
COUNT=300 THREADS=4 PACE=0.2 LOCAL=50
[ -n "$STRESS" ] && COUNT=2000 THREADS=8 PACE=0.1 LOCAL=300

SINK_PORT=$((SMTP_PORT + 1))
user=hlrobc$$
useradd -m -s /bin/sh "$user" || t_fail "useradd $user"
H=$(getent passwd "$user" | cut -d: -f6)
mkdir -p "$T/dump"; chmod 755 "$T"; chmod 777 "$T/dump"
smtp-sink -u nobody -d "$T/dump/%Y%m%d%H%M%S." 127.0.0.1:$SINK_PORT 100 & sink=$!
trap 'rob_killer_stop; kill $sink 2>/dev/null; userdel -r "$user" >/dev/null 2>&1; inst_cleanup' EXIT

inst_new
inst_set "relayhost = [127.0.0.1]:$SINK_PORT" "local_recipient_maps = unix:passwd.byname" \
	"home_mailbox = Maildir/" "service_throttle_time = 1s" \
	"minimal_backoff_time = 1s" "maximal_backoff_time = 2s" "queue_run_delay = 1s"
cat >>"$I/master.cf" <<MCF
qmgr      fifo  n       -       n       1       1       qmgr
pickup    fifo  n       -       n       1       1       pickup
smtp      unix  -       -       n       -       -       smtp
local     unix  -       n       n       -       -       local
MCF
rob_start
master=$(rob_master_pid)

rob_killer smtpd cleanup qmgr local smtp pickup
start=$SECONDS
# local submissions alongside: sendmail exits 0 once postdrop has the file
( for n in $(seq "$LOCAL"); do
	mid="<crash$$-sm-$n@flood.test>"
	printf 'Subject: local %s\nMessage-ID: %s\n\nbody\n' "$n" "$mid" |
		HATO_CONFIG=$I "$B/bin/sendmail" "$user@mx.example.test" && echo "$mid"
	sleep "$PACE"
done >"$T/accepted_sm" 2>"$T/sendmail.err" ) & local_pid=$!
stats=$(python3 "$TOPDIR/tests/lib/smtp_flood.py" --port "$SMTP_PORT" --count "$COUNT" \
	--threads "$THREADS" --tag "crash$$" --rcpt "$user@mx.example.test" \
	--rcpt "far@example.net" --timeout 30 --pace "$PACE" --out "$T/accepted")
wait "$local_pid"
rob_killer_stop
kills=$(grep -c "killed by signal 9" "$I/maillog")
echo "# flood: $stats in $((SECONDS - start)) s, $kills daemons killed"
acc=$(grep -c . "$T/accepted") acc_sm=$(grep -c . "$T/accepted_sm")
t_check "most messages were accepted while daemons were being killed ($acc of $COUNT)" \
	test "$acc" -gt $((COUNT / 2))
t_check "sendmail queued local submissions meanwhile ($acc_sm of $LOCAL)" test "$acc_sm" -gt $((LOCAL / 2))
cat "$T/accepted_sm" >>"$T/accepted"
t_check "daemons were killed meanwhile ($kills)" test "$kills" -gt 10

dirs=("$H/Maildir/new" "$H/Maildir/cur" "$T/dump")
rob_wait_ids "$T/accepted" 180 Message-ID "${dirs[@]}"
if ! inst_wait rob_queue_empty; then
	t_fail "the queue drains" "$(cd "$I/queue" && find incoming active deferred -type f -printf '%p %m %s %TT\n' | head -5)"
	for f in $(find "$I/queue/incoming" "$I/queue/active" "$I/queue/deferred" -type f | head -3); do
		grep "${f##*/}" "$I/maillog" | tail -4 | sed 's/^/#   /'
	done
else
	t_ok "the queue drains ($(rob_incomplete) incomplete files left in incoming/ by killed cleanups)"
fi
rob_tally "$T/accepted" Message-ID "${dirs[@]}"
# dup_kinds DIR... - "same=N other=M": Message-IDs found more than once,
# those with one queue ID (hato's Received: header's "id") and the rest,
# with the intake they came through (sendmail's are tagged "-sm-")
dup_kinds() {
	python3 - "$@" <<'PY'
import collections, os, re, sys
seen = collections.defaultdict(list)
for d in sys.argv[1:]:
    for f in os.listdir(d):
        text = open(os.path.join(d, f), "rb").read().decode("latin-1")
        head = text.split("\n\n", 1)[0]
        mid = re.search(r"^Message-ID:\s*(\S+)", head, re.M | re.I)
        qid = re.search(r"\(hato[^)]*\)(?:\s+with\s+\S+)?\s+id\s+([0-9A-Za-z]+)", head)
        if mid:
            seen[mid.group(1)].append(qid.group(1) if qid else "")
same = sum(len(q) - len(set(q)) for q in seen.values())
other = sum(len(set(q)) - 1 for q in seen.values())
kinds = sorted({"pickup" if "-sm-" in m else "smtpd" for m, q in seen.items() if len(set(q)) > 1})
print("same=%d other=%d%s" % (same, other, " (%s)" % "+".join(kinds) if kinds else ""))
PY
}
md_dups=$(dup_kinds "$H/Maildir/new" "$H/Maildir/cur") relay_dups=$(dup_kinds "$T/dump")
possible=$(grep -c "possible duplicate" "$I/maillog") found=$(grep -c "by an earlier attempt" "$I/maillog")
echo "# crash: $ROB_TALLY; Maildir duplicates: $md_dups ($found found from an earlier attempt); relayed duplicates: $relay_dups ($possible possible-duplicate warnings)"
t_expect "no message delivered twice to the Maildir, for one queue file or two" "same=0 other=0" \
	echo "$md_dups"
t_expect "every message that got a 250 is delivered: lost = 0 ($ROB_TALLY)" 0 echo "$ROB_LOST"
t_expect "no queue file was moved to corrupt/" "" ls "$I/queue/corrupt"
t_check "master survived (pid $master)" kill -0 "$master"
t_expect "no daemon died other than by our kill -9" "" rob_crashes
inst_stop
