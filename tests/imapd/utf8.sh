#!/usr/bin/env bash
# utf8.sh - SMTPUTF8 mail end to end and UTF8=ACCEPT (RFC 6855), with a
# raw-socket client (tests/imapd/utf8.py): smtpd takes MAIL FROM with
# SMTPUTF8 and a UTF-8 sender and recipient, the recipient an alias with
# a UTF-8 key, local delivery to the user's Maildir (and virtual to a
# virtual_mailbox_maps entry with a UTF-8 key); an IMAP client that
# enabled UTF8=ACCEPT reads ENVELOPE (UTF-8 in quoted strings), the
# header fields and body byte for byte as sent; a client that did not
# gets no 8-bit byte in a quoted string (literals, as imapmail_utf8.c
# says) and the same ENVELOPE as Dovecot 2.3 gives; a folder created
# with a UTF-8 name is modified UTF-7 on disk (as Dovecot names it),
# UTF-8 to an enabled session and modified UTF-7 to another; APPEND UTF8
# (~{n}) works after ENABLE and is BAD before; a UTF-8 LOGIN name is NO.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hlutf81 PW=Utf8-pass-1
t_check "an instance with imapd and local delivery starts" imap_configure $U $PW
printf 'jürgen: %s\n' $U >"$I/aliases"
t_check "an alias map with a UTF-8 key" "$B/bin/postalias" "$I/aliases"
inst_set "alias_maps = hash:$I/aliases"
# a virtual mailbox with a UTF-8 key (and a UTF-8 directory), as the user
VB=$T/vmail
mkdir -p "$VB/virt.test" && chown -R "$U:" "$VB" && chmod 0700 "$VB"
printf 'jörg@virt.test virt.test/jörg/\n' >"$T/vmailbox"
inst_set "virtual_mailbox_domains = virt.test" "virtual_mailbox_maps = texthash:$T/vmailbox" \
	"virtual_mailbox_base = $VB" "virtual_uid_maps = static:$(id -u $U)" \
	"virtual_gid_maps = static:$(id -g $U)" "virtual_minimum_uid = 100"
printf 'virtual   unix  -       n       n       -       -       virtual\n' >>"$I/master.cf"
t_check "started" inst_start
t_check "listening" inst_wait imap_listening
py=$TOPDIR/tests/imapd/utf8.py md=$INST_HOME/Maildir
python3 "$py" send 127.0.0.1 $SMTP_PORT "jürgen@localhost" >"$T/send.out" 2>&1
t_check "smtpd announces SMTPUTF8" grep -qx "ehlo SMTPUTF8 True" "$T/send.out"
t_check "MAIL FROM:<jürgen@exämple.test> SMTPUTF8 to jürgen@localhost accepted" \
	grep -qx "sent True" "$T/send.out"
t_check "delivered to the alias' user" inst_wait pop3_count_is 1
t_check "the message file holds the raw UTF-8 Subject" \
	bash -c "grep -rqx 'Subject: Grüße aus Köln — 日本語 \"quoted\"' '$md/new' '$md/cur'"
t_check "the log says orig_to jürgen@localhost" grep -q "orig_to=<jürgen@localhost>" "$I/maillog"
python3 "$py" send 127.0.0.1 $SMTP_PORT "jörg@virt.test" >"$T/send2.out" 2>&1
t_check "SMTPUTF8 to a virtual mailbox with a UTF-8 key: accepted" grep -qx "sent True" "$T/send2.out"
vmail() { [ "$(find "$VB/virt.test/jörg/new" -type f 2>/dev/null | wc -l)" = 1 ]; }
t_check "virtual delivers it to virtual_mailbox_base/virt.test/jörg/new" inst_wait vmail
t_check "the log says to=<jörg@virt.test>, relay=virtual, status=sent" \
	grep -q "to=<jörg@virt.test>, relay=virtual, .*status=sent" "$I/maillog"

python3 "$py" envelope 127.0.0.1 $IMAP_PORT $U $PW enable >"$T/enable.out" 2>&1
t_check "enabled: ENABLE UTF8=ACCEPT answers ENABLED UTF8=ACCEPT" \
	grep -qx "enable \* ENABLED UTF8=ACCEPT" "$T/enable.out"
t_check "enabled: ENVELOPE byte for byte as sent, UTF-8 in quoted strings" \
	grep -qx "envelope as sent True" "$T/enable.out"
t_check "enabled: the header fields byte for byte" grep -qx "header fields byte for byte True" "$T/enable.out"
t_check "enabled: the body byte for byte" grep -qx "body byte for byte True" "$T/enable.out"
t_check "enabled: SEARCH with UTF-8 in quoted strings finds it" grep -qxF "search OK * SEARCH 1" "$T/enable.out"

python3 "$py" envelope 127.0.0.1 $IMAP_PORT $U $PW legacy >"$T/legacy.out" 2>&1
t_check "not enabled: no 8-bit byte in a quoted string of the ENVELOPE" \
	grep -qx "envelope 8-bit in a quoted string False" "$T/legacy.out"
t_check "not enabled: the UTF-8 strings as literals, unchanged" grep -qx "envelope as sent True" "$T/legacy.out"
t_check "not enabled: the header fields byte for byte (a literal)" \
	grep -qx "header fields byte for byte True" "$T/legacy.out"
t_check "not enabled: SEARCH CHARSET UTF-8 with a literal finds it" grep -qxF "search OK * SEARCH 1" "$T/legacy.out"

