#!/usr/bin/env bash
# layering.sh - libutil's generic modules never include mail-aware ones
# (STYLE R1: mail_*, queue_*, rec_*, qrec*, qfile*, cleanup_*, addr*,
# access*), and every .c/.h file
# opens with a header comment.
. "$HATO_TOP/tests/lib.sh"
cd "$TOPDIR"
mailaware='^libutil/(mail_|queue_|rec_|qrec|qfile|cleanup_|dsn_|deliver|maildir|mbox|addr|access|fuzz_|.*_test\.c)'
bad=$(for f in libutil/*.[ch]; do
	[[ $f =~ $mailaware ]] && continue
	grep -HnE '#include "(mail_|queue_|rec_|qrec|qfile|cleanup_|addr|access)[a-z_]*\.h"' "$f"
done)
if [ -z "$bad" ]; then t_ok "generic libutil modules include no mail-aware header"
else t_fail "generic libutil modules include no mail-aware header" "$bad"; fi
nohead=$(for f in $(git ls-files '*.c' '*.h' 2>/dev/null || ls */*.[ch]); do
	head -1 "$f" | grep -q '^/\*' || echo "$f"
done)
if [ -z "$nohead" ]; then t_ok "every C file opens with a header comment"
else t_fail "every C file opens with a header comment" $nohead; fi
