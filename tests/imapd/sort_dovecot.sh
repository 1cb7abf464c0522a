#!/usr/bin/env bash
# sort_dovecot.sh - SORT and THREAD against Dovecot: a Maildir of ~160
# generated messages (sort_corpus.py: threads, missing parents, Re:/Fwd:
# subjects, [tags], encoded subjects, equal dates) is sorted and
# threaded with the same commands (SORT with every criterion, REVERSE,
# several criteria and search programs; THREAD ORDEREDSUBJECT and
# REFERENCES; UID and sequence forms; errors by their status) by a
# private Dovecot 2.3 and by hato's imapd; the answers must be equal
# (sort_dovecot.py lists deliberate differences with their RFC clause);
# ESORT (SORT RETURN (MIN MAX COUNT ALL), RFC 5267) answers the same ESEARCH.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "sort tests skipped: they need root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_ok "sort tests skipped: no dovecot # SKIP"; exit 0; }
export TZ=Europe/Helsinki
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
. "$TOPDIR/tests/lib/imap_oracle.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlsort1 PW=Sort-pass-1
t_check "an instance with imapd starts" imap_instance $U $PW
python3 "$TOPDIR/tests/imapd/sort_corpus.py" "$INST_HOME/Maildir" && chown -R "$U:" "$INST_HOME/Maildir"
t_check "the corpus has at least 100 messages" test "$(ls "$INST_HOME/Maildir/cur" | wc -l)" -ge 100
t_check "a private Dovecot starts" oracle_start
t_check "both announce SORT and THREAD" bash -c "
	python3 '$TOPDIR/tests/imapd/session.py' 127.0.0.1 $IMAP_PORT 'a LOGIN $U $PW\\r\\n' 'b CAPABILITY\\r\\n' 'c LOGOUT\\r\\n' |
		grep -q 'SORT.*THREAD=ORDEREDSUBJECT THREAD=REFERENCES'"
has_esort() { "$1" "a LOGIN $U $2\r\n" 'b CAPABILITY\r\n' 'c LOGOUT\r\n' | grep '^\* CAPABILITY' | grep -qw ESORT; }
if has_esort hs "$PW" && has_esort ds "$DOVECOT_PASS"; then
	t_ok "both announce ESORT after login (RFC 5267)"
else
	t_fail "both announce ESORT after login (RFC 5267)"
fi
python3 "$TOPDIR/tests/imapd/sort_dovecot.py" $DV_IMAP "$DOVECOT_PASS" $IMAP_PORT "$PW" "$U"