python3 "$py" folders 127.0.0.1 $IMAP_PORT $U $PW >"$T/folders.out" 2>&1
f() { grep -qxF "$1" "$T/folders.out"; }
t_check "CAPABILITY has UTF8=ACCEPT" f "capability UTF8=ACCEPT True"
t_check "not enabled: CREATE with an 8-bit name is NO" f "legacy create 8-bit NO"
t_check "not enabled: APPEND UTF8 (~{n}) is BAD (RFC 6855 section 4)" f "legacy append UTF8 BAD"
t_check "not enabled: APPEND UTF8 (~{n+}) is BAD" f "legacy append literal8 UTF8+ BAD"
t_check "ENABLE twice: the second ENABLED is empty" f "enable again * ENABLED"
for n in "Entwürfe" "Entwürfe.日本" "a&b" "Ünï"; do
	t_check "enabled: CREATE \"$n\"" f "create $n OK"
done
t_check "enabled: \"Entw&APw-rfe\" is a name of its own (with '&')" f "create mUTF-7 spelling is a new name OK"
t_check "enabled: a name with U+2028 is NO" f "create U+2028 NO [CANNOT]"
t_check "enabled: a name that is not UTF-8 (Latin-1) is NO" f "create Latin-1 NO [CANNOT]"
t_check "on disk: modified UTF-7, as Dovecot names them" bash -c \
	"cd '$md' && test -d '.Entw&APw-rfe' && test -d '.Entw&APw-rfe.&ZeVnLA-' && test -d '.a&-b' && test -d '.Entw&-APw-rfe'"
t_check "enabled: LIST gives UTF-8 names" \
	f 'enabled list "Entwürfe" "Entwürfe.日本" "Ünï" Archive Drafts Entw&APw-rfe INBOX Junk Sent Trash a&b'
t_check "enabled: LIST with a UTF-8 pattern" f 'enabled list pattern "Entwürfe" "Entwürfe.日本"'
t_check "enabled: SUBSCRIBE and LSUB in UTF-8" f 'enabled lsub OK * LSUB (\HasNoChildren \Subscribed) "." "Ünï"'
t_check "enabled: STATUS of a UTF-8 name" f 'enabled status OK * STATUS "Entwürfe" (MESSAGES 0)'
t_check "enabled: APPEND UTF8 (~{n}) to a UTF-8 name" f "enabled append UTF8 OK [APPENDUID]"
t_check "enabled: SELECT of a UTF-8 name" f "enabled select OK [READ-WRITE]"
t_check "the appended message byte for byte" f "appended byte for byte True"
t_check "its ENVELOPE Subject quoted in UTF-8" grep -q '^appended envelope .*(NIL "Grüße" ((NIL NIL "a" "b.test"))' "$T/folders.out"
t_check "enabled: RENAME between UTF-8 names" bash -c "grep -qxF 'rename OK' '$T/folders.out' && test -d '$md/.&ANY-l&AOcA,A-'"
t_check "another session: LIST in modified UTF-7" \
	f 'legacy list &ANY-l&AOcA,A- Archive Drafts Entw&-APw-rfe Entw&APw-rfe Entw&APw-rfe.&ZeVnLA- INBOX Junk Sent Trash a&-b'
t_check "another session: SELECT by the modified UTF-7 name" f "legacy select mUTF-7 OK [READ-WRITE]"
t_check "another session: STATUS answers the modified UTF-7 name" \
	f "legacy status OK [CLIENTBUG] * STATUS Entw&APw-rfe (MESSAGES 1)"	# selected: as Dovecot
t_check "a UTF-8 LOGIN name: NO, not BAD" f "login UTF-8 user NO [AUTHENTICATIONFAILED]"
t_check "imapmail did not crash" bash -c "! grep -Eqi 'imapmail.*(signal|panic|fatal|sanitizer)' '$I/maillog'"
[ -n "${VERBOSE:-}" ] && cat "$T/send.out" "$T/enable.out" "$T/legacy.out" "$T/folders.out"

if ! command -v dovecot >/dev/null; then
	t_ok "the Dovecot comparison skipped: no dovecot # SKIP"
	exit 0
fi
. "$TOPDIR/tests/lib/dovecot.sh"
trap 'dovecot_stop; inst_cleanup' EXIT
port=$(t_free_ports 2)
t_check "a private Dovecot starts" dovecot_start $((port + 1)) $port
for c in "FETCH 1 (ENVELOPE)" "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])"; do
	python3 "$py" raw 127.0.0.1 $IMAP_PORT $U $PW legacy "$c" >"$T/h.out" 2>&1
	python3 "$py" raw 127.0.0.1 $port $U "$DOVECOT_PASS" legacy "$c" >"$T/d.out" 2>&1
	t_check "not enabled: $c as Dovecot 2.3 answers it" cmp "$T/h.out" "$T/d.out"
done
# the non-ASCII names only (this Dovecot has no special-use folders)
python3 "$py" raw 127.0.0.1 $IMAP_PORT $U $PW legacy 'LIST "" "*"' | grep '&' | sort >"$T/h.out" 2>&1
python3 "$py" raw 127.0.0.1 $port $U "$DOVECOT_PASS" legacy 'LIST "" "*"' | grep '&' | sort >"$T/d.out" 2>&1
t_check "Dovecot lists the folders hato made (modified UTF-7 on disk) as hato does" \
	cmp "$T/h.out" "$T/d.out"
[ -n "${VERBOSE:-}" ] && diff "$T/h.out" "$T/d.out"
exit 0
