#!/usr/bin/env bash
# render_dovecot.sh - the FETCH rendering differential: a corpus of 240
# real-world-shaped messages and 10 hand-written ones (corpus.py) in a test user's Maildir, served
# by a private Dovecot 2.3 (tests/lib/dovecot.sh), and every message's
# ENVELOPE, BODY, BODYSTRUCTURE, BODY[section]<partial>, RFC822.*,
# BINARY[..] and BINARY.SIZE[..] compared with what hato's renderers
# (imapmail_render.h, through build/tests/imaprender) give for the same
# file (render_diff.py).  Accepted differences are in known_diffs.txt,
# each with the RFC clause that makes hato's answer right.  The whole
# comparison is left in build/imaprender-diff.out.
# XXX when imapmail serves FETCH, ask hato's server instead of imaprender.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "render differential skipped: needs root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_fail "dovecot is not installed (make deps)"; exit 0; }
[ -x "$B/tests/imaprender" ] || { t_fail "build/tests/imaprender is missing (make)"; exit 0; }
. "$TOPDIR/tests/lib/dovecot.sh"
U=hlrender
trap 'dovecot_stop; userdel "$U" >/dev/null 2>&1; rm -rf "$T"' EXIT

P=$(t_free_ports 2)	# a port pair nothing listens on

userdel "$U" >/dev/null 2>&1
t_check "a test user for the corpus" useradd -M -d "$T/home" -s /usr/sbin/nologin "$U"
mkdir -p "$T/home/Maildir/cur" "$T/home/Maildir/new" "$T/home/Maildir/tmp"
t_check "the corpus generator writes 240 messages (and the hand-written ones)" python3 "$TOPDIR/tests/imaprender/corpus.py" "$T/corpus" 240
i=0
for f in "$T"/corpus/*.eml; do
	i=$((i + 1))
	cp "$f" "$T/home/Maildir/cur/$((1700000000 + i)).M${i}P1.corpus:2,"
done
chown -R "$U" "$T/home"
chmod 755 "$T"
t_check "a private Dovecot starts" dovecot_start "$P" $((P + 1))
python3 "$TOPDIR/tests/imaprender/render_diff.py" $((P + 1)) "$U" "$DOVECOT_PASS" "$T/corpus" \
	"$B/tests/imaprender" "$TOPDIR/tests/imaprender/known_diffs.txt" >"$T/diff.out" 2>&1
rc=$?
cp "$T/diff.out" "$B/imaprender-diff.out"	# every difference, for reading
grep -E "^(ITEM|MESSAGES|ACCEPTED)" "$T/diff.out" | sed 's/^/# /'
if [ $rc = 0 ]; then
	t_ok "hato's FETCH rendering equals Dovecot's for every message and item (or a listed difference)"
else
	t_fail "hato's FETCH rendering differs from Dovecot's" "$(grep -A2 '^DIFF' "$T/diff.out" | head -60)"
fi
