#!/usr/bin/env bash
# quota.sh - QUOTA (RFC 9208) and the administrator's quota (main.cf
# quota_rule) end to end, against a private Dovecot 2.3 with the quota
# and imap_quota plugins ("quota = maildir:User quota", the same
# quota_rule) on a copy of the same Maildir:
# - GETQUOTAROOT, GETQUOTA, SETQUOTA and the capability: Dovecot's
#   answers, before and after an APPEND and an EXPUNGE, and the
#   maildirsize both write;
# - APPEND and COPY over the quota: Dovecot's NO [OVERQUOTA], the folder
#   unchanged (MESSAGES, maildirsize);
# - quota_warning_percent = 80: one warning message in the INBOX when an
#   APPEND crosses 80 %, none for the next one above it; maildirsize's
#   sums stay the Maildir's, also after DELETE of a folder; Trash is not
#   counted, but MOVE out of it over the quota is refused;
# - delivery through SMTP to the full mailbox: with quota_full_tempfail =
#   yes deferred (4.2.2, mailq shows why), then with no bounced (5.2.2),
#   the sender's notification saying the mailbox is full and carrying
#   the message;
# - hato check refuses a bad quota_rule, naming it; a new quota_rule is
#   written into maildirsize by the next delivery, which warns too when
#   it crosses 80 %;
# - without quota_rule and maildirsize: Dovecot's "No quota" answers.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "quota tests skipped: they need root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_ok "quota tests skipped: no dovecot # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
. "$TOPDIR/tests/lib/imap_oracle.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlqimap1 PW=Quota-pass-1 U2=hlqimap2
RULE='*:storage=20K:messages=10'
inst_user $U2; H2=$INST_HOME
start() {
	imap_configure $U $PW "quota_rule = $RULE" "queue_run_delay = 1s" \
		"minimal_backoff_time = 1s" "maximal_backoff_time = 2s" || return 1
	echo "showq     unix  n       -       n       -       -       showq" >>"$I/master.cf"
	inst_start && inst_wait imap_listening
}
t_check "an instance with imapd and quota_rule = $RULE starts" start
M=$INST_HOME/Maildir
# three messages of 4000 bytes (LF line ends), as a copy for Dovecot
python3 - "$M" <<'PY'
import os, sys
root = sys.argv[1]
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(root, d), exist_ok=True)
for i in range(3):
    head = "From: a@example.test\nTo: b@example.test\nSubject: quota %d\n\n" % i
    body = ("x" * 79 + "\n") * 60
    text = (head + body)[:4000 - 1] + "\n"
    with open(os.path.join(root, "cur", "100000000%d.M1P1.test:2,S" % i), "w") as f:
        f.write(text)
PY
cp -a "$M" "$INST_HOME/Maildir-dv"
chown -R "$U:" "$M" "$INST_HOME/Maildir-dv"
t_check "a private Dovecot with quota and imap_quota starts" dovecot_start $((SMTP_PORT + 5)) $DV_IMAP \
	"mail_location = maildir:~/Maildir-dv" "mail_plugins = quota" \
	"protocol imap {" "  mail_plugins = \$mail_plugins imap_quota" "}" \
	"plugin {" "  quota = maildir:User quota" "  quota_rule = $RULE" "}"

hl() { hs "a LOGIN $U $PW\\r\\n" "$@"; }
dl() { ds "a LOGIN $U $DOVECOT_PASS\\r\\n" "$@"; }
# Dovecot's timing in tagged answers; UIDVALIDITY (each side made its own)
untimed='s/ \(([0-9.]+ \+ )*[0-9.]+ secs\)//; s/(APPENDUID|COPYUID) [0-9]+/\1 V/'
# both NAME REGEX STEP... - the lines matching REGEX, after the login,
# equal from hato and Dovecot
both() {
	local name=$1 re=$2; shift 2
	hl "$@" | sed 1,2d | grep -E -- "$re" | sed -E "$untimed" >"$T/both.h"
	dl "$@" | sed 1,2d | grep -E -- "$re" | sed -E "$untimed" >"$T/both.d"
	if [ -s "$T/both.h" ] && cmp -s "$T/both.h" "$T/both.d"; then
		t_ok "$name"
	else
		t_fail "$name" "hato: $(tr '\n' '|' <"$T/both.h")" "dovecot: $(tr '\n' '|' <"$T/both.d")"
	fi
}

logged() { grep -q -- "$1" "$I/maillog"; }
# msg N - N bytes in lines of 50 (CRLF written as session.py's escapes)
msg() { python3 -c "import sys; print(('y' * 48 + '\\\\r\\\\n') * (int(sys.argv[1]) // 50), end='')" "$1"; }
append() { printf '%s APPEND %s {%s+}\\r\\n%s\\r\\n' "$1" "${3:-INBOX}" "$2" "$(msg "$2")"; }
files() { find "$1/cur" "$1/new" -type f | wc -l; }

