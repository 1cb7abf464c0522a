#!/usr/bin/env bash
# layering.sh - the library layers (docs/architecture.md): libutil/
# (generic) below global/ (mail-aware) below store/ (the mail store).
# Every "x.h" a layer's file includes is found in that layer or one below
# it; the include paths the Makefile gives a layer make a violation a
# compile error (a probe that includes a global/ header with libutil/'s
# flags must fail to compile); and every .c/.h file opens with a header
# comment.
. "$HATO_TOP/tests/lib.sh"
cd "$TOPDIR"
below() {
	case $1 in libutil) echo libutil ;; global) echo global libutil ;; store) echo store global libutil ;; esac
}
for layer in libutil global store; do
	bad=$(for f in "$layer"/*.[ch]; do
		[ -e "$f" ] || continue
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			[ "$h" = unit_tests.def ] && continue	# generated into build/
			found=
			for d in $(below "$layer"); do [ -e "$d/$h" ] && found=yes; done
			[ -n "$found" ] || echo "$f includes $h"
		done
	done)
	if [ -z "$bad" ]; then t_ok "$layer/ includes only from itself and the layers below ($(below "$layer" | tr ' ' ','))"
	else t_fail "$layer/ includes only from itself and the layers below" "$bad"; fi
done
probe() {	# probe LAYER HEADER - compile '#include "HEADER"' with LAYER's flags
	printf '#include "%s"\nint probe_layer;\n' "$2" |
		${CC:-cc} -std=c11 -D_GNU_SOURCE $(make -s -C "$TOPDIR" "layer-inc-$1") -fsyntax-only -x c - 2>/dev/null
}
t_check "a libutil/ file can include libutil/'s buf.h" probe libutil buf.h
t_check_fail "a libutil/ file that includes global/'s params.h does not compile" probe libutil params.h
t_check_fail "a global/ file that includes store/'s maildir.h does not compile" probe global maildir.h
t_check "a store/ file can include global/'s qfile.h" probe store qfile.h
nohead=$(for f in $(git ls-files '*.c' '*.h' 2>/dev/null || ls */*.[ch]); do
	head -1 "$f" | grep -q '^/\*' || echo "$f"
done)
if [ -z "$nohead" ]; then t_ok "every C file opens with a header comment"
else t_fail "every C file opens with a header comment" $nohead; fi
