#!/usr/bin/env bash
# clients.sh - stock IMAP clients on mail hato delivered: mutt (in tmux,
# an imap:// URL over STARTTLS) shows the inbox and a message; mbsync
# (isync) mirrors the account to a local Maildir and back, a folder made
# on each side, and a second run has nothing to do; fetchmail downloads
# over IMAP with STARTTLS and over imaps (993's role, IMAPS_PORT).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap client tests skipped: they need root # SKIP"; exit 0; }
for p in mutt tmux mbsync fetchmail; do
	command -v $p >/dev/null || { t_fail "$p is needed (make deps installs it)"; exit 0; }
done
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"

U=hlimap3 PW=Imap-pass-3 SOCK=hato-imutt-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; inst_cleanup' EXIT
t_check "an instance with imapd and local delivery starts" imap_instance $U $PW
t_check "3 messages delivered" pop3_send 3

# mutt over imap:// with STARTTLS (ssl_starttls), then imaps://;
# the certificate is not checked
screen_has() { tmux -L "$SOCK" capture-pane -p -t mutt | grep -qF -- "$1"; }
gone() { ! tmux -L "$SOCK" has-session -t mutt 2>/dev/null; }
for url in "imap://$U@127.0.0.1:$IMAP_PORT/" "imaps://$U@127.0.0.1:$IMAPS_PORT/"; do
	cat >"$T/muttrc" <<MRC
set folder="$url"
set spoolfile="+INBOX"
set imap_pass="$PW"
set ssl_starttls=yes
set ssl_force_tls=yes
set certificate_file="$T/mutt_certs"
set ssl_verify_host=no
set ssl_verify_dates=no
set imap_check_subscribed=no
set index_format="IDX %4C %s"
set pager_stop=yes
set quit=yes
set move=no
MRC
	: >"$T/mutt_certs"
	tmux -L "$SOCK" new-session -d -s mutt -x 120 -y 30 "env TERM=xterm HOME=$T mutt -n -F $T/muttrc"
	# an unknown certificate: mutt asks once; (a)ccept once
	for _ in $(seq 50); do screen_has "(r)eject" && break; sleep 0.1; done
	screen_has "(r)eject" && tmux -L "$SOCK" send-keys -t mutt a
	t_check "mutt ($url) lists the inbox" inst_wait screen_has "IDX    3 pop3 test"
	tmux -L "$SOCK" send-keys -t mutt Enter
	t_check "...and its pager shows a message's body" inst_wait screen_has "body of message"
	tmux -L "$SOCK" send-keys -t mutt q
	sleep 0.3
	tmux -L "$SOCK" send-keys -t mutt q
	t_check "mutt quits" inst_wait gone
done

# mbsync: a two-way mirror
mkdir -p "$T/local"
cat >"$T/mbsyncrc" <<RC
IMAPAccount hato
Host 127.0.0.1
Port $IMAP_PORT
User $U
Pass $PW
SSLType STARTTLS
CertificateFile $I/cert.pem
SSLVersions TLSv1.2 TLSv1.3

IMAPStore remote
Account hato

MaildirStore local
Path $T/local/
Inbox $T/local/INBOX
SubFolders Verbatim

Channel mirror
Far :remote:
Near :local:
Patterns *
Create Both
Remove None
Expunge Both
SyncState *
Sync All
RC
HOME=$T mbsync -c "$T/mbsyncrc" -a >"$T/mb1.out" 2>&1
t_expect "mbsync: the inbox's 3 messages reach the local Maildir" 3 bash -c "ls '$T/local/INBOX/cur' '$T/local/INBOX/new' 2>/dev/null | grep -c ','"
mkdir -p "$T/local/Local-made/cur" "$T/local/Local-made/new" "$T/local/Local-made/tmp"
printf 'Subject: made locally\n\nhello from mbsync\n' >"$T/local/Local-made/new/1.M1P1.local"
python3 - $IMAP_PORT $U $PW <<'PY'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); m.login(sys.argv[2], sys.argv[3])
m.create("Server-made"); m.append("Server-made", None, None, b"Subject: made on the server\r\n\r\nhi\r\n")
m.logout()
PY
HOME=$T mbsync -c "$T/mbsyncrc" -a >"$T/mb2.out" 2>&1
t_check "mbsync: a folder made locally is created on the server" test -d "$INST_HOME/Maildir/.Local-made/cur"
t_expect "...with its message (in new/: appended without flags)" 1 bash -c "find '$INST_HOME/Maildir/.Local-made/cur' '$INST_HOME/Maildir/.Local-made/new' -type f | wc -l"
t_expect "mbsync: a folder made on the server reaches the local side" 1 bash -c "ls '$T/local/Server-made/cur' '$T/local/Server-made/new' 2>/dev/null | grep -c ','"
# snapshot - every file name on both sides (a transfer or a flag change
# would add or rename one)
snapshot() { find "$T/local" "$INST_HOME/Maildir" -path '*/tmp' -prune -o -type f -name '*,*' -print | sed 's/.*\///' | sort; }
snapshot >"$T/snap.before"
HOME=$T mbsync -c "$T/mbsyncrc" -a >"$T/mb3.out" 2>&1
snapshot >"$T/snap.after"
t_check "mbsync: a third run transfers nothing (the same files on both sides)" cmp -s "$T/snap.before" "$T/snap.after"
t_check "...and the snapshot is not empty" test -s "$T/snap.before"
sed -e "s/^Port .*/Port $IMAPS_PORT/" -e "s/^SSLType .*/SSLType IMAPS/" "$T/mbsyncrc" >"$T/mbsyncrc.imaps"
t_check "mbsync over imaps: a run that succeeds (exit 0)" env HOME=$T mbsync -c "$T/mbsyncrc.imaps" -a
snapshot >"$T/snap.imaps"
t_check "...and has nothing to transfer either" cmp -s "$T/snap.before" "$T/snap.imaps"

# fetchmail over IMAP: STARTTLS, then imaps
for mode in starttls imaps; do
	if [ $mode = starttls ]; then port=$IMAP_PORT ssl="sslproto 'TLS1.2+' no sslcertck"; else port=$IMAPS_PORT ssl="ssl no sslcertck"; fi
	cat >"$T/fetchmailrc" <<RC
set no syslog
poll 127.0.0.1 protocol imap port $port
  user "$U" password "$PW" is root here
  mda "/bin/sh -c 'cat >> $T/fetched.$mode'"
  keep fetchall $ssl
RC
	chmod 600 "$T/fetchmailrc"
	HOME=$T fetchmail -f "$T/fetchmailrc" --nodetach >"$T/fm.$mode" 2>&1
	t_expect "fetchmail over IMAP ($mode) downloads the inbox" 3 bash -c "grep -c '^Subject: pop3 test' '$T/fetched.$mode'"
done
inst_stop
