#!/usr/bin/env bash
# tables/golden - Postfix-style golden files through the real CLI:
# NAME.map (the table), NAME.in (one key per line) and NAME.ref (the
# expected "key<TAB>value" lines) for regexp, pcre and cidr, run through
# "postmap -q - TYPE:NAME.map < NAME.in" and diffed.
source "$HATO_TOP/tests/lib.sh"
dir=$TOPDIR/tests/tables

for type in regexp pcre cidr; do
	name="golden $type: postmap -q - $type:$type.map"
	if [ ! -x "$B/bin/postmap" ]; then
		t_fail "$name" "$B/bin/postmap not built"
		continue
	fi
	"$B/bin/postmap" -q - "$type:$dir/$type.map" <"$dir/$type.in" >"$T/$type.out" 2>"$T/$type.err"
	if ! diff -u "$dir/$type.ref" "$T/$type.out" >"$T/$type.diff"; then
		t_fail "$name" "output differs from $type.ref:" "$(head -20 "$T/$type.diff")"
	elif [ -s "$T/$type.err" ]; then
		t_fail "$name" "unexpected stderr: $(head -3 "$T/$type.err")"
	else
		t_ok "$name"
	fi
done
