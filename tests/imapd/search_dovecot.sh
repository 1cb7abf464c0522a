#!/usr/bin/env bash
# search_dovecot.sh - SEARCH against Dovecot: a Maildir of 135 varied
# messages (search_corpus.py) is searched with the same 100+ UID SEARCH
# programs by a private Dovecot 2.3 (imaplib) and by hato's SEARCH module
# (build/tests/imapsearch, until imapmail serves SEARCH), and the
# answers must be equal (search_dovecot.py lists deliberate differences
# with their RFC clause).  Both run in one non-UTC zone, so internal
# dates compare by the server's local day.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "search tests skipped: they need root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_ok "search tests skipped: no dovecot # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/dovecot.sh"
export TZ=Europe/Helsinki

U=hlsrch$$
chmod 711 "$T"
useradd -M -d "$T/home" -K UID_MIN=1000 "$U" || { t_fail "useradd $U"; exit 1; }
trap 'dovecot_stop; userdel "$U" >/dev/null 2>&1; rm -rf "$T"' EXIT
mkdir -p "$T/home" && python3 "$TOPDIR/tests/imapd/search_corpus.py" "$T/home/Maildir" &&
	chown -R "$U:" "$T/home" || { t_fail "corpus"; exit 1; }
t_expect "the corpus has 135 messages" 135 bash -c "ls '$T/home/Maildir/cur' | wc -l"

port=$((30000 + RANDOM % 20000))
t_check "a private Dovecot starts" dovecot_start $((port + 1)) $port
python3 "$TOPDIR/tests/imapd/search_dovecot.py" $port "$U" "$DOVECOT_PASS" "$T/home/Maildir" \
	"$B/tests/imapsearch"
