#!/usr/bin/env bash
# quota_userdb.sh - a user's own quota from the userdb (a passwd-file
# entry's userdb_quota_rule, userdb_quota_rule2), over main.cf's
# quota_rule and quota_rule2 as Dovecot's userdb fields override its
# plugin settings of the same name, against a private Dovecot 2.3 with
# the same passwd-file userdb and plugin rules:
# - GETQUOTAROOT of a virtual user with its own rules, and of a system
#   user with main.cf's (quota_rule2 adding to quota_rule): Dovecot's
#   figures; a "Trash:storage=+100M" rule (Dovecot's own example) is
#   accepted;
# - virtual delivery through SMTP keeps the user's limit, not main.cf's:
#   the first message delivered, maildirsize made with the user's limit,
#   the next one bounced 5.2.2; APPEND over it: NO [OVERQUOTA];
# - a bad rule in a user's entry defers that user's mail (4.3.5, naming
#   "quota_rule (userdb)"), never delivering past it; so does an authd
#   that cannot be reached (4.3.0); a tagged address (vq+tag) keeps the
#   user's quota.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "userdb quota tests skipped: they need root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_ok "userdb quota tests skipped: no dovecot # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
. "$TOPDIR/tests/lib/imap_oracle.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlquimap1 PW=Quota-user-1 VU=hlquvmail VPW=Virtual-pw-1
inst_user $VU; VUID=$(id -u $VU) VGID=$(id -g $VU)
BASE=$INST_HOME/vmail
start() {
	imap_configure $U $PW "quota_rule = *:storage=1M:messages=100" "quota_rule2 = *:messages=50" \
		"passdb = system passwd-file:$T/vusers" "userdb = system passwd-file:$T/vusers" \
		"virtual_mailbox_domains = virt.example" "virtual_mailbox_base = $BASE" \
		"virtual_mailbox_maps = texthash:$T/vmailbox" "virtual_uid_maps = static:$VUID" \
		"virtual_gid_maps = static:$VGID" "queue_run_delay = 1s" "recipient_delimiter = +" \
		"minimal_backoff_time = 1s" "maximal_backoff_time = 2s" || return 1
	echo "virtual   unix  -       n       n       -       -       virtual" >>"$I/master.cf"
	inst_start && inst_wait imap_listening
}
mkdir -p "$BASE/vq" "$BASE/vbad"
cat >"$T/vusers" <<EOF
vq@virt.example:{PLAIN}$VPW:$VUID:$VGID::$BASE/vq::userdb_quota_rule=*:storage=8K userdb_quota_rule2=Trash:storage=+100M
vbad@virt.example:{PLAIN}$VPW:$VUID:$VGID::$BASE/vbad::userdb_quota_rule=*:storage=8X
EOF
printf 'vq@virt.example vq/Maildir/\nvbad@virt.example vbad/Maildir/\n' >"$T/vmailbox"
chown -R "$VU:" "$BASE"
chmod 644 "$T/vusers"
t_check "an instance with main.cf quota rules and a passwd-file userdb with users' own starts" start

M=$BASE/vq/Maildir
mkdir -p "$M/cur" "$M/new" "$M/tmp" "$BASE/vq/Maildir-dv/cur" "$BASE/vq/Maildir-dv/new" "$BASE/vq/Maildir-dv/tmp"
chown -R "$VU:" "$BASE"
t_check "a private Dovecot with the same userdb and plugin rules starts" dovecot_start $((SMTP_PORT + 5)) $DV_IMAP \
	"mail_location = maildir:~/Maildir-dv" "mail_plugins = quota" \
	"userdb {" "  driver = passwd-file" "  args = $T/vusers" "}" \
	"protocol imap {" "  mail_plugins = \$mail_plugins imap_quota" "}" \
	"plugin {" "  quota = maildir:User quota" "  quota_rule = *:storage=1M:messages=100" \
	"  quota_rule2 = *:messages=50" "}"
cp -a "$INST_HOME/Maildir" "$INST_HOME/Maildir-dv" 2>/dev/null || mkdir -p "$INST_HOME/Maildir-dv"
chown -R "$U:" "$INST_HOME/Maildir" "$INST_HOME/Maildir-dv" 2>/dev/null

