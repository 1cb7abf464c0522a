#!/usr/bin/env bash
# recent_dovecot.sh - \Recent (RFC 3501 2.3.2) side by side with a
# private Dovecot 2.3 on copies of one Maildir (tests/imapd/recent.py
# speaks both): a message that arrived (delivered, APPENDed, COPYed,
# MOVEd) is \Recent for the one read-write session that first sees it
# (SELECT, or NOOP while selected), EXAMINE looks without taking, STATUS
# (RECENT) counts what nobody took; six sessions one after another, then
# two at once (NOOP takes, the next SELECT has RECENT 0; EXAMINE while
# another has the folder selected; two SELECTs at once, one takes; a
# session's own APPEND; an expunge under the taken ones; no MODSEQ for a
# take; IDLE).  Each section
# must answer as Dovecot does.  Where the files are differs: Dovecot
# moves delivered mail from new/ to cur/ at the SELECT or NOOP that takes
# it, hato leaves it in new/ until its flags change (its \Recent is the
# index's); the "## new/ holds" lines are not compared.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_fail "dovecot is not installed (make deps installs dovecot-imapd)"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
trap '[ -n "${KEEP:-}" ] && cp -r "$T" /tmp/recent-keep; dovecot_stop; inst_cleanup' EXIT

U=hlrcnt1 PW=Rcnt-pass-1
DV=$((SMTP_PORT + 6))
t_check "an instance with imapd and local delivery starts" imap_instance $U $PW
t_check "2 messages delivered" pop3_send 2
md=$INST_HOME/Maildir mdd=$INST_HOME/Maildir-dovecot
cp -a "$md" "$mdd" && rm -rf "$mdd/hato-index.lmdb"
t_check "a private Dovecot on a copy of the Maildir starts" \
	dovecot_start $((SMTP_PORT + 5)) $DV "mail_location = maildir:~/Maildir-dovecot"
t_expect "both copies have the 2 deliveries in new/" "2 2" \
	bash -c "echo \$(ls '$md/new' | wc -l) \$(ls '$mdd/new' | wc -l)"

python3 "$TOPDIR/tests/imapd/recent.py" 127.0.0.1 $IMAP_PORT $U $PW "$md" >"$T/h.out" 2>&1
python3 "$TOPDIR/tests/imapd/recent.py" 127.0.0.1 $DV $U "$DOVECOT_PASS" "$mdd" >"$T/d.out" 2>&1

# section NAME - the lines of one section of an output file
section() { awk -v s="-- $1" '$0 == s { on = 1; next } /^-- / { on = 0 } on && !/^## /' "$2"; }
declare -A what=(
	[S1]="SELECT takes the 2 delivered messages: RECENT 2, \\Recent, SEARCH RECENT"
	[S2]="the next SELECT has RECENT 0; its own APPEND is * 1 RECENT and \\Recent; COPY to a new folder: STATUS RECENT 2"
	[S3]="EXAMINE shows the copies \\Recent and takes nothing"
	[S4]="STATUS (RECENT) after EXAMINE still 2; SELECT takes them"
	[S5]="SELECT after a take: RECENT 0; MOVE into INBOX: STATUS INBOX RECENT 1"
	[S6]="SELECT INBOX takes the moved message only"
	[C1]="NOOP while selected takes a delivery (EXISTS, RECENT 1); the next SELECT has RECENT 0"
	[C2]="EXAMINE while another session has the folder selected: \\Recent for it, taken by the other's NOOP; STATUS elsewhere 1, then 0"
	[C3]="two SELECTs at once: exactly one takes the new message"
	[C4]="a session's own APPEND to its folder, then expunges: \\Recent follows the messages, * n RECENT when one goes"
	[C5]="a take gives no new MODSEQ (HIGHESTMODSEQ the same)"
	[C6]="IDLE takes a delivery: * n EXISTS, * 1 RECENT"
	[C7]="EXAMINE hears a delivery as recent at NOOP without taking it; a SELECT after UNSELECT takes it"
	[C8]="EXAMINE reads a message another session flagged (new/ to cur/) meanwhile"
	[C9]="SELECT of the folder already selected: others' changes in it, \\Recent taken once"
)
for s in S1 S2 S3 S4 S5 S6 C1 C2 C3 C4 C5 C6 C7 C8 C9; do
	section $s "$T/h.out" >"$T/h.$s"
	section $s "$T/d.out" >"$T/d.$s"
	if [ -s "$T/d.$s" ] && cmp -s "$T/h.$s" "$T/d.$s"; then
		t_ok "$s as Dovecot: ${what[$s]}"
	else
		t_fail "$s as Dovecot: ${what[$s]}" "$(diff "$T/h.$s" "$T/d.$s" | head -20)"
	fi
done
t_check "hato's answers are whole (no error from the driver)" bash -c "! grep -q Traceback '$T/h.out'"
t_check "...Dovecot's copy has emptied new/; hato's keeps the mail no one flagged there" \
	bash -c "[ \$(ls '$mdd/new' | wc -l) = 0 ] && [ \$(ls '$md/new' | wc -l) -gt 0 ] &&
		 ! ls '$md/new' | grep -q ':2,'"
