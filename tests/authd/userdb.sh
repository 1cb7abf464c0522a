#!/usr/bin/env bash
# authd/userdb.sh - what pop3d and imapd will do after a login, against a
# real authd through build/tests/authprobe (libutil's auth_client_user and
# privdrop_login, nothing mocked): USER answers for a system user (with
# system_groups_user) and for passwd-file and lmdb users whose extra fields
# give their own mail location and quota rules; a bad extra field skips
# its line with a warning; an unreadable userdb is a temporary failure on
# a connection that stays usable; then the switch to the user's uid, gid
# and groups (a system user keeps its /etc/group groups, a virtual user
# has only its gid), with root out of reach, and first_valid_uid refused.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "authd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U=hluserdb1 G=hlgroup1
drop() { userdel -r "$U" >/dev/null 2>&1; groupdel "$G" >/dev/null 2>&1; }
drop
trap 'drop; inst_cleanup' EXIT
groupadd "$G" && useradd -m -s /usr/sbin/nologin -G "$G" "$U" || t_fail "useradd $U in group $G"
uid=$(id -u $U) gid=$(id -g $U) sgid=$(getent group $G | cut -d: -f3) home=$(getent passwd $U | cut -d: -f6)

inst_new
echo "auth      unix  -       n       n       -       1       authd" >>"$I/master.cf"
cat >>"$I/users" <<'USERS'
vq@example.test:{PLAIN}x:5001:5001::/var/vmail/vq::userdb_quota_rule=*:storage=1G nopassword userdb_mail=maildir:~/mail/%n userdb_quota_rule2=Trash:storage=+10%%
vbad@example.test:{PLAIN}x:5002:5002::/var/vmail/vbad::userdb_mail=a userdb_mail=b
USERS
echo "vl@example.test:{PLAIN}x:5003:5003::/var/vmail/vl::userdb_quota_rule=*:messages=100" >"$T/vusers"
chgrp hatoauth "$T/vusers"; chmod 0640 "$T/vusers"
t_check "postmap passwd-file: keeps the extra fields" "$B/bin/postmap" "passwd-file:$T/vusers"
inst_set "passdb = system, passwd-file:$I/users" \
	"userdb = system, passwd-file:$I/users, lmdb:$T/vusers" \
	"mail_location = maildir:~/Maildir" "first_valid_uid = 1000"
t_check "instance with authd starts" inst_start
S=$I/queue/private/auth
probe() { "$B/tests/authprobe" "$S" "$@"; }

t_expect "USER: a system user, with system_groups_user" \
	"USER $U uid=$uid gid=$gid home=$home mail=maildir:$home/Maildir system_groups_user=$U" probe user $U
t_expect "USER: a passwd-file user: userdb_mail and quota rules (%% a percent sign)" \
	"USER vq@example.test uid=5001 gid=5001 home=/var/vmail/vq mail=maildir:/var/vmail/vq/mail/vq quota_rule=*:storage=1G quota_rule2=Trash:storage=+10%" \
	probe user vq@example.test
t_expect "...the name as auth_username_format makes it (%Lu)" "USER vq@example.test" \
	bash -c "'$B/tests/authprobe' '$S' user VQ@Example.TEST | cut -d' ' -f1,2"
t_expect "USER: an lmdb userdb (postmap passwd-file:) with a quota rule" \
	"USER vl@example.test uid=5003 gid=5003 home=/var/vmail/vl mail=maildir:/var/vmail/vl/Maildir quota_rule=*:messages=100" \
	probe user vl@example.test
t_expect "a line with a repeated userdb field is skipped: NOTFOUND" "NOTFOUND" probe user vbad@example.test
t_check "...with a warning naming file and line" \
	grep -q "warning: $I/users, line [0-9]*: duplicate userdb field" "$I/maillog"
t_expect "USER: unknown, and root (below first_valid_uid): NOTFOUND" "NOTFOUND NOTFOUND" \
	bash -c "'$B/tests/authprobe' '$S' user nobody-here root | tr '\n' ' ' | sed 's/ \$//'"

t_expect "switch to the system user: its uid, gid and /etc/group groups; setuid(0) fails" \
	"switched uid=$uid,$uid,$uid gid=$gid,$gid,$gid groups=$(printf '%s\n' $gid $sgid | sort -n | paste -sd,) setuid0=refused" \
	bash -c "'$B/tests/authprobe' '$S' login $U 1000 | sed -n 2p"
t_expect "switch to a virtual user: uid and gid, no other group" \
	"switched uid=5001,5001,5001 gid=5001,5001,5001 groups=5001 setuid0=refused" \
	bash -c "'$B/tests/authprobe' '$S' login vq@example.test 1000 | sed -n 2p"
t_expect "a uid below first_valid_uid is refused" \
	"refused: user $U: uid $uid is below first_valid_uid ($((uid + 1)))" \
	bash -c "'$B/tests/authprobe' '$S' login $U $((uid + 1)) | sed -n 2p"

chmod 000 "$I/users"
t_expect "an unreadable userdb: a temporary failure, and the connection stays usable" \
	"TEMPFAIL temporary failure: userdb unavailable|USER $U" \
	bash -c "'$B/tests/authprobe' '$S' user vq@example.test $U | sed 's/ uid=.*//' | paste -sd'|'"
chmod 640 "$I/users"
inst_stop
t_expect "authd gone: a temporary failure" "TEMPFAIL" bash -c "'$B/tests/authprobe' '$S' user $U | cut -d' ' -f1"
