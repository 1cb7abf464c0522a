#!/usr/bin/env bash
# imapd/multiappend.sh - MULTIAPPEND (RFC 3502): one APPEND with several
# messages, each with its own flags and date, answered with one APPENDUID
# set (RFC 4315); all or none: a command whose later message is malformed
# is BAD and appends nothing, one over the quota is NO [OVERQUOTA] and
# appends nothing.  Both hato and a private Dovecot 2.3 announce it, and
# answer the malformed command with BAD, appending nothing.  Client: raw sessions
# (tests/imapd/session.py) with LITERAL+.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imapd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
DOVECOT_PASS=Mapp-pass-1	# the oracle's static password: the same as hato's
. "$TOPDIR/tests/lib/dovecot.sh"
. "$TOPDIR/tests/lib/imap_oracle.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlmapp1 PW=Mapp-pass-1
t_check "an instance with imapd starts" imap_instance $U $PW "quota_rule = *:messages=5"
t_check "a private Dovecot (the oracle) starts" oracle_start
login="a LOGIN $U $PW\r\n"
files() { find "$INST_HOME/Maildir/cur" "$INST_HOME/Maildir/new" -type f 2>/dev/null | wc -l; }

hs "$login" 'b CAPABILITY\r\n' >"$T/cap.h"
ds "$login" 'b CAPABILITY\r\n' >"$T/cap.d"
t_check "both announce MULTIAPPEND after login" \
	bash -c "grep '^\* CAPABILITY' '$T/cap.h' | grep -qw MULTIAPPEND && grep '^\* CAPABILITY' '$T/cap.d' | grep -qw MULTIAPPEND"

# lit N - a message "Subject: N" with body line N, as a LITERAL+ literal
# (escaped for session.py)
lit() { local m="Subject: $1\\r\\n\\r\\n$1"; printf '{%d+}\\r\\n%s' "$(printf '%b' "$m" | wc -c)" "$m"; }
three="c APPEND INBOX (\\\\Seen) $(lit one) \"01-Jan-2020 10:00:00 +0000\" $(lit two) (\\\\Flagged \$Work) $(lit three)\\r\\n"
hs "$login" "$three" 'd SELECT INBOX\r\n' 'e FETCH 1:* (FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n' >"$T/three.out"
t_check "three messages in one APPEND: OK with one APPENDUID set, 1:3 (as Dovecot writes it)" \
	grep -qE '^c OK \[APPENDUID [0-9]+ 1:3\] Append completed\.' "$T/three.out"
t_check "...all three in the folder, in order" \
	bash -c "grep -q '^\* 3 EXISTS' '$T/three.out' && [ \$(grep -c 'Subject: ' '$T/three.out') = 3 ]"
t_check "...the first \\Seen, the third \\Flagged and \$Work" \
	bash -c "grep -q '^\* 1 FETCH (FLAGS (\\\\Seen \\\\Recent)' '$T/three.out' && grep -q '^\* 3 FETCH (FLAGS (\\\\Flagged \\\$Work \\\\Recent)' '$T/three.out'"
t_check "...the second with its own date" grep -q '^\* 2 FETCH (FLAGS (\\Recent) INTERNALDATE "01-Jan-2020 10:00:00 +0000"' "$T/three.out"
t_expect "...three files in the Maildir" 3 files

bad="f APPEND INBOX $(lit four) \"not a date\" $(lit five)\\r\\n"
hs "$login" "$bad" >"$T/bad.out"
t_check "a later message malformed: BAD" grep -q '^f BAD ' "$T/bad.out"
t_expect "...and the first is not appended either" 3 files
ds "$login" "$bad" >"$T/bad.d"
t_check "...Dovecot too answers BAD" grep -q '^f BAD ' "$T/bad.d"
t_expect "...and appends nothing either" 3 files

over="g APPEND INBOX $(lit four) $(lit five) $(lit six)\\r\\n"
hs "$login" "$over" >"$T/over.out"
t_check "three more over a 5-message quota: NO [OVERQUOTA]" grep -q '^g NO \[OVERQUOTA\]' "$T/over.out"
t_expect "...and none of them appended" 3 files
two="h APPEND INBOX $(lit four) $(lit five)\\r\\n"
hs "$login" "$two" >"$T/two.out"
t_check "two more fit: OK [APPENDUID ... 4:5]" grep -qE '^h OK \[APPENDUID [0-9]+ 4:5\]' "$T/two.out"
t_expect "...five files" 5 files