quota_of() {	# quota_of SIDE USER PASSWORD - the QUOTA lines of GETQUOTAROOT INBOX
	"$1" "a LOGIN $2 $3\\r\\n" 'q GETQUOTAROOT INBOX\r\n' | grep -E '^\* QUOTA'
}
storage_of() { quota_of hs "$@" | grep -F STORAGE; }
t_expect "a virtual user's own rules (userdb_quota_rule over quota_rule, a Trash rule): Dovecot's figures" \
	"$(quota_of ds vq@virt.example "$DOVECOT_PASS")" quota_of hs vq@virt.example "$VPW"
t_expect "...8 KB and no message limit (main.cf's messages= went with its quota_rule)" \
	'* QUOTA "User quota" (STORAGE 0 8)' storage_of vq@virt.example "$VPW"
t_expect "a system user without own rules: main.cf's quota_rule and quota_rule2, Dovecot's figures" \
	"$(quota_of ds $U "$DOVECOT_PASS")" quota_of hs $U "$PW"
t_expect "...1 MB and 50 messages" '* QUOTA "User quota" (STORAGE 0 1024 MESSAGE 0 50)' storage_of $U "$PW"
dovecot_stop

logged() { grep -q -- "$1" "$I/maillog"; }
files() { find "$1/cur" "$1/new" -type f 2>/dev/null | wc -l; }
body=$(python3 -c "print(('v' * 70 + '\\n') * 70, end='')")
id=$(inst_send $U@localhost vq@virt.example first "$body")
t_check "a 5 KB message to the virtual user: delivered" \
	inst_wait logged "$id: to=<vq@virt.example>, relay=virtual, .*status=sent (delivered to maildir"
t_expect "...maildirsize made with the user's limit, not main.cf's" "8192S,0C" head -1 "$M/maildirsize"
id=$(inst_send $U@localhost vq@virt.example second "$body")
t_check "a second one, over the user's 8 KB: bounced 5.2.2" \
	inst_wait logged "$id: to=<vq@virt.example>, relay=virtual, .*dsn=5.2.2, status=bounced (maildir delivery failed: Quota exceeded (mailbox for user is full)"
t_expect "...one message in the Maildir" "1" files "$M"
id=$(inst_send $U@localhost vq+tag@virt.example tagged "$body")
t_check "to the user's tagged address (vq+tag): the same user's quota, bounced 5.2.2" \
	inst_wait logged "$id: to=<vq+tag@virt.example>, relay=virtual, .*dsn=5.2.2, status=bounced (maildir delivery failed: Quota exceeded"
msg=$(python3 -c "print(('y' * 48 + '\\\\r\\\\n') * 80, end='')")
t_check "APPEND over the user's quota: NO [OVERQUOTA]" bash -c "python3 '$TOPDIR/tests/imapd/session.py' \
	127.0.0.1 $IMAP_PORT 'a LOGIN vq@virt.example $VPW\\r\\n' 'p APPEND INBOX {4000+}\\r\\n$msg\\r\\n' |
	grep -q '^p NO \\[OVERQUOTA\\]'"

id=$(inst_send $U@localhost vbad@virt.example bad-rule "$body")
t_check "a user whose userdb rule is bad: deferred 4.3.5, naming the rule" \
	inst_wait logged "$id: to=<vbad@virt.example>, relay=virtual, .*dsn=4.3.5, status=deferred (mail system configuration error: quota_rule (userdb): \"\\*:storage=8X\": unknown unit \"X\")"
t_expect "...nothing delivered" "0" files "$BASE/vbad/Maildir"

# authd cannot answer (its socket's name taken by a plain file): the
# message waits, never delivered past the user's own quota
# and authd restarted, so the agent's kept connection ends too
mv "$I/queue/login/auth" "$I/queue/login/auth.away" && : >"$I/queue/login/auth"
kill $(inst_pids authd)
id=$(inst_send $U@localhost vq@virt.example no-authd "$body")
t_check "authd unreachable: deferred 4.3.0, the userdb lookup named" \
	inst_wait logged "$id: to=<vq@virt.example>, relay=virtual, .*dsn=4.3.0, status=deferred (cannot look up the quota of vq@virt.example in the userdb"
rm -f "$I/queue/login/auth" && mv "$I/queue/login/auth.away" "$I/queue/login/auth"
