#!/usr/bin/env bash
# pickup/local.sh - local submission: sendmail -> postdrop (set-group-ID
# hatodrop) -> maildrop/ -> pickup -> cleanup -> incoming/.  Run as root
# and as a throw-away unprivileged user; sendmail's options; hostile input
# in maildrop/ and on postdrop's stdin; mail submitted while the system is
# down.  Queue files are read with postcat, hostile streams are written
# with tests/pickup/qrec.py.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pickup tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=hatotest$$
trap 'userdel "$U" >/dev/null 2>&1; inst_cleanup' EXIT
QREC="python3 $TOPDIR/tests/pickup/qrec.py"

inst_new
inst_add_pickup
export HATO_CONFIG=$I
t_check "instance with smtpd, cleanup and pickup starts" inst_start
t_retry useradd -M -N -s /bin/sh -d /nonexistent "$U" || t_fail "useradd $U"	# retried: another script may hold the passwd lock
UID_U=$(id -u "$U")

# the commands as an installation has them: postdrop set-group-ID hatodrop
mkdir -p "$T/bin"
cp "$B/bin/sendmail" "$B/bin/postdrop" "$T/bin/"
cp "$B/bin/postdrop" "$T/bin/postdrop-plain"
chgrp hatodrop "$T/bin/postdrop" && chmod 2755 "$T/bin/postdrop"
chmod 755 "$T/bin" "$T/bin/sendmail" "$T/bin/postdrop-plain"
SM=$T/bin/sendmail
as_user() { runuser -u "$U" -- env HATO_CONFIG="$I" "$@"; }

# new_file BEFORE - wait (5 s) for a complete file (mode 0700: cleanup's
# commit) in incoming/ that is not in the list BEFORE; print its path
new_file() {
	local f
	for _ in $(seq 50); do
		for f in "$I"/queue/incoming/*; do
			[ -f "$f" ] && [ -x "$f" ] && ! grep -qxF "$f" <<<"$1" && { echo "$f"; return 0; }
		done
		sleep 0.1
	done
	return 1
}
listing() { ls -d "$I"/queue/incoming/* 2>/dev/null; }
maildrop_count() { find "$I/queue/maildrop" -mindepth 1 >"$T/maildrop.ls"; wc -l <"$T/maildrop.ls"; }
# show FILE - postcat's view of a queue file
show() { "$B/bin/postcat" "$1" 2>&1; }
# has LINE / lacks REGEX - in $out (postcat's view of the last file)
has() { grep -qx -- "$1" <<<"$out"; }
lacks() { ! grep -q -- "$1" <<<"$out"; }

# --- root and an ordinary user ---------------------------------------------
before=$(listing)
echo "Subject: t" | "$SM" user@example.test
t_check "root: sendmail exits 0" test $? = 0
f=$(new_file "$before")
t_check "root: the message reaches incoming/" test -n "$f"
t_check "root: sender root@myorigin" grep -qx "sender: root@mx.example.test" <<<"$(show "$f")"
t_check "root: the recipient" grep -qx "recipient: user@example.test" <<<"$(show "$f")"
t_check "root: maildrop/ is empty afterwards" test "$(maildrop_count)" = 0
t_check "root: pickup logs 'ID: uid=0 from=<root>'" grep -q "pickup\[[0-9]*\]: ${f##*/}: uid=0 from=<root>" "$I/maillog"

before=$(listing)
printf 'Subject: from a user\n\nhello\n' | as_user "$SM" user@example.test
t_check "user: sendmail exits 0" test $? = 0
f=$(new_file "$before")
t_check "user: the message reaches incoming/" test -n "$f"
t_check "user: sender $U@myorigin" grep -qx "sender: $U@mx.example.test" <<<"$(show "$f")"
t_check "user: uid taken from the maildrop file's owner" grep -qx "named_attribute: uid=$UID_U" <<<"$(show "$f")"
t_check "user: Received: says 'from userid $UID_U'" grep -q "from userid $UID_U)" <<<"$(show "$f")"
t_check "user: From: added with the user's address" grep -qx "From: $U@mx.example.test" <<<"$(show "$f")"
t_check "user: maildrop/ is empty afterwards" test "$(maildrop_count)" = 0

