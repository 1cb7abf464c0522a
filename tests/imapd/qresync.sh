#!/usr/bin/env bash
# qresync.sh - CONDSTORE and QRESYNC (RFC 7162) side by side with a
# private Dovecot 2.3 on copies of one Maildir (tests/imapd/qresync.py
# speaks both, raw sockets): a client SELECTs with QRESYNC and leaves;
# another session flags, keywords, expunges; a message is delivered (by
# SMTP to hato, its file to Dovecot's copy); by hand (as mutt would) a
# file is renamed with a new flag and another deleted; the client comes
# back with SELECT (QRESYNC (uidvalidity modseq)) and must hear exactly
# those changes: the same VANISHED (EARLIER) set and FETCH FLAGS as
# Dovecot, with and without known UIDs, and UID FETCH (CHANGEDSINCE
# VANISHED).  Then two live sessions (VANISHED and MODSEQ at NOOP,
# UNCHANGEDSINCE and [MODIFIED], EXPUNGE's [HIGHESTMODSEQ]) and
# CONDSTORE alone, against Dovecot too; and the index deleted: MODSEQs
# start above the old ones and the client still hears every change.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_fail "dovecot is not installed (make deps installs dovecot-imapd)"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
trap '[ -n "${KEEP:-}" ] && cp -r "$T" /tmp/qr-keep; dovecot_stop; inst_cleanup' EXIT

U=hlqres1 PW=Qres-pass-1
DV=$((SMTP_PORT + 6))
t_check "an instance with imapd and local delivery starts" imap_instance $U $PW
t_check "8 messages delivered" pop3_send 8
md=$INST_HOME/Maildir mdd=$INST_HOME/Maildir-dovecot
# hato numbers the messages (and writes dovecot-uidlist), so that Dovecot
# takes the same UIDs for the same files on its copy
python3 -c 'import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); m.login(sys.argv[2], sys.argv[3])
m.status("INBOX", "(MESSAGES)"); m.logout()' $IMAP_PORT $U $PW
cp -a "$md" "$mdd" && rm -rf "$mdd/hato-index.lmdb"
t_check "a private Dovecot on a copy of the Maildir starts" \
	dovecot_start $((SMTP_PORT + 5)) $DV "mail_location = maildir:~/Maildir-dovecot"

py() { python3 "$TOPDIR/tests/imapd/qresync.py" 127.0.0.1 "$@"; }
# both PHASE - the phase against hato (into $T/h.PHASE) and Dovecot ($T/d.PHASE)
both() {
	py $IMAP_PORT $U $PW "$T/h.state" "$1" >"$T/h.$1" 2>&1
	py $DV $U "$DOVECOT_PASS" "$T/d.state" "$1" >"$T/d.$1" 2>&1
}
# same PHASE NAME - hato's answers equal Dovecot's
same() {
	if [ -s "$T/h.$1" ] && diff "$T/d.$1" "$T/h.$1" >"$T/diff.$1"; then
		t_ok "$2"
	else
		t_fail "$2" "$(sed 's/^/  /' "$T/diff.$1")"
	fi
}
# by_hand BASE7 BASE8 MAILDIR - what mutt would do: the file of BASE7
# gets \Flagged in its name, the file of BASE8 is deleted
# (hato leaves unflagged mail in new/, Dovecot moved it to cur/)
by_hand() {
	local f7 f8 flags=
	f7=$(file_of "$1" "$3") f8=$(file_of "$2" "$3")
	case $f7 in *:2,*) flags=${f7#*:2,} ;; esac
	mv "$3/$f7" "$3/cur/$1:2,F$flags"
	rm "$3/$f8"
}
# file_of BASE MAILDIR - "cur/NAME" or "new/NAME" of the file with BASE
file_of() {
	(cd "$2" && ls cur new | awk -v b="$1" '/:$/ { d = substr($0, 1, length($0) - 1); next }
		{ n = $0; sub(/:2,.*/, "", n) } n == b { print d "/" $0 }')
}
# in_set SET N - N is in the IMAP set
in_set() {
	python3 -c 'import sys
n = int(sys.argv[2])
for r in sys.argv[1].split(","):
    a, _, b = r.partition(":")
    if int(a) <= n <= int(b or a): sys.exit(0)
sys.exit(1)' "$1" "$2"
}

both first
same first "SELECT with QRESYNC enabled: HIGHESTMODSEQ, as Dovecot"
t_check "the client saw 8 messages" grep -q "first: 8 messages" "$T/h.first"
both other
same other "another session's STORE, EXPUNGE and a keyword, as Dovecot"
t_check "a message delivered by SMTP" pop3_send 1
for f in "$md"/new/*; do		# the new one (hato keeps older unflagged ones in new/ too)
	n=${f##*/}
	[ -n "$(file_of "${n%%:2,*}" "$mdd")" ] || cp -p "$f" "$mdd/new/"
