# tests/lib/run_parallel.sh - tests/run -jN: N tests at once, sourced by
# tests/run (which sets names[] and cmds[] and defines header and report).
#   run_parallel N   runs cmds[i] with output into a file of its own; prints
#                    each test's header and output whole, in index order,
#                    as soon as it and every test before it have finished
# Shared state the scripts would race for, handled here once:
# - the system users hato init makes (mail_owner hato, setgid_group
#   hatodrop, hatonull, hatoauth): a script that does not find them makes
#   them and removes them at exit, under the feet of a script that found
#   them.  As root, this runner makes them first (hato init --dev into its
#   own directory) and removes at the end only those it made.
# - /etc/passwd, /etc/group, /etc/shadow: useradd and friends fail at once
#   ("cannot lock /etc/passwd") while another holds the lock; wrappers of
#   the same names on PATH run them one at a time (flock on a file here).
# - ports: each script gets a slot (HATO_TEST_SLOT of HATO_TEST_SLOTS),
#   and tests/lib/instance.sh picks its ports in that slot's slice.
# Everything is made in one /tmp/hato-run.XXXXXX directory, removed at exit.

run_made_users=() run_made_groups=()

# run_wrappers DIR - DIR/bin: flock'ed useradd, userdel, ... in front of PATH
run_wrappers() {
	local dir=$1 cmd real
	mkdir -p "$dir/bin" || return 1
	command -v flock >/dev/null || return 1
	for cmd in useradd userdel usermod groupadd groupdel groupmod chpasswd gpasswd chage; do
		real=$(command -v "$cmd") || continue
		printf '#!/bin/sh\n# %s one at a time (tests/lib/run_parallel.sh)\nexec flock %q %q "$@"\n' \
			"$cmd" "$dir/passwd.lock" "$real" >"$dir/bin/$cmd" && chmod 755 "$dir/bin/$cmd" || return 1
	done
	PATH=$dir/bin:$PATH
}

# run_users DIR - as root, the system users hato init makes, made now
run_users() {
	local dir=$1 u g
	[ "$(id -u)" = 0 ] || return 0
	for u in hato hatonull hatoauth; do id "$u" >/dev/null 2>&1 || run_made_users+=("$u"); done
	for g in hato hatodrop hatonull hatoauth; do getent group "$g" >/dev/null || run_made_groups+=("$g"); done
	[ ${#run_made_users[@]} = 0 ] && [ ${#run_made_groups[@]} = 0 ] && return 0
	chmod 755 "$dir"
	"$HATO_BUILD/bin/hato" init --dev "$dir/init" >"$dir/init.log" 2>&1 && return 0
	echo "# tests/run: hato init --dev could not make the system users: $(tail -2 "$dir/init.log")"
	return 1
}

# run_cleanup DIR - remove what run_users made, and DIR
run_cleanup() {
	local u g
	for u in "${run_made_users[@]}"; do userdel "$u" >/dev/null 2>&1; done
	for g in "${run_made_groups[@]}"; do groupdel "$g" >/dev/null 2>&1; done
	rm -rf "$1"
}

# run_start DIR I SLOT SLOTS - test I in the background: DIR/I.out, then
# "status seconds" in DIR/I.rc when it is over
run_start() {
	local dir=$1 i=$2
	(
		export HATO_TEST_SLOT=$3 HATO_TEST_SLOTS=$4
		start=$SECONDS
		"${cmds[$i]}" >"$dir/$i.out" 2>&1 </dev/null
		rc=$?
		echo "$rc $((SECONDS - start))" >"$dir/$i.tmp" && mv "$dir/$i.tmp" "$dir/$i.rc"
	) &
}

# run_flush DIR - print and count every finished test from index next on
run_flush() {
	local dir=$1 rc secs
	while [ "$next" -lt ${#names[@]} ] && [ -f "$dir/$next.rc" ]; do
		read -r rc secs <"$dir/$next.rc"
		header "$next"
		report "${names[$next]}" "$dir/$next.out" "$rc" "$secs"
		rm -f "$dir/$next.out"	# the .rc stays: run_parallel reads it for the slot
		next=$((next + 1))
	done
}

run_parallel() {
	local n=$1 dir i s free
	local -a owner=()	# owner[slot] = index of the test running there
	next=0
	dir=$(mktemp -d /tmp/hato-run.XXXXXX) || { run_serial; return; }
	run_dir=$dir
	trap 'run_cleanup "$run_dir"' EXIT
	if ! run_wrappers "$dir" || ! run_users "$dir"; then
		echo "# tests/run: running one test at a time"
		run_serial
		return
	fi
	for i in "${!names[@]}"; do
		free=
		while [ -z "$free" ]; do
			for ((s = 0; s < n; s++)); do
				if [ -z "${owner[$s]:-}" ] || [ -f "$dir/${owner[$s]}.rc" ]; then free=$s; break; fi
			done
			[ -n "$free" ] || sleep 0.1
			run_flush "$dir"
		done
		owner[$free]=$i
		run_start "$dir" "$i" "$free" "$n"
	done
	while [ "$next" -lt ${#names[@]} ]; do
		sleep 0.1
		run_flush "$dir"
	done
	wait
}