# --- options ----------------------------------------------------------------
before=$(listing)
printf 'To: a@example.test\nCc: B <b@example.test>\nBcc: c@example.test\nSubject: t\n\nbody\n' | "$SM" -t
f=$(new_file "$before"); out=$(show "$f")
for r in a b c; do
	t_check "-t: $r@example.test from To:/Cc:/Bcc: is a recipient" grep -qx "recipient: $r@example.test" <<<"$out"
done
t_check "-t: no Bcc: header in the queued message" lacks "^Bcc:"
t_check "-t: To: and Cc: stay" has "Cc: B <b@example.test>"

before=$(listing)
echo "Subject: f" | "$SM" -f other@example.org user@example.test
f=$(new_file "$before")
t_check "-f sets the sender" grep -qx "sender: other@example.org" <<<"$(show "$f")"
before=$(listing)
echo "Subject: r" | "$SM" -r '<third@example.org>' user@example.test
f=$(new_file "$before")
t_check "-r <addr> sets the sender too" grep -qx "sender: third@example.org" <<<"$(show "$f")"

before=$(listing)
echo "Subject: F" | "$SM" -F "Full Name" user@example.test
f=$(new_file "$before"); out=$(show "$f")
t_check "-F adds From: \"Full Name\" <root@myorigin>" grep -qx 'From: "Full Name" <root@mx.example.test>' <<<"$out"
before=$(listing)
printf 'From: me@example.org\nSubject: F\n\n' | "$SM" -F "Full Name" user@example.test
f=$(new_file "$before"); out=$(show "$f")
t_check "-F leaves an existing From: alone" has "From: me@example.org"
t_check "...and adds no second one" test "$(grep -c "^From:" <<<"$out")" = 1
before=$(listing)
printf 'Subject: inj\n\n' | "$SM" -F $'Evil\nBcc: x@example.org' user@example.test
f=$(new_file "$before"); out=$(show "$f")
t_check "-F with a line break cannot add a header" lacks "^Bcc:"

before=$(listing)
printf 'Subject: dots\n\nline one\n.\nafter the dot\n' | "$SM" -i user@example.test
f=$(new_file "$before"); out=$(show "$f")
t_check "-i: a lone '.' line is content" has "\\."
t_check "-i: ...and so is what follows" has "after the dot"
before=$(listing)
printf 'Subject: dots\n\nline one\n.\nafter the dot\n' | "$SM" -oi user@example.test
f=$(new_file "$before")
t_check "-oi: the same" grep -qx "after the dot" <<<"$(show "$f")"
before=$(listing)
printf 'Subject: dots\r\n\r\nline one\r\n.\r\nafter the dot\r\n' | "$SM" user@example.test
f=$(new_file "$before"); out=$(show "$f")
t_check "without -i a lone '.' ends the message (CRLF input)" lacks "after the dot"
t_check "CRLF line ends become lines" has "line one"
t_check "...with no CR left" lacks $'\r'

before=$(listing)
python3 -c 'import sys; sys.stdout.write("Subject: long\n\n" + "x" * 200000 + "\nend\n")' | "$SM" user@example.test
f=$(new_file "$before")
first_body_line_length() { "$B/bin/postcat" -b "$1" | head -1 | tr -d '\n' | wc -c; }
t_expect "a 200000-byte line arrives whole" 200000 first_body_line_length "$f"

