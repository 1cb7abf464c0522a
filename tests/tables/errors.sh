#!/usr/bin/env bash
# tables/errors - a bad table line is one warning on stderr that names the
# file and the line ("FILE, line N: problem"); the other rules still work.
source "$HATO_TOP/tests/lib.sh"

# expect_warning NAME KEY TABLE WANT... - query KEY; stderr must hold each WANT
expect_warning() {
	local name=$1 key=$2 table=$3 want missing=()
	shift 3
	if [ ! -x "$B/bin/postmap" ]; then
		t_fail "$name" "$B/bin/postmap not built"
		return
	fi
	"$B/bin/postmap" -q "$key" "$table" >"$T/.out" 2>"$T/.err"
	for want; do
		grep -qF -- "$want" "$T/.err" || missing+=("$want")
	done
	if [ ${#missing[@]} = 0 ]; then t_ok "$name"; else
		t_fail "$name" "stderr lacks: ${missing[*]}" "stderr: $(head -3 "$T/.err")"
	fi
}

printf '# a comment\n/^ok$/ OK\n\n/a(b/ BAD\n/^x/ X\n' >"$T/badpat"
expect_warning "regexp: bad pattern names file and line 4" x "regexp:$T/badpat" \
	"$T/badpat, line 4: bad regular expression: missing closing parenthesis"
t_expect "regexp: rules after a bad pattern still match" "X" "$B/bin/postmap" -q x "regexp:$T/badpat"

printf '/^a/ A\n/^b/\n  # comment\n/^c/   \n/^x/ X\n' >"$T/noresult"
expect_warning "regexp: rules with no result name file and lines 2 and 4" x "regexp:$T/noresult" \
	"$T/noresult, line 2: a table line with no value" \
	"$T/noresult, line 4: a table line with no value"

printf 'if /^a/\n/(b)/ $2\nendif\nendif\n' >"$T/blocks"
expect_warning "pcre: bad \$n and stray endif name their lines" x "pcre:$T/blocks" \
	"$T/blocks, line 2: \$2 out of range" "$T/blocks, line 4: \"endif\" without \"if\""

printf '10.0.0.0/8 TEN\n10.1.2.3/16 BAD\n' >"$T/cidr"
expect_warning "cidr: host bits set names file and line 2" 10.1.2.3 "cidr:$T/cidr" \
	"$T/cidr, line 2: non-null host address bits"
