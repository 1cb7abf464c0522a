# tests/lib/robust.sh - shared shell for the robustness tests (tests/robust/)
# and delivery/kill.sh; source it after tests/lib.sh and instance.sh.
#   rob_killer NAME...    every 0.2 s kill -9 one process of this instance
#                         (a child of its master) whose name is picked at
#                         random among NAMEs; KILLER_PID, rob_killer_stop
#   rob_ids HEADER DIR... the HEADER values of every file under the DIRs,
#                         one per line, duplicates kept
#   rob_wait_ids WANT SECS HEADER DIR...  true once every line of the
#                         file WANT is among the ids (waits SECS at most)
#   rob_tally WANT HEADER DIR...  sets ROB_TALLY to "accepted=N
#                         delivered=N duplicated=N lost=N unacknowledged=N",
#                         ROB_LOST and ROB_DUPS (unacknowledged: delivered
#                         but the client never saw the 250, e.g. its smtpd
#                         was killed after cleanup committed: allowed)
#   rob_queue_empty       no complete file (owner-execute bit set, R13) in
#                         incoming, active, deferred; an incomplete one is
#                         what a cleanup killed mid-message leaves behind,
#                         for postsuper to remove after a day, as in Postfix
#   rob_incomplete        how many incomplete files incoming/ holds
#   rob_master_pid        the instance's master pid (empty if none)
#   rob_crashes           maillog lines where a daemon died on its own
#                         (a signal other than our 9, or a fatal/panic)
#   rob_pick_ports N      choose SMTP_PORT (before inst_new) so that it and
#                         the N-1 ports above it are not in use, below the
#                         ephemeral range (the load test's thousands of
#                         client connections live there)
#   rob_start             inst_start, one ok/not ok line; the test ends
#                         here when the instance does not start
#   STRESS                set (to anything) by make stress: long forms
STRESS=${STRESS:-}
KILLER_PID=

rob_pick_ports() { inst_pick_ports "$@"; }

rob_start() {
	if inst_start; then
		t_ok "instance starts"
	else
		t_fail "instance starts" "$(grep -m2 -E 'fatal|error' "$I/maillog" 2>/dev/null)"
		exit 0
	fi
}

rob_master_pid() { tr -dc 0-9 <"$I/queue/pid/master.pid" 2>/dev/null; }

rob_killer() {
	( while :; do
		name=$(shuf -n1 -e "$@")
		master=$(rob_master_pid)
		for p in $(pgrep -x -P "${master:-1}" "$name" | shuf); do	# this instance's only
			kill -9 "$p" 2>/dev/null && break
		done
		sleep 0.2
	done ) &
	KILLER_PID=$!
}

rob_killer_stop() {
	[ -n "$KILLER_PID" ] || return 0
	kill "$KILLER_PID" 2>/dev/null; wait "$KILLER_PID" 2>/dev/null; KILLER_PID=
}

rob_ids() {
	local h=$1; shift
	find "$@" -type f -print0 2>/dev/null | xargs -0 -r grep -h -i -m1 "^$h:" |
		sed "s/^[^:]*: *//" | tr -d '\r'
}

rob_wait_ids() {
	local want=$1 secs=$2; shift 2
	for _ in $(seq $((secs * 2))); do
		[ -z "$(comm -23 <(sort -u "$want") <(rob_ids "$@" | sort -u))" ] && return 0
		sleep 0.5
	done
	return 1
}

rob_tally() {
	local want=$1; shift
	local got=$T/.rob_got n_acc n_del n_uniq unack
	rob_ids "$@" >"$got"
	n_acc=$(sort -u "$want" | grep -c .)
	n_del=$(grep -c . "$got")
	n_uniq=$(sort -u "$got" | grep -c .)
	ROB_LOST=$(comm -23 <(sort -u "$want") <(sort -u "$got") | grep -c .)
	ROB_DUPS=$((n_del - n_uniq))
	unack=$(comm -13 <(sort -u "$want") <(sort -u "$got") | grep -c .)
	ROB_TALLY="accepted=$n_acc delivered=$n_del duplicated=$ROB_DUPS lost=$ROB_LOST unacknowledged=$unack"
}

rob_queue_empty() {
	[ -z "$(find "$I/queue/incoming" "$I/queue/active" "$I/queue/deferred" -type f -perm -u+x 2>/dev/null)" ]
}

rob_incomplete() { find "$I/queue/incoming" -type f ! -perm -u+x | grep -c .; }

rob_crashes() {
	grep -E "killed by signal [^9]|killed by signal 9[0-9]|exit status [1-9]|fatal:|panic:" "$I/maillog" 2>/dev/null
}
