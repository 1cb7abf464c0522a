#!/usr/bin/env bash
# hato/man.sh - the manual pages (man/*.N): groff renders each without a
# warning (-ww), and hato(8) describes every command hato's usage lists
# (so a new command without its page fails here).
. "$HATO_TOP/tests/lib.sh"

for page in "$TOPDIR"/man/*.[1-8]; do
	t_expect "${page##*/} renders without a warning" "" \
		bash -c "groff -man -ww -z -Tutf8 '$page' 2>&1"
done
"$B/bin/hato" >/dev/null 2>"$T/usage" || true
cmds=$(sed -n 's/^  \([a-z-]*\)  .*/\1/p' "$T/usage")
t_check "hato's usage lists its commands" test "$(wc -w <<<"$cmds")" -ge 10
missing=""
for c in $cmds; do
	grep -q "^\.B ${c//-/\\\\-}\( \|$\)" "$TOPDIR/man/hato.8" || missing="$missing $c"
done
t_expect "hato(8) has an entry for every command of hato's usage" "" echo "$missing"