t_expect_err "no recipients and no -t: a clear error" "Recipient addresses must be specified" "$SM"
"$SM" </dev/null >/dev/null 2>&1; rc=$?
t_check "...and exit status 64 (EX_USAGE) ($rc)" test "$rc" = 64
t_expect_err "-t without any recipient header: a clear error" "No recipient addresses found in message header" \
	bash -c 'echo "Subject: x" | "$1" -t' _ "$SM"
t_check "-bp runs postqueue -p (mailq's listing)" bash -c "'$B/bin/sendmail' -bp 2>&1 | grep -qE 'Mail queue is empty|Requests\\.|Queue report unavailable'"
t_check "-bi runs newaliases" "$B/bin/sendmail" -bi
t_expect_err "-q runs postqueue -f (here: no qmgr in master.cf, so it says so)" "postqueue: fatal: Cannot flush mail queue" "$B/bin/sendmail" -q
t_expect_err "an unknown option is refused" "unknown option -Z" "$SM" -Z a@example.test
t_expect_err "a missing option value is refused" "a value is missing after -f" "$SM" -f
before=$(listing)
echo "Subject: compat" | "$SM" -oem -B 8BITMIME -N success,delay -R hdrs -V envid42 -- user@example.test
f=$(new_file "$before"); out=$(show "$f")
t_check "-oem -B -N -R -V -- are accepted; -R reaches the queue file" has "named_attribute: dsn_ret=HDRS"
t_check "-V reaches the queue file" has "named_attribute: dsn_envid=envid42"
t_check "-N success,delay reaches the queue file" has "notify_flags: SUCCESS,DELAY"
t_check "nothing is left in maildrop/" test "$(maildrop_count)" = 0

# --- hostile streams on postdrop's stdin (as the user, set-group-ID) -------
good='V hato-queue 1\nS u\nR user@example.test\nM \nL Subject: x\nX \nZ \n'
# drop STREAM [POSTDROP] - the stream through postdrop as the user; prints the exit status
drop() {
	printf "$1" | $QREC >"$T/stream"
	chmod 644 "$T/stream"
	as_user "${2:-$T/bin/postdrop}" <"$T/stream" 2>"$T/drop.err" >/dev/null
	echo $?
}
t_expect "postdrop: a control attribute (hold=) is refused with EX_DATAERR" 65 \
	drop 'V hato-queue 1\nA hold=yes\nS u\nR user@example.test\nM \nX \nZ \n'
t_check "...saying which" grep -q 'postdrop: fatal: stdin: attribute "hold" is not allowed' "$T/drop.err"
t_expect "postdrop: flags other than -t are refused" 65 \
	drop 'V hato-queue 1\nF 8\nS u\nR user@example.test\nM \nX \nZ \n'
t_expect "postdrop: a stream without its end record is refused" 65 \
	drop 'V hato-queue 1\nS u\nR user@example.test\nM \nL x\n'
t_check "...saying why" grep -q 'postdrop: fatal: stdin: malformed submission: incomplete' "$T/drop.err"
t_expect "postdrop: garbage is refused" 65 drop 'Q\\x05hello\n'
t_expect "postdrop: a submission without recipients is refused" 65 \
	drop 'V hato-queue 1\nS u\nM \nX \nZ \n'
t_expect "postdrop: an extracted-recipient section is refused" 65 \
	drop 'V hato-queue 1\nS u\nR a@example.test\nM \nX \nE \nR evil@example.org\nZ \n'
t_check "nothing refused was left in maildrop/" test "$(maildrop_count)" = 0
t_expect "postdrop without set-group-ID rights: exit 75 (EX_TEMPFAIL)" 75 drop "$good" "$T/bin/postdrop-plain"
t_check "...with a clear message" grep -q "postdrop: fatal: no permission to create files in .*maildrop: postdrop must run set-group-ID hatodrop" "$T/drop.err"
mkdir -p "$T/evil" && cp "$I/main.cf" "$T/evil/" && chown -R "$U" "$T/evil"
status() { "$@" >/dev/null 2>&1 </dev/null; echo $?; }
t_expect "postdrop refuses a configuration directory the user controls" 75 \
	status as_user "$T/bin/postdrop" -c "$T/evil"
