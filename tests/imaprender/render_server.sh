#!/usr/bin/env bash
# render_server.sh - the FETCH rendering differential of render_dovecot.sh
# against hato's IMAP server itself: the same corpus (corpus.py) in a
# hato instance's user's Maildir (imap_instance), a private Dovecot 2.3
# on that Maildir (oracle_start), and every message's ENVELOPE, BODY,
# BODYSTRUCTURE, sections and BINARY fetched from both (render_diff.py
# with HATO = imap:PORT:USER:PASS); the accepted differences are the
# same known_diffs.txt.  Skipped where imapd is not built.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "render server differential skipped: needs root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_ok "render server differential skipped: no dovecot # SKIP"; exit 0; }
[ -x "$B/libexec/imapd" ] && [ -x "$B/libexec/imapmail" ] ||
	{ t_ok "render server differential skipped: imapd is not built # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
. "$TOPDIR/tests/lib/imap_oracle.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlrendsrv PW=Render-pass-1
t_check "an instance with imapd starts" imap_instance $U $PW
t_check "the corpus generator writes 240 messages (and the hand-written ones)" \
	python3 "$TOPDIR/tests/imaprender/corpus.py" "$T/corpus" 240
mkdir -p "$INST_HOME/Maildir/cur" "$INST_HOME/Maildir/new" "$INST_HOME/Maildir/tmp"
i=0
for f in "$T"/corpus/*.eml; do
	i=$((i + 1))
	cp "$f" "$INST_HOME/Maildir/cur/$((1700000000 + i)).M${i}P1.corpus:2,"
done
chown -R "$U" "$INST_HOME/Maildir"
t_check "a private Dovecot (the oracle) starts" oracle_start
python3 "$TOPDIR/tests/imaprender/render_diff.py" $DV_IMAP "$U" "$DOVECOT_PASS" "$T/corpus" \
	"imap:$IMAP_PORT:$U:$PW" "$TOPDIR/tests/imaprender/known_diffs.txt" >"$T/diff.out" 2>&1
rc=$?
cp "$T/diff.out" "$B/imaprender-server-diff.out"	# every difference, for reading
grep -E "^(ITEM|MESSAGES|ACCEPTED)" "$T/diff.out" | sed 's/^/# /'
if [ $rc = 0 ]; then
	t_ok "hato's imapd answers FETCH as Dovecot does for every message and item (or a listed difference)"
else
	t_fail "hato's imapd answers FETCH unlike Dovecot" "$(grep -A2 '^DIFF' "$T/diff.out" | head -60)" \
		"$(tail -3 "$T/diff.out")"
fi
