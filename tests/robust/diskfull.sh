#!/usr/bin/env bash
# robust/diskfull.sh - the queue on a small tmpfs, a user's Maildir on
# another.  queue_minfree (Postfix semantics): with less free space than
# 1.5 x message_size_limit smtpd answers MAIL FROM with 452 4.3.1, and with
# message_size_limit = 0 a SIZE= whose 1.5 x does not fit gets the same.
# A real ENOSPC while cleanup writes the queue file: the client gets 451
# 4.3.0 after DATA, no partial file stays in incoming/, the log says why.
# A full Maildir file system: local defers.  Nothing corrupt (postsuper -s,
# postcat on every queue file); when space returns delivery resumes and
# every accepted message is delivered.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "robustness tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/robust.sh"
rob_pick_ports 2

user=hlrobd$$
useradd -m -s /bin/sh "$user" || t_fail "useradd $user"
H=$(getent passwd "$user" | cut -d: -f6)
Q=$I/queue MD=$H/Maildir
PORT2=$((SMTP_PORT + 1))
cleanup_all() {
	"$HATO" -c "$I" abort >/dev/null 2>&1
	wait_gone
	umount "$Q" 2>/dev/null || umount -l "$Q" 2>/dev/null
	umount "$MD" 2>/dev/null || umount -l "$MD" 2>/dev/null
	userdel -r "$user" >/dev/null 2>&1
	inst_cleanup
}
trap cleanup_all EXIT

# fill DIR LEAVE - grow DIR/filler until about LEAVE bytes are free there
fill() {
	local f=$1/filler avail have
	avail=$(stat -f -c '%a * %S' "$1"); avail=$((avail))
	have=$(stat -c %s "$f" 2>/dev/null || echo 0)
	fallocate -l $((have + avail - $2)) "$f"
}
free_kb() { echo $(($(stat -f -c '%a * %S' "$1") / 1024)); }
dialog() { python3 "$TOPDIR/tests/lib/smtp_dialog.py" 127.0.0.1 "$1" 127.0.0.1; }

inst_new
inst_set "message_size_limit = 1000000" "home_mailbox = Maildir/" "local_recipient_maps =" \
	"minimal_backoff_time = 1s" "maximal_backoff_time = 2s" "queue_run_delay = 1s"
cat >>"$I/master.cf" <<MCF
127.0.0.1:$PORT2 inet n - n - - smtpd -o message_size_limit=0
qmgr      fifo  n       -       n       1       1       qmgr
local     unix  -       n       n       -       -       local
MCF
# the queue moves onto an 8 MB tmpfs, the Maildir onto a 1 MB one
mv "$Q" "$Q.orig" && mkdir "$Q" && mount -t tmpfs -o size=8m tmpfs "$Q" &&
	chown --reference="$Q.orig" "$Q" && chmod --reference="$Q.orig" "$Q" &&
	cp -a "$Q.orig/." "$Q/" || t_fail "the queue is on a tmpfs"
mkdir -p "$MD" && mount -t tmpfs -o size=1m tmpfs "$MD" && chown "$user:" "$MD" && chmod 700 "$MD" ||
	t_fail "the Maildir is on a tmpfs"
rob_start

flood() {
	python3 "$TOPDIR/tests/lib/smtp_flood.py" --port "$SMTP_PORT" --rcpt "$user@example.test" "$@"
}
: >"$T/accepted"
flood --count 5 --tag "before$$" --out "$T/acc" >/dev/null; cat "$T/acc" >>"$T/accepted"
t_expect "5 messages accepted while there is room" 5 grep -c . "$T/acc"
t_check "...and delivered" rob_wait_ids "$T/acc" 20 Message-ID "$MD/new"

# (1) less free than 1.5 x message_size_limit: 452 at MAIL FROM
fill "$Q" 1200000
echo "# queue tmpfs: $(free_kb "$Q") KB free"
printf 'EHLO x\r\n<WAIT>\nMAIL FROM:<a@example.org>\r\n<WAIT>\nQUIT\r\n' | dialog "$SMTP_PORT" >"$T/d1"
t_check "1.2 MB free < 1.5 x message_size_limit 1 MB: MAIL FROM gets 452 4.3.1" \
	grep -q "^452 4.3.1 Insufficient system storage" "$T/d1"
t_check "...and smtpd logs why" grep -q "not enough free space in mail queue" "$I/maillog"

