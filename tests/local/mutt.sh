#!/usr/bin/env bash
# local/mutt.sh - a message delivered by hato is read by a stock Maildir
# reader: mutt, run as the recipient (a useradd user) in a tmux session,
# lists it in its index, shows its body in the pager, and on quit marks it
# read by moving it from new/ to cur/ with the :2,S flag (so the user owns
# and can change what local wrote).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "mutt test skipped: it needs root # SKIP"; exit 0; }
command -v mutt >/dev/null && command -v tmux >/dev/null ||
	{ t_fail "mutt and tmux are needed (make deps installs them)"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=hlmutt1 SOCK=hato-mutt-$$
drop() { tmux -L "$SOCK" kill-server 2>/dev/null; userdel -r "$U" >/dev/null 2>&1; }
drop
trap 'inst_cleanup; drop' EXIT	# the instance first: its Maildir helper runs as $U, and userdel refuses a user with processes
useradd -m -s /bin/sh "$U" || t_fail "useradd $U"
H=$(getent passwd "$U" | cut -d: -f6)

inst_new
inst_set "home_mailbox = Maildir/" "local_recipient_maps ="
cat >>"$I/master.cf" <<MCF
qmgr      fifo  n       -       n       1       1       qmgr
local     unix  -       n       n       -       -       local
MCF
t_check "instance with qmgr and local starts" inst_start

id=$(inst_send sender@example.org "$U@example.test" "mutt reads this" "a body for mutt")
t_check "a message for $U is queued" test -n "$id"
t_check "...and delivered to maildir" inst_wait grep -q "$id: to=<$U@example.test>, relay=local, .*status=sent (delivered to maildir)" "$I/maillog"

cat >"$H/.muttrc" <<MRC
set mbox_type=Maildir
set folder=$H/Maildir
set spoolfile=$H/Maildir
set move=no
set quit=yes
set pager_stop=yes
set index_format="IDX %4C %-20.20F %s"
MRC
chown "$U:" "$H/.muttrc"

screen_has() { tmux -L "$SOCK" capture-pane -p -t mutt | grep -qF -- "$1"; }
tmux -L "$SOCK" new-session -d -s mutt -x 120 -y 30 \
	"env TERM=xterm HOME=$H runuser -u $U -- mutt -n -F $H/.muttrc -f $H/Maildir"
t_check "mutt -f ~/Maildir (as $U) lists the message in its index" inst_wait screen_has "IDX    1 sender@example.org"
t_check "...with its subject" screen_has "mutt reads this"
tmux -L "$SOCK" send-keys -t mutt Enter
t_check "...its pager shows the body" inst_wait screen_has "a body for mutt"
t_check "...and the Return-Path local added" screen_has "Return-Path: <sender@example.org>"
tmux -L "$SOCK" send-keys -t mutt q
sleep 0.3
tmux -L "$SOCK" send-keys -t mutt q
gone() { ! tmux -L "$SOCK" has-session -t mutt 2>/dev/null; }
t_check "mutt quits" inst_wait gone
t_check "...having moved the message it read to cur/ with the Seen flag" \
	bash -c "ls '$H/Maildir/cur' | grep -q ':2,S\$' && [ -z \"\$(ls -A '$H/Maildir/new')\" ]"
