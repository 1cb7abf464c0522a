# tests/lib.sh - helpers for shell test scripts; source it first.
#   t_tmp             a private scratch directory ($T), removed at exit
#   t_ok NAME / t_fail NAME WHY
#   t_check NAME CMD...            passes if CMD exits 0
#   t_check_fail NAME CMD...       passes if CMD exits non-zero
#   t_expect NAME WANT CMD...      passes if CMD's stdout equals WANT
#   t_expect_err NAME SUBSTR CMD...  passes if CMD fails and stderr contains SUBSTR
# Programs are called by full path ($B/bin/postmap): Debian's postfix
# package puts its own postconf/postmap on PATH.
set -u
B=${HATO_BUILD:?run through tests/run or make check}
TOPDIR=${HATO_TOP:?}
EXAMPLES=$TOPDIR/tests/examples/vps-guide
T=$(mktemp -d /tmp/hato-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

# t_retry CMD... - CMD again while it fails, for 6 s at most: useradd,
# userdel and chpasswd fail at once when another process holds the lock
# of /etc/passwd or /etc/shadow (another test run on the machine)
t_retry() {
	local i
	for i in $(seq 30); do "$@" && return 0; sleep 0.2; done
	return 1
}

# t_free_ports N - print the first of N consecutive free TCP ports, below
# the ephemeral range (a random port there can collide with a client
# socket); under tests/run -jN, in this script's slot's slice of it
# (HATO_TEST_SLOT of HATO_TEST_SLOTS), so scripts running at once never
# pick the same ports
t_free_ports() {
	local p i busy lo slots=${HATO_TEST_SLOTS:-1} slot=${HATO_TEST_SLOT:-0} width
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	width=$(((lo - 20000) / slots))
	for _ in $(seq 50); do
		p=$((20000 + slot * width + RANDOM % (width - $1 - 2))) busy=
		for i in $(seq 0 $(($1 - 1))); do
			ss -Htan "sport = :$((p + i))" | grep -q . && busy=yes
		done
		[ -z "$busy" ] && { echo "$p"; return 0; }
	done
	echo $((20000 + slot * width + RANDOM % (width - $1 - 2)))
	return 1
}

t_ok() { echo "ok - $1"; }
t_fail() { echo "not ok - $1"; shift; printf '#   %s\n' "$@"; }

t_check() {
	local name=$1; shift
	if "$@" >"$T/.out" 2>&1; then t_ok "$name"; else t_fail "$name" "command failed: $*" "$(head -5 "$T/.out")"; fi
}

t_check_fail() {
	local name=$1; shift
	if "$@" >"$T/.out" 2>&1; then t_fail "$name" "command succeeded: $*"; else t_ok "$name"; fi
}

t_expect() {
	local name=$1 want=$2; shift 2
	local got
	got=$("$@" 2>"$T/.err")
	if [ "$got" = "$want" ]; then t_ok "$name"; else
		t_fail "$name" "command: $*" "want: $want" "got:  $got" "stderr: $(head -3 "$T/.err")"
	fi
}

t_expect_err() {
	local name=$1 want=$2; shift 2
	if "$@" >"$T/.out" 2>"$T/.err"; then
		t_fail "$name" "command succeeded: $*"
	elif grep -qF -- "$want" "$T/.err"; then t_ok "$name"; else
		t_fail "$name" "stderr lacks: $want" "stderr: $(head -3 "$T/.err")"
	fi
}
