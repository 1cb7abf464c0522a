#!/usr/bin/env bash
# local/mailbox_command.sh - mailbox_command (procmail, dovecot-lda, ...):
# with it set, local hands a user's mail to the command instead of the
# mailbox, as Postfix does: as the user, in the home directory, with the
# environment (HOME, USER, RECIPIENT, EXTENSION, SENDER, ...) and the
# shell expanding "$RECIPIENT" (hato does not); allow_mail_to_commands
# does not restrict it; the exit status decides (75 defers, 67 bounces
# 5.1.1); a .forward still comes first; root's mail runs as default_privs.
# Clients: swaks.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "mailbox_command tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=hlmbc1 U2=hlmbc2
inst_new
inst_user $U2
H2=$INST_HOME
inst_user $U
mkdir -m 1777 "$T/out"
cat >"$T/deliver" <<'SH'
#!/bin/sh
# the test's mailbox_command: what it ran as and with, then the message
out=$1
case "$EXTENSION" in temp) exit 75 ;; gone) exit 67 ;; esac
{ id -un; pwd; echo "HOME=$HOME USER=$USER RECIPIENT=$2 EXTENSION=$EXTENSION SENDER=$SENDER"; cat; } >"$out/$(id -un).$$"
SH
chmod 755 "$T/deliver"
inst_add_maildir qmgr
inst_set "recipient_delimiter = +" "default_privs = nobody" "allow_mail_to_commands = alias" \
	"mailbox_command = $T/deliver $T/out \"\$RECIPIENT\"" \
	"queue_run_delay = 1s" "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
t_check "an instance with local and mailbox_command starts" inst_start

# delivered_by USER - the file the command wrote as USER
delivered_by() { ls "$T/out/$1".* 2>/dev/null | head -1; }
id=$(inst_send sender@example.org "$U+tag@example.test" "to the command" "the body line")
t_check "a message for $U is queued" test -n "$id"
t_check "...local reports it sent, by the command" \
	inst_wait grep -qE "$id: to=<$U\+tag@example.test>.*status=sent \(delivered to command" "$I/maillog"
f=$(delivered_by $U)
t_check "...the command ran as the user" test -n "$f"
t_check "...in the home directory, with HOME, USER, RECIPIENT (the shell's), EXTENSION, SENDER" \
	bash -c "sed -n 2p '$f' | grep -qx '$INST_HOME' &&
		 grep -qx 'HOME=$INST_HOME USER=$U RECIPIENT=$U+tag@example.test EXTENSION=tag SENDER=sender@example.org' '$f'"
t_check "...and read the message (Delivered-To and the body)" \
	bash -c "grep -q '^Delivered-To: $U+tag@example.test' '$f' && grep -qx 'the body line' '$f'"
t_check "...nothing went to a Maildir" test ! -e "$INST_HOME/Maildir/new"

id=$(inst_send sender@example.org "$U+temp@example.test" "temp")
t_check "exit 75 (EX_TEMPFAIL): deferred" inst_wait grep -qE "$id: to=<$U\+temp@example.test>.*status=deferred" "$I/maillog"
id=$(inst_send sender@example.org "$U+gone@example.test" "gone")
t_check "exit 67 (EX_NOUSER): bounced 5.1.1" \
	inst_wait grep -qE "$id: to=<$U\+gone@example.test>.*dsn=5\.1\.1, status=bounced" "$I/maillog"

printf '%s\n' "forwarded@example.net" >"$H2/.forward"
chown $U2 "$H2/.forward"
id=$(inst_send sender@example.org "$U2@example.test" "forwarded")
t_check "a .forward comes before mailbox_command" \
	inst_wait grep -qE "$id: to=<forwarded@example.net>, orig_to=<$U2@example.test>.*status=sent \(forwarded as" "$I/maillog"
t_check "...and the command did not run for $U2" test -z "$(delivered_by $U2)"

id=$(inst_send sender@example.org "root@example.test" "for root")
t_check "root's mail: the command runs as default_privs (nobody)" \
	inst_wait bash -c "[ -n \"\$(ls '$T/out'/nobody.* 2>/dev/null)\" ]"
