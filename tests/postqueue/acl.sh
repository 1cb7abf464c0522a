#!/usr/bin/env bash
# postqueue/acl.sh - an administrator restricts local users as in Postfix:
# authorized_submit_users (sendmail, and postdrop run directly),
# authorized_mailq_users (postqueue -p/-j, mailq, sendmail -bp),
# authorized_flush_users (postqueue -f/-i, sendmail -q; root and
# mail_owner always pass) and local_login_sender_maps (who may use which
# envelope sender with sendmail -f).  A throw-away user runs set-group-ID
# copies of the commands; a refusal gets Postfix's message and exit 77.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "acl tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=h15acl$$
inst_add_user "$U" || t_fail "useradd $U"
UID_U=$(id -u "$U")
inst_new
inst_add_pickup
inst_add_queue_tools
export HATO_CONFIG=$I
t_check "instance with pickup, qmgr and showq starts" inst_start

inst_user_bin sendmail postdrop postqueue || t_fail "set-group-ID copies of the commands"
ln -s postqueue "$T/bin/mailq"
as_user() { runuser -u "$U" -- env HATO_CONFIG="$I" "$@"; }
send() { printf 'Subject: acl\n\nbody\n' | "$@"; }
# refused NAME WANT CMD... - CMD exits 77 (EX_NOPERM) and says WANT on stderr
refused() {
	local name=$1 want=$2 rc; shift 2
	"$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?
	if [ $rc = 77 ] && grep -qF -- "$want" "$T/err"; then t_ok "$name"; else
		t_fail "$name" "exit $rc (want 77)" "stderr: $(head -3 "$T/err")" "want: $want"; fi
}
# queued N - pickup has handed N messages to cleanup (qmgr moves them on)
queued() { [ "$(grep -c 'hato/pickup\[[0-9]*\]: [0-9A-Za-z]*: uid=' "$I/maillog")" -ge "$1" ]; }
n=0

# --- the defaults: everybody may do everything ---------------------------------
t_check "default: the user submits with sendmail" send as_user "$T/bin/sendmail" -f other@example.org u@example.test
n=$((n + 1)); t_check "...and it is queued" inst_wait queued $n
t_check "default: the user lists the queue" as_user "$T/bin/postqueue" -p
t_check "default: the user flushes the queue" as_user "$T/bin/postqueue" -f

# --- authorized_submit_users ------------------------------------------------------
inst_set "authorized_submit_users = !$U, static:anyone"
refused "!user: sendmail refuses with Postfix's message" \
	"sendmail: fatal: User $U($UID_U) is not allowed to submit mail" send as_user "$T/bin/sendmail" u@example.test
refused "...postdrop run directly refuses too" \
	"postdrop: fatal: User $U($UID_U) is not allowed to submit mail" as_user "$T/bin/postdrop"
t_check "...nothing is left in maildrop/" test -z "$(ls -A "$I/queue/maildrop")"
t_check "...root still submits" send "$T/bin/sendmail" u@example.test
n=$((n + 1)); t_check "...and it is queued" inst_wait queued $n
inst_set "authorized_submit_users = root, $T/submitters"
echo "# who may submit" >"$T/submitters"; echo "$U" >>"$T/submitters"
t_check "a /file/name list that names the user: allowed" send as_user "$T/bin/sendmail" u@example.test
n=$((n + 1)); t_check "...and it is queued" inst_wait queued $n
inst_set "authorized_submit_users ="
refused "an empty list refuses everybody, root too" \
	"User root(0) is not allowed to submit mail" send "$T/bin/sendmail" u@example.test
inst_set "authorized_submit_users = static:anyone"

# --- authorized_mailq_users and authorized_flush_users --------------------------
inst_set "authorized_mailq_users = root" "authorized_flush_users = root"
refused "mailq list without the user: postqueue -p refuses" \
	"postqueue: fatal: User $U($UID_U) is not allowed to view the mail queue" as_user "$T/bin/postqueue" -p
refused "...postqueue -j too" "is not allowed to view the mail queue" as_user "$T/bin/postqueue" -j
refused "...mailq too" "is not allowed to view the mail queue" as_user "$T/bin/mailq"
refused "...sendmail -bp too" "is not allowed to view the mail queue" as_user "$T/bin/sendmail" -bp
t_check "...root lists the queue" "$T/bin/postqueue" -p
t_check "...mail_owner lists the queue" runuser -u hato -- "$T/bin/postqueue" -c "$I" -p
refused "flush list without the user: postqueue -f refuses" \
	"postqueue: fatal: User $U($UID_U) is not allowed to flush the mail queue" as_user "$T/bin/postqueue" -f
refused "...postqueue -i too" "is not allowed to flush the mail queue" as_user "$T/bin/postqueue" -i ABCDEF
refused "...sendmail -q too" "is not allowed to flush the mail queue" as_user "$T/bin/sendmail" -q
t_check "...root flushes" "$T/bin/postqueue" -f
inst_set "authorized_mailq_users = static:anyone" "authorized_flush_users = static:anyone"

# --- local_login_sender_maps ------------------------------------------------------
printf 'root *\n%s %s, %s@example.test, <>\n' "$U" "$U" "$U" >"$T/senders"
inst_set "local_login_sender_maps = texthash:$T/senders" "recipient_delimiter = +"
refused "a sender the map does not list: refused with Postfix's message" \
	"not authorized to use sender='boss@example.test'" \
	send as_user "$T/bin/sendmail" -f boss@example.test u@example.test
t_check "...nothing is left in maildrop/" test -z "$(ls -A "$I/queue/maildrop")"
t_check "...the login name (the default sender) is allowed" send as_user "$T/bin/sendmail" u@example.test
n=$((n + 1)); t_check "...and queued" inst_wait queued $n
t_check "...user@domain from the map, with an address extension, is allowed" \
	send as_user "$T/bin/sendmail" -f "$U+tag@example.test" u@example.test
n=$((n + 1)); t_check "...and queued" inst_wait queued $n
t_check "...the null sender (<>) is allowed" send as_user "$T/bin/sendmail" -f '<>' u@example.test
n=$((n + 1)); t_check "...and queued" inst_wait queued $n
t_check "root (*) may use any sender" send "$T/bin/sendmail" -f boss@example.test u@example.test
n=$((n + 1)); t_check "...and queued" inst_wait queued $n
printf 'root *\n' >"$T/senders"
refused "a user without an entry may use no sender at all" "not authorized to use sender='$U'" \
	send as_user "$T/bin/sendmail" u@example.test