# --- the QUOTA commands, APPEND and EXPUNGE: Dovecot's answers ---
t_check "the capability: QUOTA, as Dovecot 2.3 announces it" bash -c \
	"[ \"\$(hl 'c CAPABILITY\\r\\n' | grep -o ' QUOTA[^ ]*' | sort)\" = \"\$(dl 'c CAPABILITY\\r\\n' | grep -o ' QUOTA[^ ]*' | sort)\" ]"
both "GETQUOTAROOT, GETQUOTA, SETQUOTA, then APPEND and EXPUNGE: Dovecot's answers" '^(\* QUOTA|q[0-9]|p1 [A-Z]+|e2 )' \
	'q1 GETQUOTAROOT INBOX\r\n' 'q2 GETQUOTA "User quota"\r\n' 'q3 SETQUOTA "User quota" (STORAGE 100)\r\n' \
	'q4 GETQUOTA "x"\r\n' 'q5 GETQUOTAROOT nosuch\r\n' 'q6 GETQUOTAROOT Trash\r\n' \
	's SELECT INBOX\r\n' "$(append p1 1000)" 'q7 GETQUOTAROOT INBOX\r\n' \
	'e1 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n' 'e2 EXPUNGE\r\n' 'q8 GETQUOTA "User quota"\r\n'
t_expect "...the figures: 12 KB, +980 bytes, -4000 bytes" \
	'* QUOTA "User quota" (STORAGE 9 20 MESSAGE 3 10)' \
	bash -c "grep -F 'STORAGE' '$T/both.h' | tail -1"
t_expect "...and maildirsize says what Dovecot's says" "$(cat "$INST_HOME/Maildir-dv/maildirsize")" cat "$M/maildirsize"

# --- over the quota: NO [OVERQUOTA], nothing changed ---
n=$(files "$M") before=$(cat "$M/maildirsize")
both "APPEND over the quota: Dovecot's NO [OVERQUOTA]" '^(\* QUOTA|\* STATUS|o[0-9] (NO|BAD))' \
	"$(append o1 15000)" 'o2 STATUS INBOX (MESSAGES)\r\n' 'q1 GETQUOTA "User quota"\r\n'
t_expect "...the folder and maildirsize unchanged" "$n $before" bash -c "echo \$(find '$M/cur' '$M/new' -type f | wc -l) \"\$(cat '$M/maildirsize')\""
both "an APPEND that fits, then COPY of all over the quota: Dovecot's NO [OVERQUOTA]" \
	'^(\* QUOTA|\* STATUS|o[0-9] (NO|BAD))' "$(append o1 8000)" 's SELECT INBOX\r\n' 'o2 COPY 1:* INBOX\r\n' \
	'o3 STATUS INBOX (MESSAGES)\r\n' 'q1 GETQUOTA "User quota"\r\n'
t_expect "...maildirsize as Dovecot's" "$(cat "$INST_HOME/Maildir-dv/maildirsize")" cat "$M/maildirsize"
dovecot_stop

