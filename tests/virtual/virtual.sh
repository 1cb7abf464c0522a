#!/usr/bin/env bash
# virtual/virtual.sh - the virtual delivery agent end to end (swaks ->
# smtpd -> cleanup -> qmgr -> virtual): virtual_mailbox_maps as texthash
# (passwd-file-like: address, path below virtual_mailbox_base), uid and
# gid from static: (and a per-address texthash before it), a Maildir under
# virtual_mailbox_base/domain/user/new owned by the mailbox uid and read
# back with mailbox.Maildir, an mbox file, user+tag, the @domain
# catch-all, virtual_mailbox_limit, virtual_minimum_uid, a symlink in the
# path; then, speaking qmgr's protocol directly (tests/local/agent_request.py),
# an unknown address bounced 5.1.1 (smtpd refuses it at RCPT before that).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "virtual tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

VU=hlvmail
FIND="python3 $TOPDIR/tests/local/mailbox_find.py"
userdel "$VU" >/dev/null 2>&1
trap 'userdel "$VU" >/dev/null 2>&1; inst_cleanup' EXIT
useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$VU"
VUID=$(id -u $VU) VGID=$(id -g $VU)
BASE=$T/vmail

inst_new
mkdir -p "$BASE/virt.example" "$BASE/elsewhere"
ln -s "$BASE/elsewhere" "$BASE/virt.example/evil"
chown -R "$VU:" "$BASE"
chown -h "$VU:" "$BASE/virt.example/evil"
chmod 0700 "$BASE"
cat >"$T/vmailbox" <<EOF
alice@virt.example   virt.example/alice/
bob@virt.example     virt.example/bob.mbox
evil@virt.example    virt.example/evil/
low@virt.example     virt.example/low/
@virt.example        virt.example/catchall/
EOF
printf 'low@virt.example 5\n' >"$T/vuids"
inst_set "virtual_mailbox_domains = virt.example, virt2.example" \
	"virtual_mailbox_maps = texthash:$T/vmailbox" "virtual_mailbox_base = $BASE" \
	"virtual_uid_maps = texthash:$T/vuids, static:$VUID" "virtual_gid_maps = static:$VGID" \
	"virtual_minimum_uid = 100" "virtual_mailbox_limit = 30000" "recipient_delimiter = +" \
	"queue_run_delay = 1s" "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
# qmgr retries deferred mail on master's wakeups: one a second here
cat >>"$I/master.cf" <<MCF
qmgr      fifo  n       -       n       1       1       qmgr
virtual   unix  -       n       n       -       -       virtual
MCF
t_check "instance with qmgr and virtual starts" inst_start

# send FROM TO SUBJECT [BODY] - the queue ID
send() { inst_send "$1" "$2" "$3" "${4:-body of $3}"; }
wait_for() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }
logged() { grep -q -- "$1" "$I/maillog"; }
json() { python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if ($2) else 1)" "$1"; }

id=$(send sender@example.org alice@virt.example to-alice "hello alice")
t_check "virtual: Postfix's line, relay=virtual, status=sent (delivered to maildir)" \
	wait_for logged "$id: to=<alice@virt.example>, relay=virtual, delay=[0-9.]*, delays=[0-9.]*/0/0/[0-9.]*, dsn=2.0.0, status=sent (delivered to maildir)"
got=$($FIND maildir "$BASE/virt.example/alice" to-alice)
file=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['file'])" "$got" 2>/dev/null)
t_expect "...in virtual_mailbox_base/virt.example/alice/new, owned by the static: uid, mode 0600" \
	"$BASE/virt.example/alice/new $VUID:$VGID 600" bash -c "echo \$(dirname '$file') \$(stat -c '%u:%g %a' '$file')"
t_check "...mailbox.Maildir reads it: the body, Delivered-To: alice@virt.example" \
	json "$got" "j['body'].strip() == 'hello alice' and j['delivered_to'] == ['alice@virt.example']"
t_expect "...the Maildir directories were made 0700 for the uid" "$VUID 700 $VUID 700 $VUID 700" \
	bash -c "stat -c '%u %a' '$BASE/virt.example/alice/tmp' '$BASE/virt.example/alice/new' '$BASE/virt.example/alice/cur' | tr '\n' ' ' | sed 's/ \$//'"