t_expect_err "...and says why" "configuration directory $T/evil is not trusted" \
	as_user "$T/bin/postdrop" -c "$T/evil"
t_expect_err "sendmail run by the user reports postdrop's failure and status" \
	"postdrop failed with exit status 75" bash -c 'echo x | runuser -u "$1" -- "$2" -C "$3" a@example.test' _ "$U" "$SM" "$T/evil"

inst_set "message_size_limit = 2000"
before=$(listing)
python3 -c 'print("Subject: big\n\n" + "y" * 3000)' | "$SM" user@example.test 2>"$T/big.err"
t_expect "a message over message_size_limit: sendmail exits 65 (EX_DATAERR)" 65 echo $?
t_check "...saying so" grep -q "sendmail: fatal: message file too big" "$T/big.err"
t_expect "postdrop itself refuses content over message_size_limit" 65 \
	drop "V hato-queue 1\nS u\nR user@example.test\nM \nL $(printf 'z%.0s' $(seq 2100))\nX \nZ \n"
t_check "...and nothing was queued" test -z "$(new_file "$before" 2>/dev/null)" -a "$(maildrop_count)" = 0
# a file cleanup refuses for good (552): the sender is told, the file goes
"$HATO" -c "$I" reload >/dev/null 2>&1; sleep 1
big=$I/queue/maildrop/1xXZbig00000000001
printf "V hato-queue 1\nS bouncer@example.test\nR user@example.test\nM \nL Subject: too big\nL \nL $(printf 'z%.0s' $(seq 3000))\nX \nZ \n" \
	| $QREC >"$big"
chown "$U" "$big"
before=$(listing)
printf W >"$I/queue/public/pickup"	# what postdrop does
f=$(new_file "$before"); out=$(show "$f")
t_check "cleanup refuses a maildrop file (552): a notice goes to its sender" has "recipient: bouncer@example.test"
t_check "...from the null sender" has "sender: "
t_check "...quoting cleanup's reply" grep -q "552 5.3.4 Message size exceeds fixed limit" <<<"$out"
t_check "...with the original headers" has "Subject: too big"
t_check "...the maildrop file is removed" test ! -e "$big"
t_check "...and the refusal is logged" grep -q "warning: maildrop/1xXZbig00000000001: [0-9A-Za-z]*: refused: 552" "$I/maillog"
inst_set "message_size_limit = 10240000"
"$HATO" -c "$I" reload >/dev/null 2>&1; sleep 1

# an interrupted submission leaves nothing behind
( printf 'Subject: slow\n'; sleep 3 ) | "$SM" user@example.test 2>"$T/slow.err" &
sm_pid=$!
sleep 1
t_check "while sendmail is still reading, postdrop's file is a tmp.* file" \
	compgen -G "$I/queue/maildrop/tmp.*"
pd_pid=$(pgrep -P "$sm_pid" -x postdrop)
[ -n "$pd_pid" ] && kill -TERM "$pd_pid"
wait "$sm_pid"
t_expect "sendmail reports the interrupted postdrop: exit 75" 75 echo $?
t_check "...saying so" grep -q "postdrop failed with exit status 75" "$T/slow.err"
t_check "...and postdrop removed its unfinished file" test "$(maildrop_count)" = 0