done
# the 7th and 8th messages of the first SELECT (UIDs in the order of the
# names' times: seconds, microseconds, counter)
bases=$(cd "$md" && ls cur new | grep -v ':$' | grep . | sed 's/:2,.*//' | python3 -c 'import re, sys
def t(n):
    m = re.match(r"(\d*)(?:\.M(\d*))?[^.:Q]*(?:Q(\d*))?", n)
    return [int(x or 0) for x in m.groups()] + [n]
print("\n".join(sorted(sys.stdin.read().split(), key=t)))')
b7=$(sed -n 6p <<<"$bases") b8=$(sed -n 7p <<<"$bases")
by_hand "$b7" "$b8" "$md"; by_hand "$b7" "$b8" "$mdd"
both resync
same resync "SELECT (QRESYNC ...), known UIDs, UID FETCH (CHANGEDSINCE VANISHED): as Dovecot"
read -r u1 u2 u3 u4 u5 u6 u7 u8 < <(python3 -c 'import json,sys; print(*json.load(open(sys.argv[1]))["uids"])' "$T/h.state")
t_check "QRESYNC: the expunged UIDs (by the other session and by hand) VANISHED" \
	grep -qx "qresync: \* VANISHED (EARLIER) $u3,$u8" "$T/h.resync"
t_check "QRESYNC: flags changed by a session, by hand, and the new message, in FETCH" \
	test "$(grep -c '^qresync: \* [0-9]* FETCH (UID [0-9]* FLAGS .* MODSEQ (n))$' "$T/h.resync")" = 6
t_check "QRESYNC: a message nobody touched is not in the answer" \
	bash -c "! grep -q '^qresync: .*FETCH (UID $u4 ' '$T/h.resync'"
[ -n "${VERBOSE:-}" ] && cat "$T/h.resync"

both live
same live "two sessions: VANISHED and MODSEQ at NOOP, UNCHANGEDSINCE, MODIFIED, as Dovecot"
t_check "live: the other session's EXPUNGE is VANISHED here" grep -q "^a-noop: \* VANISHED [0-9,:]*$" "$T/h.live"
t_check "live: a stale UNCHANGEDSINCE changes nothing: [MODIFIED]" grep -q "^a-stale: => OK \[MODIFIED " "$T/h.live"
t_check "live: EXPUNGE's tagged OK has HIGHESTMODSEQ" grep -q "^a-expunge: => OK \[HIGHESTMODSEQ n\]" "$T/h.live"
both condstore
same condstore "CONDSTORE without QRESYNC, and what needs it: as Dovecot"

# the index deleted: the MODSEQs start above every one given before, and
# a client with an old MODSEQ still hears every change (all of them)
t_check "4 more messages delivered" pop3_send 4
both first
py $IMAP_PORT $U $PW "$T/h.state" other >/dev/null 2>&1
rm -rf "$md/hato-index.lmdb"
py $IMAP_PORT $U $PW "$T/h.state" resync >"$T/h.rebuilt" 2>&1
read -r u1 u2 u3 u4 u5 u6 u7 u8 < <(python3 -c 'import json,sys; print(*json.load(open(sys.argv[1]))["uids"])' "$T/h.state")
set=$(sed -n 's/^qresync: \* VANISHED (EARLIER) //p' "$T/h.rebuilt")
t_check "index deleted: the UID expunged since is among the VANISHED ($set)" in_set "$set" "$u3"
t_check "index deleted: no UID still there is VANISHED" bash -c "! in_set '$set' $u1 && ! in_set '$set' $u4"
exists=$(sed -n 's/^qresync: \* \([0-9]*\) EXISTS$/\1/p' "$T/h.rebuilt")
t_expect "index deleted: every message comes with its flags" "$exists" \
	grep -c "^qresync: \* [0-9]* FETCH (UID" "$T/h.rebuilt"
t_check "imapmail did not crash" bash -c "! grep -Eqi 'imapmail.*(signal|panic|fatal|sanitizer)' '$I/maillog'"