# (2) message_size_limit = 0 (second smtpd): SIZE= x 1.5 must fit
fill "$Q" 300000
printf 'EHLO x\r\n<WAIT>\nMAIL FROM:<a@example.org> SIZE=400000\r\n<WAIT>\nMAIL FROM:<a@example.org> SIZE=100000\r\n<WAIT>\nQUIT\r\n' |
	dialog "$PORT2" >"$T/d2"
t_check "300 KB free, SIZE=400000: 452 4.3.1" grep -q "^452 4.3.1" "$T/d2"
t_check "...SIZE=100000 fits: 250" grep -q "^250 2.1.0" "$T/d2"

# (3) no SIZE, 600 KB of content into 300 KB of space: ENOSPC in cleanup
{ printf 'EHLO x\r\n<WAIT>\nMAIL FROM:<a@example.org>\r\n<WAIT>\nRCPT TO:<%s@example.test>\r\n<WAIT>\nDATA\r\n<WAIT>\n' "$user"
  printf 'Subject: too big for the disk\r\n\r\n'
  { head -c 600000 /dev/zero | tr '\0' 'y' | fold -w 78; echo; } | sed 's/$/\r/'
  printf '.\r\n<WAIT>\nQUIT\r\n'; } | dialog "$PORT2" >"$T/d3"
t_check "a message bigger than the free space: 451 4.3.0 after DATA" grep -q "^451 4.3.0" "$T/d3"
t_expect "...no partial queue file is left in incoming/" 0 inst_queue_files incoming
t_check "...and cleanup logs the write error" grep -q "No space left on device" "$I/maillog"

# (4) space returns; the Maildir's file system fills: local defers
rm -f "$Q/filler"
fill "$MD" 4096
flood --count 5 --tag "mdfull$$" --out "$T/acc" >/dev/null; cat "$T/acc" >>"$T/accepted"
t_expect "with room in the queue again 5 more messages are accepted" 5 grep -c . "$T/acc"
t_check "...local defers them: the Maildir's file system is full" \
	inst_wait grep -q "to=<$user@example.test>.*status=deferred.*No space left on device" "$I/maillog"
some_deferred() { [ "$(inst_queue_files deferred)" -gt 0 ]; }	# counted again at every try
t_check "...they wait in deferred/" inst_wait some_deferred

# (4b) both full: the deferred mail is retried while the queue has no
# room for defer logs either; nothing may crash or corrupt
fill "$Q" 0
head -c 200000 /dev/zero | tr '\0' z | fold -w 70 | { echo "Subject: no room"; echo; cat; } |
	HATO_CONFIG=$I "$B/bin/sendmail" "$user@example.test" 2>"$T/sm.err"
t_expect "sendmail with a full queue file system: exit 75 (EX_TEMPFAIL)" 75 echo $?
t_expect "...leaving nothing in maildrop/" "" ls -A "$Q/maildrop"
echo "#   sendmail said: $(head -2 "$T/sm.err" | tr '\n' ' ')"
sleep 4
t_expect "with the queue file system full too, no daemon crashed" "" rob_crashes
rm -f "$Q/filler"

# nothing corrupt
t_check "postsuper -s finds nothing to fix" "$B/bin/postsuper" -c "$I" -s
bad=0
for f in $(find "$Q/incoming" "$Q/active" "$Q/deferred" "$Q/hold" -type f); do
	"$B/bin/postcat" -c "$I" "$f" >/dev/null 2>&1 || { bad=$((bad + 1)); echo "# postcat fails on $f"; }
done
t_expect "every queue file reads back with postcat" 0 echo "$bad"
t_expect "nothing in corrupt/" "" ls "$Q/corrupt"

# (5) the Maildir gets room: everything accepted is delivered
rm -f "$MD/filler"
"$HATO" -c "$I" flush >/dev/null 2>&1
rob_wait_ids "$T/accepted" 30 Message-ID "$MD/new"
rob_tally "$T/accepted" Message-ID "$MD/new"
echo "# diskfull: $ROB_TALLY"
t_expect "when space returns every accepted message is delivered ($ROB_TALLY)" 0 echo "$ROB_LOST"
t_check "the queue drains" inst_wait rob_queue_empty
t_expect "no half-written file is left in the Maildir's tmp/" "" ls -A "$MD/tmp"
t_expect "no daemon crashed" "" rob_crashes
