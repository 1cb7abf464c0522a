#!/usr/bin/env bash
# robust/fuzz_corpus.sh - fuzz regressions: every libFuzzer target (make
# fuzz-build, clang, ASan+UBSan) runs once over each file of its seed
# corpus tests/fuzz/NAME/, which also keeps the inputs of crashes found and
# fixed (crash-* / regress-* files).  A libFuzzer binary given files only
# executes them: no fuzzing, a few seconds in all.  Building every target
# costs 20-45 s on this 2-core machine (measured: 19 s and 42 s wall from
# scratch, depending on load); it reuses build/fuzzobj when up to date.
. "$HATO_TOP/tests/lib.sh"
command -v "${FUZZ_CC:-clang}" >/dev/null ||
	{ t_fail "clang is installed (make deps): the fuzz regressions need it"; exit 0; }

start=$SECONDS
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOPDIR" -j2 fuzz-build >"$T/build.log" 2>&1; then
	t_ok "make fuzz-build ($((SECONDS - start)) s)"
else
	t_fail "make fuzz-build" "$(grep -m3 -E 'error|Error' "$T/build.log")"; exit 0
fi
for name in fuzz_config/regress-mydomain-cycle fuzz_message/regress-content-type-no-colon; do
	t_check "regression input $name is kept" test -s "$TOPDIR/tests/fuzz/$name"
done
n=0
for bin in "$B"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/} corpus=$TOPDIR/tests/fuzz/${bin##*/}
	n=$((n + 1))
	files=("$corpus"/*)
	if [ ! -d "$corpus" ] || [ ! -e "${files[0]}" ]; then
		t_fail "$name has a seed corpus in tests/fuzz/$name/"; continue
	fi
	if (cd "$T" && "$bin" -runs=1 "${files[@]}") >"$T/$name.log" 2>&1; then
		t_ok "$name: its ${#files[@]} corpus inputs run clean"
	else
		t_fail "$name: its corpus inputs run clean" \
			"$(grep -m3 -E 'ERROR|SUMMARY|Running:' "$T/$name.log" | tail -3)"
	fi
done
t_check "fuzz targets were found ($n)" test "$n" -gt 10
