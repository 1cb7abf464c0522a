#!/usr/bin/env bash
# mutt_qresync.sh - mutt (in tmux) with its header cache and
# imap_qresync, a client nobody here wrote: it lists the inbox, quits;
# another session flags one message and expunges another; mutt comes
# back and resynchronises through QRESYNC (its debug log shows UID FETCH
# (CHANGEDSINCE n VANISHED) and the VANISHED (EARLIER) answer) and shows
# exactly the folder as it is now.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap client tests skipped: they need root # SKIP"; exit 0; }
for p in mutt tmux; do
	command -v $p >/dev/null || { t_fail "$p is needed (make deps installs it)"; exit 0; }
done
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hlqmutt1 PW=Qmutt-pass-1 SOCK=hato-qmutt-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; inst_cleanup' EXIT
t_check "an instance with imapd and local delivery starts" imap_instance $U $PW
t_check "4 messages delivered" pop3_send 4

screen_has() { tmux -L "$SOCK" capture-pane -p -t mutt | grep -qE -- "$1"; }
gone() { ! tmux -L "$SOCK" has-session -t mutt 2>/dev/null; }
mkdir -p "$T/hcache"
cat >"$T/muttrc" <<MRC
set folder="imap://$U@127.0.0.1:$IMAP_PORT/"
set spoolfile="+INBOX"
set imap_pass="$PW"
set ssl_starttls=no
set ssl_force_tls=no
set imap_check_subscribed=no
set header_cache="$T/hcache"
set imap_condstore=yes
set imap_qresync=yes
set index_format="IDX %4C [%Z] %s"
set sort=date
set quit=yes
set move=no
set mark_old=no
MRC
# mutt_run REGEX NAME [THEN] - mutt until its index shows REGEX (and
# then THEN, for 10 s at most: the count can be drawn before the flags),
# then quit
mutt_run() {
	tmux -L "$SOCK" new-session -d -s mutt -x 120 -y 30 \
		"env TERM=xterm HOME=$T mutt -d 2 -n -F $T/muttrc"
	inst_wait screen_has "$1"
	local rc=$?
	[ -n "${3:-}" ] && inst_wait screen_has "$3"
	tmux -L "$SOCK" capture-pane -p -t mutt >"$T/screen.$2"
	tmux -L "$SOCK" send-keys -t mutt q
	inst_wait gone
	cat "$T"/.muttdebug0 >"$T/debug.$2" 2>/dev/null
	return $rc
}
t_check "mutt lists the 4 messages" mutt_run "IDX    4 " first
t_check "...and filled its header cache" bash -c "[ -n \"\$(ls -A '$T/hcache')\" ]"
t_check "...having enabled QRESYNC" grep -q "ENABLE QRESYNC" "$T/debug.first"

python3 - $IMAP_PORT $U $PW <<'PY'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); m.login(sys.argv[2], sys.argv[3])
m.select("INBOX")
m.store("1", "+FLAGS", "(\\Flagged)")
m.store("2", "+FLAGS", "(\\Deleted)")
m.expunge()
m.logout()
PY

t_check "mutt, back, lists 3 messages" mutt_run "IDX    3 " second "IDX +1 \[[^]]*!"
t_check "...resynchronising with QRESYNC (its UID FETCH (CHANGEDSINCE n VANISHED))" \
	grep -Eq "UID FETCH [0-9:,]+ \(FLAGS\) \(CHANGEDSINCE [0-9]+ VANISHED\)|SELECT \"?INBOX\"? \(QRESYNC \(" "$T/debug.second"
t_check "...which told it the expunged UID (VANISHED (EARLIER) 2)" grep -q "VANISHED (EARLIER) 2" "$T/debug.second"
t_check "...and the flagged message is flagged on its screen" grep -Eq "IDX +1 \[[^]]*!" "$T/screen.second"
t_check "...and no message is shown twice or gone wrong" test "$(grep -c '^ *IDX' "$T/screen.second")" = 3
[ -n "${VERBOSE:-}" ] && { cat "$T/screen.second"; grep -E "^[<>]|QRESYNC|VANISHED" "$T/debug.second" | head -40; }
true
