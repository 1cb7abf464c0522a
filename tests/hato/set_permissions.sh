#!/usr/bin/env bash
# set_permissions.sh - "hato set-permissions", as "postfix set-permissions":
# the queue tree's owners and modes, queue files given back to mail_owner
# (symlinks left alone), data_directory, and postdrop and postqueue made
# set-group-ID setgid_group (copies in command_directory, not the build's).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "set-permissions tests skipped: they need root # SKIP"; exit 0; }
. "$HATO_TOP/tests/lib/instance.sh"	# $I, and the hato user removed at exit if made here
chmod 755 "$T"
"$HATO" init --dev "$I" >/dev/null 2>&1
mkdir "$T/bin"
cp "$B/bin/postdrop" "$B/bin/postqueue" "$T/bin/"
"$B/bin/postconf" -c "$I" -e "command_directory = $T/bin"

chown root:root "$I/queue/incoming" "$I/data"
chmod 0755 "$I/queue/maildrop"
mkdir "$I/queue/deferred/A"
touch "$I/queue/deferred/A/f1" "$I/queue/incoming/f2"
ln -s /etc/hostname "$I/queue/incoming/link"
t_check_fail "hato check fails on the damaged tree" "$HATO" -c "$I" check
t_check "hato set-permissions" "$HATO" -c "$I" set-permissions
t_check "...after which hato check passes" "$HATO" -c "$I" check
t_expect "incoming is hato:hato 700 again" "hato:hato 700" stat -c "%U:%G %a" "$I/queue/incoming"
t_expect "maildrop is 1730 again" "1730" stat -c "%a" "$I/queue/maildrop"
t_expect "data_directory is mail_owner's, 0700" "hato 700" stat -c "%U %a" "$I/data"
t_expect "queue files below deferred/ are mail_owner's" "hato hato" \
	bash -c "stat -c %U '$I/queue/deferred/A' '$I/queue/deferred/A/f1' | tr '\n' ' ' | sed 's/ \$//'"
t_expect "...and in incoming/" "hato" stat -c %U "$I/queue/incoming/f2"
t_expect "a symlink is left alone (and not followed)" "root root" \
	bash -c "stat -c %U '$I/queue/incoming/link' | tr '\n' ' '; stat -c %U /etc/hostname"
t_expect "postdrop is set-group-ID hatodrop, 2755" "root:hatodrop 2755" stat -c "%U:%G %a" "$T/bin/postdrop"
t_expect "postqueue too" "root:hatodrop 2755" stat -c "%U:%G %a" "$T/bin/postqueue"
t_check "hato's usage lists set-permissions" bash -c "'$HATO' 2>&1 | grep -q set-permissions"

# a command directory its owner (not root) could change: set-group-ID
# programs there could be rewritten by that user, so they are left alone
mkdir "$T/ubin" && cp "$B/bin/postdrop" "$B/bin/postqueue" "$T/ubin/" && chmod 755 "$T/ubin"/*
chown nobody "$T/ubin"
"$POSTCONF" -c "$I" -e "command_directory = $T/ubin"
t_expect_err "set-permissions refuses a command_directory root does not own" "not owned by root" \
	"$HATO" -c "$I" set-permissions
t_expect "...and makes nothing there set-group-ID" "755 755" \
	bash -c "stat -c %a '$T/ubin/postdrop' '$T/ubin/postqueue' | tr '\n' ' ' | sed 's/ \$//'"