id=$(send sender@example.org alice+tag@virt.example to-alice-tag)
t_check "user+tag@domain: alice's Maildir" wait_for logged "$id: to=<alice+tag@virt.example>, relay=virtual, .*status=sent (delivered to maildir)"
t_check "...with Delivered-To: alice+tag@virt.example" \
	json "$($FIND maildir "$BASE/virt.example/alice" to-alice-tag)" "j['delivered_to'] == ['alice+tag@virt.example']"

id=$(send sender@example.org bob@virt.example to-bob)
t_check "a path without a trailing / is an mbox file: delivered to mailbox" \
	wait_for logged "$id: to=<bob@virt.example>, relay=virtual, .*status=sent (delivered to mailbox)"
t_check "...mailbox.mbox reads it, the file belongs to the uid" \
	bash -c "$FIND mbox '$BASE/virt.example/bob.mbox' to-bob | grep -q 'body of to-bob' && [ \$(stat -c %u '$BASE/virt.example/bob.mbox') = $VUID ]"

id=$(send sender@example.org whoever@virt.example to-catchall)
t_check "@domain catch-all" wait_for logged "$id: to=<whoever@virt.example>, relay=virtual, .*status=sent (delivered to maildir)"
t_check "...in virt.example/catchall/new" bash -c "$FIND maildir '$BASE/virt.example/catchall' to-catchall >/dev/null"

big=$(python3 -c "print(('x' * 70 + '\\n') * 500, end='')")
id=$(send sender@example.org alice@virt.example too-big "$big")
t_check "a message over virtual_mailbox_limit bounces 5.2.2" \
	wait_for logged "$id: to=<alice@virt.example>, relay=virtual, .*dsn=5.2.2, status=bounced (message too large for the mailbox"

id=$(send sender@example.org low@virt.example low-uid)
t_check "a uid below virtual_minimum_uid defers (4.3.5) with a warning" \
	wait_for logged "$id: to=<low@virt.example>, relay=virtual, .*dsn=4.3.5, status=deferred (mail system configuration error)"
t_check "...the warning names the message and the uid" logged "warning: $id: virtual_uid_maps: uid 5 for low@virt.example is below virtual_minimum_uid 100"
t_check "...and nothing was created for it" test ! -e "$BASE/virt.example/low"

id=$(send sender@example.org evil@virt.example via-symlink)
t_check "a symlink in the mailbox path is not followed: deferred" \
	wait_for logged "$id: to=<evil@virt.example>, relay=virtual, .*status=deferred (maildir delivery failed: open directory virt.example/evil: is a symbolic link (not followed))"
t_check "...and nothing landed where it points" test -z "$(ls -A "$BASE/elsewhere")"

# qmgr's side by hand: a copy of the low-uid message (deferred, retried
# all the time) in hold/, which qmgr leaves alone; ask virtual to deliver
# it to an address smtpd would refuse, and to a good one
lowid=$(sed -n 's/.*\([0-9A-Za-z]\{18\}\): to=<low@virt.example>.*/\1/p' "$I/maillog" | head -1)
wait_for bash -c "cp -p '$I/queue/deferred/$lowid' '$I/queue/hold/' 2>/dev/null || cp -p '$I/queue/active/$lowid' '$I/queue/hold/' 2>/dev/null"
reply=$(cd "$I/queue" && python3 "$TOPDIR/tests/local/agent_request.py" private/virtual \
	"hold/$lowid" sender@example.org nobody@virt2.example alice@virt.example)
t_check "agent protocol: an unknown virtual address is bounced 5.1.1, the next one delivered" \
	json "$reply" "j['status_0'] == 'bounced' and j['dsn_0'] == '5.1.1' and 'User unknown' in j['text_0'] and j['status_1'] == 'sent' and j['relay_1'] == 'virtual'"
t_check "...and logged as bounced" logged "$lowid: to=<nobody@virt2.example>, relay=virtual, .*dsn=5.1.1, status=bounced (User unknown: no virtual mailbox for \"nobody@virt2.example\")"
reply=$(cd "$I/queue" && python3 "$TOPDIR/tests/local/agent_request.py" private/virtual \
	"../main.cf/x" sender@example.org alice@virt.example)
t_check "agent protocol: a queue file name outside the queue is refused (deferred)" \
	json "$reply" "j['status_0'] == 'deferred' and 'bad queue file name' in j['text_0']"
inst_stop