# --- quota_warning_percent: one warning when crossing 80 % ---
inst_set "quota_warning_percent = 80 95"
"$HATO" -c "$I" reload >/dev/null 2>&1; sleep 1
hl 's SELECT INBOX\r\n' 'e1 STORE 4 +FLAGS.SILENT (\\Deleted)\r\n' 'e2 EXPUNGE\r\n' >/dev/null
warned() { grep -l "^Subject: Mailbox quota warning: $1% full" "$M"/new/* "$M"/cur/* 2>/dev/null | wc -l; }
t_expect "below 80 %, no warning" "0" warned 80
appended() { hl "$2" | grep -q "^$1 OK"; }
t_check "an APPEND to 83 %" appended w1 "$(append w1 8000)"
t_expect "...puts one warning into the INBOX" "1" warned 80
t_check "...from MAILER-DAEMON, saying the use and the limit" \
	grep -q "Storage: 17 KB of 20 KB" $(grep -l "^Subject: Mailbox quota warning" "$M"/new/*)
t_check "another APPEND" appended w2 "$(append w2 500)"
t_expect "a second APPEND above 80 %: no second warning" "1" warned 80
t_expect "...and maildirsize's figures are the Maildir's" \
	"$(find "$M/cur" "$M/new" -type f -printf '%s\n' | awk '{s+=$1} END {print s, NR}')" \
	awk 'NR > 1 {b += $1; c += $2} END {print b, c}' "$M/maildirsize"

hl 'c CREATE Junkbox\r\n' >/dev/null
t_check "an APPEND into another folder" appended w3 "$(append w3 500 Junkbox)"
t_check "...counted" grep -qx '490 1' "$M/maildirsize"
hl 'd DELETE Junkbox\r\n' >/dev/null
t_expect "DELETE of that folder: maildirsize counted again" \
	"$(find "$M/cur" "$M/new" -type f -printf '%s\n' | awk '{s+=$1} END {print s, NR}')" \
	awk 'NR > 1 {b += $1; c += $2} END {print b, c}' "$M/maildirsize"
t_check "Trash is not counted (the Maildir++ rule): an APPEND there over the quota" \
	appended t1 "$(append t1 5000 Trash)"
moved_over() {
	hl 's SELECT Trash\r\n' 'm1 MOVE 1 INBOX\r\n' 'st STATUS Trash (MESSAGES)\r\n' | tr '\n' '|' |
		grep -q 'm1 NO \[OVERQUOTA\] Quota exceeded (mailbox for user is full)\..*STATUS Trash (MESSAGES 1)'
}
t_check "...but MOVE out of it into the INBOX: NO [OVERQUOTA], the message stays" moved_over

# --- delivery to the full mailbox ---
inst_set "quota_full_tempfail = yes"
"$HATO" -c "$I" reload >/dev/null 2>&1; sleep 1
n=$(files "$M")
big=$(python3 -c "print(('z' * 70 + '\\n') * 60, end='')")
id=$(inst_send $U2@localhost $U@localhost full-mailbox "$big")
t_check "quota_full_tempfail = yes: a message to the full mailbox is deferred 4.2.2" \
	inst_wait logged "$id: to=<$U@localhost>, relay=local, .*dsn=4.2.2, status=deferred (maildir delivery failed: Quota exceeded (mailbox for user is full)"
t_check "...mailq shows it with the reason" bash -c "'$B/bin/postqueue' -c '$I' -p | grep -q 'mailbox for user is full'"
t_expect "...not in the Maildir" "$n" files "$M"
inst_set "quota_full_tempfail = no"
"$HATO" -c "$I" reload >/dev/null 2>&1
t_check "quota_full_tempfail = no: at the retry it bounces 5.2.2" \
	inst_wait logged "$id: to=<$U@localhost>, relay=local, .*dsn=5.2.2, status=bounced (maildir delivery failed: Quota exceeded (mailbox for user is full)"
t_check "...the sender's notification says the mailbox is full and carries the message" \
	inst_wait bash -c "grep -l 'mailbox for user is full' '$H2'/Maildir/new/* 2>/dev/null | xargs grep -l 'Subject: full-mailbox' >/dev/null"
t_expect "...nothing in the Maildir" "$n" files "$M"

# --- hato check ---
inst_set "quota_rule = *:storage=1X"
t_expect_err "hato check refuses a bad quota_rule, naming it" 'quota_rule: "*:storage=1X": unknown unit "X"' \
	"$HATO" -c "$I" check
inst_set "quota_rule = $RULE"

# --- a delivery crossing 80 % warns too ---
inst_set "quota_rule = *:storage=24K"
"$HATO" -c "$I" reload >/dev/null 2>&1; sleep 1
mid=$(python3 -c "print(('w' * 70 + '\\n') * 28, end='')")
id=$(inst_send $U2@localhost $U@localhost crossing "$mid")
t_check "a delivery under the new quota_rule (24K) that crosses 80 %: delivered" \
	inst_wait logged "$id: to=<$U@localhost>, relay=local, .*status=sent (delivered to maildir"
t_expect "...maildirsize's first line is the new rule's" "24576S,0C" head -1 "$M/maildirsize"
t_expect "...and a second warning arrived" "2" warned 80

# --- no quota_rule and no maildirsize: no quota, as Dovecot says ---
inst_set "quota_rule ="
"$HATO" -c "$I" reload >/dev/null 2>&1; sleep 1
rm -f "$M/maildirsize" "$INST_HOME/Maildir-dv/maildirsize"
t_check "a private Dovecot with the quota plugins and no quota_rule starts" dovecot_start $((SMTP_PORT + 5)) $DV_IMAP \
	"mail_location = maildir:~/Maildir-dv" "mail_plugins = quota" \
	"protocol imap {" "  mail_plugins = \$mail_plugins imap_quota" "}" \
	"plugin {" "  quota = maildir:User quota" "}"
both "without a quota: GETQUOTAROOT and GETQUOTA as Dovecot's (no root)" '^(\* QUOTA|q[0-9])' \
	'q1 GETQUOTAROOT INBOX\r\n' 'q2 GETQUOTA "User quota"\r\n' 'q3 GETQUOTAROOT Trash\r\n'
t_check "...and no maildirsize made" test ! -e "$M/maildirsize"