# --- hostile files in maildrop/ (root can put anything there) --------------
md=$I/queue/maildrop
printf "$good" | $QREC >"$T/outside"
printf "$good" | $QREC >"$T/outside2"
head -c 3000 /dev/urandom >"$md/1xXZgarbage0000001"
printf 'not a queue file\n' >"$md/bad name!"
ln -s "$T/outside" "$md/1xXZsymlink0000001"
ln "$T/outside2" "$md/1xXZhardlink000001"
mkfifo "$md/1xXZfifo0000000001"
printf 'V hato-queue 1\nS u\nR a@example.test\nM \nL cut' | $QREC | head -c 30 >"$md/1xXZtruncated00001"
printf 'V hato-queue 1\nS u\nR a@example.test\nM \nX \nE \nR evil@example.org\nZ \n' | $QREC >"$md/1xXZextracted00001"
# a well-formed file that claims uid 0 and carries cleanup's control attributes
printf 'V hato-queue 1\nF 28\nA uid=0\nA hold=yes\nA prepend=X-Evil: yes\nS u\nR user@example.test\nM \nL Subject: forged\nX \nZ \n' \
	| $QREC >"$md/1xXZforged00000001"
chown "$U" "$md/1xXZforged00000001"
before=$(listing)
echo "Subject: after the garbage" | "$SM" user@example.test
f=$(new_file "$before")
sleep 1
out=$(for x in $(listing); do grep -qxF "$x" <<<"$before" || show "$x"; done)
t_check "a good message after the garbage is queued" has "Subject: after the garbage"
# logged_corrupt NAME - the warning for NAME (spaces logged as '?')
logged_corrupt() { grep -F "hato/pickup[" "$I/maillog" | grep -F "warning: maildrop/${1// /?}: " | grep -q "; moved to corrupt/"; }
for n in 1xXZgarbage0000001 'bad name!' 1xXZsymlink0000001 1xXZhardlink000001 1xXZfifo0000000001 \
	1xXZtruncated00001 1xXZextracted00001; do
	t_check "maildrop/$n is moved to corrupt/ and logged" logged_corrupt "$n"
done
t_check "maildrop/ is empty: nothing is retried forever" test "$(maildrop_count)" = 0
t_check "the symlink was not followed: its target is still there" test -s "$T/outside"
t_check "the hard-linked file was not taken: one message only (the good one) plus the forged one" \
	test "$(( $(listing | wc -l) - $(wc -l <<<"$before") ))" = 2
t_check "the forged file: uid from the owner, not from its uid= record" has "named_attribute: uid=$UID_U"
t_check "the forged file: no prepend= header" lacks "X-Evil"
t_check "the forged file: hold= is not obeyed" test "$(inst_queue_files hold)" = 0
t_check "the forged file: control attributes are not queued" lacks "named_attribute: \(hold\|prepend\)"

# more files than one run takes (100): pickup wakes itself for the rest
printf "$good" | $QREC >"$T/bulk"
n0=$(inst_queue_files)
for i in $(seq -w 1 150); do cp "$T/bulk" "$md/1xXZbulk00000$i"; done
printf W >"$I/queue/public/pickup"
for _ in $(seq 150); do [ "$(maildrop_count)" = 0 ] && break; sleep 0.1; done
t_check "150 files in maildrop/ are all taken, in bounded runs" test "$(maildrop_count)" = 0
t_expect "...and all are queued" 150 echo $(( $(inst_queue_files) - n0 ))

# --- mail submitted while the system is down --------------------------------
inst_stop
t_check "the instance stops" wait_gone
echo "Subject: while down" | "$SM" user@example.test
t_check "sendmail works while the system is down" test $? = 0
t_check "...the file waits in maildrop/" test "$(maildrop_count)" = 1
# master sends a fifo service its first wakeup one interval after start
# (Postfix sends one at once); a 1 s interval stands in for that here
sed -i 's/^\(pickup  *fifo  *n  *-  *n  *\)60 /\11 /' "$I/master.cf"
before=$(listing)
t_check "the instance starts again" inst_start
f=$(new_file "$before")
t_check "the message reaches incoming/ within a few seconds of the start" test -n "$f"
out=$(show "$f")
t_check "...it is the one sent while down" has "Subject: while down"
t_check "...and maildrop/ is empty" test "$(maildrop_count)" = 0
inst_stop
