#!/usr/bin/env bash
# search_dovecot.sh - SEARCH against Dovecot: a Maildir of 139 varied
# messages (search_corpus.py) is searched with the same 200+ UID SEARCH
# programs by a private Dovecot 2.3 and by hato's imapd (imaplib, the
# same Maildir), and by hato's SEARCH module alone (build/tests/
# imapsearch, UIDs from Dovecot's dovecot-uidlist; once reading the
# files, once with the envelope fields as the index caches them, the
# files only for what those cannot answer); the answers must be
# equal (search_dovecot.py lists deliberate differences with their RFC
# clause).  Everything runs in one non-UTC zone, so internal dates
# compare by the server's local day.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "search tests skipped: they need root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_ok "search tests skipped: no dovecot # SKIP"; exit 0; }
export TZ=Europe/Helsinki
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
. "$TOPDIR/tests/lib/imap_oracle.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlsrch1 PW=Search-pass-1
t_check "an instance with imapd starts" imap_instance $U $PW
python3 "$TOPDIR/tests/imapd/search_corpus.py" "$INST_HOME/Maildir" && chown -R "$U:" "$INST_HOME/Maildir"
t_expect "the corpus has 139 messages" 139 bash -c "ls '$INST_HOME/Maildir/cur' | wc -l"
t_check "a private Dovecot starts" oracle_start
python3 "$TOPDIR/tests/imapd/search_dovecot.py" $DV_IMAP "$DOVECOT_PASS" $IMAP_PORT "$PW" "$U" \
	"$INST_HOME/Maildir" "$B/tests/imapsearch"

# SEARCHRES (RFC 5182): '$' in FETCH, UID FETCH, STORE, COPY and UID
# EXPUNGE, reset by SELECT, as Dovecot
# answers on the same Maildir (+FLAGS twice leaves the same state; flags
# compared as sets; EXISTS, RECENT and \Recent as well: the copies are
# \Recent for the session that SELECTs their folder first)
res_steps=('s SELECT INBOX\r\n' 'f0 FETCH $ (UID)\r\n' 'r1 SEARCH RETURN (SAVE) UID 3:7\r\n'
	'f1 FETCH $ (UID)\r\n' 'f2 UID FETCH $ (UID)\r\n' 's1 STORE $ +FLAGS.SILENT (\\Draft)\r\n'
	'f3 FETCH $ (FLAGS)\r\n' 'c1 CREATE ResBox\r\n' 'c2 COPY $ ResBox\r\n' 'c3 STATUS ResBox (MESSAGES)\r\n'
	'x1 SELECT ResBox\r\n' 'x2 FETCH $ (UID)\r\n' 'x3 SEARCH RETURN (SAVE) 2:3\r\n'
	'x4 STORE 1:* +FLAGS.SILENT (\\Deleted)\r\n' 'x5 UID EXPUNGE $\r\n' 'x6 FETCH 1:* (FLAGS)\r\n'
	'x7 SELECT INBOX\r\n' 'c4 DELETE ResBox\r\n' 'r2 UID SEARCH RETURN (SAVE) SUBJECT nosuchsubjectatall\r\n'
	'f4 FETCH $ (UID)\r\n' 'f5 FETCH $,1 (UID)\r\n')
res_of() {
	python3 "$TOPDIR/tests/imapd/session.py" --quiet 1.5 127.0.0.1 "$1" "a LOGIN $U $2\\r\\n" "${res_steps[@]}" |
		sed 1,2d | grep -v '^\* \(OK\|FLAGS\)' | sed -E 's/ \(([0-9.]+ \+ )*[0-9.]+ secs\)//; s/COPYUID [0-9]+ [0-9:,]+ [0-9:,]+/COPYUID V/' |
		python3 -c 'import re, sys
for l in sys.stdin: print(re.sub(r"FLAGS \(([^)]*)\)", lambda m: "FLAGS (" + " ".join(sorted(m.group(1).split())) + ")", l), end="")'
}
res_of $IMAP_PORT "$PW" >"$T/res.h"
res_of $DV_IMAP "$DOVECOT_PASS" >"$T/res.d"
if grep -q '^f1 OK' "$T/res.h" && cmp -s "$T/res.h" "$T/res.d"; then t_ok "SEARCHRES: '\$' in FETCH, UID FETCH, STORE, COPY, UID EXPUNGE as Dovecot"
else t_fail "SEARCHRES: '\$' in FETCH, UID FETCH, STORE, COPY, UID EXPUNGE as Dovecot" "$(diff "$T/res.h" "$T/res.d" | head -20)"; fi
