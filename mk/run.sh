#!/bin/sh
# mk/run.sh - "make run": a private hato instance, in the foreground.
# The instance is ./run (made by "hato init --dev" on the first run and
# reused later), except as root in a checkout that the daemons' user (hato)
# cannot reach, such as one under root's 0700 home or a mktemp -d
# directory: every daemon would die with "chdir: Permission denied".  Then
# it lives in /run/hato-run/NAME (NAME from the checkout's path), which
# only root can write.  Stop it with Ctrl-C (or "hato -c DIR stop").
# HATO_RUN_PORT=P (tests) moves the seven ports to P, P+1, ... P+6.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
hato=$top/build/bin/hato
dir=$top/run

# reachable DIR - every directory from / down to DIR has o+x (the hato
# user is in no group that owns them)
reachable() {
	d=$1
	while [ -n "$d" ] && [ "$d" != / ]; do
		[ -e "$d" ] && [ "$(stat -L -c %A "$d" | cut -c10)" != x ] && [ "$(stat -L -c %A "$d" | cut -c10)" != t ] && return 1
		d=${d%/*}
	done
	return 0
}

if [ "$(id -u)" = 0 ] && ! reachable "$dir"; then
	dir=/run/hato-run/$(printf '%s' "$top" | tr -c 'A-Za-z0-9\n' _ | sed 's/^_*//')
	echo "make run: the hato user cannot reach $top (a directory on the way is not"
	echo "searchable by others), so the instance lives in $dir"
	mkdir -p -m 0755 /run/hato-run
fi
if [ ! -f "$dir/main.cf" ]; then
	"$hato" init --dev "$dir"
	if [ -n "${HATO_RUN_PORT:-}" ]; then
		p=$HATO_RUN_PORT
		for d in 2525 2587 2465 2143 2993 2110 2995; do
			sed -i "s/^$d /127.0.0.1:$p /" "$dir/master.cf"
			p=$((p + 1))
		done
	fi
fi
port() { "$top/build/bin/postconf" -c "$dir" -M | sed -n "s/^\([^ ]*:\)\{0,1\}\([0-9]*\) .* $1\$/\2/p" | head -1; }
smtp=$(port smtpd)
pop3=$(port pop3d)
imap=$(port imapd)
echo
echo "hato instance in $dir (configuration: $dir/main.cf, $dir/master.cf; log: $dir/maillog)"
echo "services (postconf -M):"
"$top/build/bin/postconf" -c "$dir" -M | sed 's/^/  /'
echo
echo "Send a message:      swaks --server 127.0.0.1:$smtp --to $(id -un)@localhost"
echo "Read it:             mutt -f ~$(id -un)/Maildir   (the log: tail $dir/maillog)"
[ -n "$imap" ] && echo "Or over IMAP:        curl imap://USER:PASSWORD@127.0.0.1:$imap/INBOX   (the list; INBOX;UID=1 a message)"
[ -n "$imap" ] && echo "  or with mutt:      mutt -f imap://USER@127.0.0.1:$imap/INBOX"
[ -n "$pop3" ] && echo "Or over POP3:        curl pop3://USER:PASSWORD@127.0.0.1:$pop3/1   (a system user, uid >= first_valid_uid)"
echo "Look at the queue:   $top/build/bin/postqueue -c $dir -p"
echo "Status from another shell:  $hato -c $dir status"
echo
exec "$hato" -c "$dir" start-fg
