#!/usr/bin/env bash
# daemon_dir.sh - hato check warns, as postfix check does, when the
# daemon_directory or a program in it could be changed by someone other
# than root (master runs those programs as root): not owned by root, or
# writable by group or others.  A root-owned 0755 copy draws no warning.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "daemon_directory tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"	# $I, $HATO; the hato user removed at exit if made here
D=$T/libexec

chmod 755 "$T"	# mail_owner must reach the queue (hato check refuses otherwise)
"$HATO" init --dev "$I" >/dev/null
cp -a "$("$B/bin/postconf" -c "$I" -h daemon_directory)" "$D"
chown -R root:root "$D"
chmod -R go-w "$D"
chmod 0755 "$D"
"$B/bin/postconf" -c "$I" -e "daemon_directory = $D"
# warns SUBSTRING - hato check's output holds it (a warning: check still passes)
warns() { "$HATO" -c "$I" check >"$T/check.out" 2>&1; grep -qF -- "$1" "$T/check.out"; }

t_check "a root-owned 0755 daemon_directory: hato check passes" "$HATO" -c "$I" check
t_check "...without a word about it" bash -c "! grep -q 'daemon_directory\|$D' '$T/check.out'"
chmod 0775 "$D"
t_check "a group-writable daemon_directory is warned about" \
	warns "warning: daemon_directory $D: writable by group or others"
chmod 0757 "$D"
t_check "...so is a world-writable one" warns "warning: daemon_directory $D: writable by group or others"
chmod 0755 "$D"
chown nobody "$D"
t_check "...and one that root does not own" warns "warning: daemon_directory $D: not owned by root"
chown root "$D"
chmod o+w "$D/smtpd"
t_check "a world-writable program in it is warned about" warns "warning: $D/smtpd: writable by group or others"
chmod o-w "$D/smtpd"
chown nobody "$D/cleanup"
t_check "...so is a program that root does not own" warns "warning: $D/cleanup: not owned by root"
chown root "$D/cleanup"
t_check "...and all is quiet again once fixed" bash -c "'$HATO' -c '$I' check >'$T/check.out' 2>&1 && ! grep -q 'daemon_directory\|$D' '$T/check.out'"
