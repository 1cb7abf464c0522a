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
