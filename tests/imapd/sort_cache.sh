#!/usr/bin/env bash
# sort_cache.sh - SORT and THREAD from the sort keys the index keeps
# (imapmail_sortkeys.c, imapmail_sortcache.c), against Dovecot on the
# same Maildir (sort_corpus.py, sort_dovecot.py's commands), at each
# stage of the keys' life:
#   1. an old cache: the envelopes cached by FETCH ENVELOPE, no sort keys
#      (as a cache filled before they existed): the keys are computed
#      from the cached envelopes and kept, one side entry per message;
#   2. a new session: every key read from the side table;
#   3. a message appended and one expunged: the new one's keys computed,
#      the expunged one's side entry dropped.
# The side entries are counted with mdb_dump when it is installed.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "sort cache tests skipped: they need root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_ok "sort cache tests skipped: no dovecot # SKIP"; exit 0; }
export TZ=Europe/Helsinki
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
. "$TOPDIR/tests/lib/imap_oracle.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlsortc1 PW=Sortc-pass-1
t_check "an instance with imapd starts" imap_instance $U $PW
python3 "$TOPDIR/tests/imapd/sort_corpus.py" "$INST_HOME/Maildir" && chown -R "$U:" "$INST_HOME/Maildir"
t_check "a private Dovecot starts" oracle_start

# side_entries - how many side entries (sort keys) INBOX has in the index
side_entries() {
	mdb_dump -p -s cache "$INST_HOME/Maildir/hato-index.lmdb" | grep -c '^ CINBOX\\00'
}
messages() { ls "$INST_HOME/Maildir/cur" "$INST_HOME/Maildir/new" | grep -c '^[0-9]'; }

# compare STAGE - sort_dovecot.py's commands to both, each line named by the stage
compare() {
	local stage=$1
	python3 "$TOPDIR/tests/imapd/sort_dovecot.py" $DV_IMAP "$DOVECOT_PASS" $IMAP_PORT "$PW" "$U" |
		sed "s/^\(\(not \)\?ok\) - /\1 - $stage: /"
}

N=$(messages)
t_check "an old cache: FETCH ENVELOPE fills the envelopes" bash -c "
	python3 '$TOPDIR/tests/imapd/session.py' 127.0.0.1 $IMAP_PORT 'a LOGIN $U $PW\\r\\n' \
		'b SELECT INBOX\\r\\n' 'c FETCH 1:* (ENVELOPE)\\r\\n' 'd LOGOUT\\r\\n' | grep -q '^c OK'"
if command -v mdb_dump >/dev/null; then
	t_check "the old cache has no sort keys" test "$(side_entries)" = 0
fi
compare "keys from cached envelopes"
if command -v mdb_dump >/dev/null; then
	t_check "every message's keys are kept ($N)" test "$(side_entries)" = "$N"
fi
compare "keys from the side table"

MSG='Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nFrom: "Aaron A" <aaron@example.org>\r\nTo: zed@example.org\r\nSubject: Re: [new] aaa first of all\r\nMessage-ID: <appended@example.org>\r\nReferences: <t1m1@example.org>\r\n\r\nappended\r\n'
LEN=$(printf "$MSG" | wc -c)
t_check "a message appended, one expunged" bash -c "
	python3 '$TOPDIR/tests/imapd/session.py' 127.0.0.1 $IMAP_PORT 'a LOGIN $U $PW\\r\\n' \
		'b APPEND INBOX {$LEN}\\r\\n' '$MSG\\r\\n' 'c SELECT INBOX\\r\\n' \
		'd STORE 3 +FLAGS (\\\\Deleted)\\r\\n' 'e EXPUNGE\\r\\n' 'f LOGOUT\\r\\n' |
		grep -q '^e OK'"
t_check "the folder has one message more and one less" test "$(messages)" = "$N"
compare "after an append and an expunge"
if command -v mdb_dump >/dev/null; then
	t_check "the expunged message's keys are gone, the new one's kept" test "$(side_entries)" = "$N"
fi
