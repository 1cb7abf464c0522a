#!/usr/bin/env bash
# examples.sh - tests use the guide's files from tests/examples/vps-guide;
# where the shared contract is checked out next to the project, the copy
# must be identical to it.
. "$HATO_TOP/tests/lib.sh"
shared=$TOPDIR/../shared/examples/vps-guide
if [ -d "$shared" ]; then
	t_check "tests/examples/vps-guide is the guide's files, unchanged" diff -r "$shared" "$EXAMPLES"
else
	t_check "tests/examples/vps-guide holds the guide's files" \
		test -f "$EXAMPLES/main.cf" -a -f "$EXAMPLES/master.cf" -a -f "$EXAMPLES/access"
fi
