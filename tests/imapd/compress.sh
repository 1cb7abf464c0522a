#!/usr/bin/env bash
# compress.sh - COMPRESS=DEFLATE (RFC 4978) with a Python zlib client
# (tests/imapd/compress.py): LOGIN, COMPRESS, SELECT, FETCH of every
# message byte for byte (one of 400 KB), IDLE and DONE, a second COMPRESS
# (NO [COMPRESSIONACTIVE]), LOGOUT, over plain IMAP and imaps, with an
# APPEND of 190 KB read back; a command in COMPRESS's packet; the same
# dialog against a private Dovecot with imap_zlib gives the same answers
# (statuses and codes; an unknown mechanism is BAD here, RFC 4978
# section 3, where Dovecot says NO); bytes that are not deflate after the
# OK close the session, and imapmail does not crash.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hlcomp1 PW=Comp-pass-1
t_check "an instance with imapd and local delivery starts" imap_instance $U $PW
t_check "2 messages delivered" pop3_send 2
md=$INST_HOME/Maildir
python3 -c '
import random, sys
random.seed(19)
sys.stdout.write("Subject: big\n\n")
for i in range(8000):
    sys.stdout.write("line %d %s\n" % (i, "".join(random.choice("abcdefgh xyz") for _ in range(40))))
' >"$md/cur/1700000000.M1P1.big:2,"
chown "$U:" "$md/cur/1700000000.M1P1.big:2,"

py=$TOPDIR/tests/imapd/compress.py
python3 "$py" dialog 127.0.0.1 $IMAP_PORT $U $PW "$md" >"$T/plain.out" 2>&1
python3 "$py" dialog 127.0.0.1 $IMAPS_PORT $U $PW "$md" tls >"$T/tls.out" 2>&1
for f in plain tls; do
	t_check "$f: LOGIN, and the capability announced" \
		grep -qx "capability COMPRESS=DEFLATE True" "$T/$f.out"
	t_check "$f: COMPRESS FOO is BAD" grep -qx "compress-unknown BAD" "$T/$f.out"
	t_check "$f: COMPRESS DEFLATE is OK" grep -qx "compress OK" "$T/$f.out"
	t_check "$f: SELECT, compressed" grep -qx "select OK \[READ-WRITE\]" "$T/$f.out"
	t_check "$f: FETCH of 3 messages, byte for byte" \
		grep -q "^fetch OK bodies 3 of 3 byte-for-byte True bytes [0-9]\{6\}" "$T/$f.out"
	t_check "$f: CREATE, APPEND of 190 KB with LITERAL+, compressed" \
		bash -c "grep -qx 'create OK' '$T/$f.out' && grep -qx 'append OK \[APPENDUID\]' '$T/$f.out'"
	t_check "$f: the appended message comes back byte for byte" \
		grep -q "^append-fetch OK byte-for-byte True bytes [0-9]\{6\}" "$T/$f.out"
	t_check "$f: IDLE's continuation" grep -qx "idle +" "$T/$f.out"
	t_check "$f: DONE ends IDLE" grep -qx "done OK" "$T/$f.out"
	t_check "$f: a second COMPRESS is NO [COMPRESSIONACTIVE]" \
		grep -qx "compress-again NO \[COMPRESSIONACTIVE\]" "$T/$f.out"
	t_check "$f: LOGOUT" grep -qx "logout \['BYE', 'OK'\]" "$T/$f.out"
done
[ -n "${VERBOSE:-}" ] && cat "$T/plain.out"

python3 "$py" pipelined 127.0.0.1 $IMAP_PORT $U $PW >"$T/pipe.out" 2>&1
t_check "a compressed NOOP in the packet of COMPRESS is answered, compressed" \
	cmp "$T/pipe.out" <(printf 'compress OK\nnoop OK\nlogout OK\n')

python3 "$py" garbage 127.0.0.1 $IMAP_PORT $U $PW binary >"$T/g1.out" 2>&1
t_check "garbage after COMPRESS: the session is closed" grep -qx "closed True" "$T/g1.out"
python3 "$py" garbage 127.0.0.1 $IMAP_PORT $U $PW plain >"$T/g2.out" 2>&1
t_check "plain text after COMPRESS: the session is closed" grep -qx "closed True" "$T/g2.out"
t_check "imapmail did not crash" bash -c "[ -s '$I/maillog' ] && ! grep -Eqi 'imapmail.*(signal|panic|fatal|sanitizer)' '$I/maillog'"
t_check "and a new session still works" bash -c \
	"python3 '$py' dialog 127.0.0.1 $IMAP_PORT $U $PW '$md' | grep -qx 'logout \[.BYE., .OK.\]'"

if ! command -v dovecot >/dev/null || [ ! -e /usr/lib/dovecot/modules/lib30_imap_zlib_plugin.so ]; then
	t_ok "the Dovecot comparison skipped: no dovecot with imap_zlib # SKIP"
	exit 0
fi
. "$TOPDIR/tests/lib/dovecot.sh"
trap 'dovecot_stop; inst_cleanup' EXIT
port=$(t_free_ports 2)
t_check "a private Dovecot with imap_zlib starts" dovecot_start $((port + 1)) $port \
	'mail_plugins = $mail_plugins zlib' 'protocol imap {' \
	'  mail_plugins = $mail_plugins imap_zlib' '}'
python3 "$py" dialog 127.0.0.1 $port $U "$DOVECOT_PASS" "$md" >"$T/dovecot.out" 2>&1
t_check "Dovecot: COMPRESS FOO is NO there (BAD here, RFC 4978)" \
	grep -qx "compress-unknown NO" "$T/dovecot.out"
t_check "Dovecot gives the same answers to the rest of the dialog" \
	cmp <(grep -v '^compress-unknown' "$T/plain.out") <(grep -v '^compress-unknown' "$T/dovecot.out")
[ -n "${VERBOSE:-}" ] && cat "$T/dovecot.out" "$T/g1.out" "$T/g2.out" && grep imapmail "$I/maillog" | tail -8
exit 0
