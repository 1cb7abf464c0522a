#!/usr/bin/env bash
# pickup/once.sh - a sendmail message is queued once even when pickup dies
# between cleanup's 250 and its removal of the maildrop file (strace kills
# pickup at that unlinkat): the restarted pickup offers the same file
# again, and cleanup, which named the queue file after it, answers that it
# is queued already (cleanup_maildrop.c).  Held by a header check, the one
# copy waits in hold/; without the hold, qmgr delivers it and removes the
# maildrop file first, and either way one copy reaches the Maildir.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pickup tests skipped: they need root # SKIP"; exit 0; }
command -v strace >/dev/null || { t_fail "strace is installed (make deps)"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_add_pickup 1
inst_add_maildir qmgr
printf '/^Subject: hold-me/ HOLD\n' >"$I/header_checks"
inst_set "header_checks = regexp:$I/header_checks" "service_throttle_time = 1s" "queue_run_delay = 1s"
u=hlonce$$
inst_user "$u"
export HATO_CONFIG=$I
t_check "instance with pickup, qmgr and local starts" inst_start

pickup_pid() { inst_pids pickup | head -1; }
maildrop_empty() { [ -z "$(ls -A "$I/queue/maildrop")" ]; }
held() { find "$I/queue/hold" -type f -printf '%f\n'; }

# kill_pickup_at_unlink SUBJECT - submit with sendmail while strace stands
# ready to kill pickup when it removes the maildrop file; prints that
# file's name
kill_pickup_at_unlink() {
	local pid name
	pid=$(pickup_pid)
	[ -n "$pid" ] || return 1
	strace -q -p "$pid" -e trace=unlinkat -e inject=unlinkat:signal=KILL:when=1 \
		-o /dev/null & local st=$!
	sleep 0.5		# attached
	printf 'Subject: %s\n\nbody\n' "$1" | "$B/bin/sendmail" -i "$u@mx.example.test" || return 1
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$st" 2>/dev/null
	kill -0 "$pid" 2>/dev/null && return 1
	sed -n "s/.*pickup\[$pid\]: \([0-9A-Za-z]*\): uid=.*/\1/p" "$I/maillog" | tail -1
}

# 1: held, so the first copy stays in the queue while pickup restarts
name=$(kill_pickup_at_unlink hold-me-1)
t_check "pickup was killed before it removed maildrop/$name" test -n "$name"
t_check "a new pickup takes the file again and removes it" inst_wait maildrop_empty
t_check "...cleanup said it is queued already" \
	inst_wait grep -q "$name: already queued from maildrop/$name: not queued again" "$I/maillog"
t_expect "one copy waits in hold/, under the maildrop file's name" "$name" held
t_check "released, it is delivered" "$B/bin/postsuper" -H ALL
one_delivered() { [ "$(ls "$INST_HOME/Maildir/new" 2>/dev/null | wc -l)" = "$1" ]; }
t_check "...once" inst_wait one_delivered 1
sleep 2
t_check "...and only once" one_delivered 1

# 2: not held: qmgr may deliver the first copy before pickup is back;
# then it removes the maildrop file itself, first
name=$(kill_pickup_at_unlink plain-2)
t_check "pickup was killed before it removed maildrop/$name (2)" test -n "$name"
t_check "the maildrop file goes" inst_wait maildrop_empty
t_check "the message is delivered" inst_wait one_delivered 2
sleep 3
t_check "...once (2 messages in all)" one_delivered 2
t_check "...by cleanup's check or qmgr's removal of the maildrop file" \
	grep -Eq "$name: (already queued from maildrop|removed maildrop/$name before pickup did)" "$I/maillog"
t_expect "no daemon died other than by the kill" "" \
	bash -c "grep -E 'killed by signal|fatal|panic' '$I/maillog' | grep -v 'signal 9'"
inst_stop
