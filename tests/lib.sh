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
