#!/usr/bin/env bash
# deb/package.sh - the Debian package (debian/, make deb): built from a
# copy of the tree and checked by lintian (source and binary: no error);
# its Provides, Conflicts and Replaces, conffiles and the files every
# Debian MTA has; then installed with apt into a throwaway Debian 12
# root that has Postfix: hato replaces Postfix, postinst makes the
# accounts, the queue, the certificate, /etc/aliases and its index,
# postdrop set-group-ID hatodrop and the enabled unit (and runs again
# through dpkg-reconfigure); an unprivileged user's sendmail -t puts a
# message in maildrop/; hato, started in the root, delivers it to root's
# Maildir and mailq lists its remote recipient; reinstalling Postfix
# removes hato; purge leaves nothing the package made but what Debian
# lets stay (the system users and groups).
#
# The root: mmdebstrap --variant=minbase from deb.debian.org with hato's
# libraries, adduser and postfix (and postfix's .deb in /root, so
# reinstalling it needs no network), cached as a tarball in
# /var/cache/hato-test (one download per machine, ~30 s; the key is a
# hash of its recipe).  Commands run in it with chroot(8) inside a
# private mount namespace (unshare -m: its /proc mount goes away with
# the command, nothing of the host is ever bind-mounted into a directory
# this test removes).  Not "dpkg --root": that too chroots to run the
# maintainer scripts, which then need a Debian root anyway, and apt
# (Conflicts: removing Postfix) does not work on a bare --root tree.  A
# policy-rc.d in the root refuses every service start (Postfix's init
# script would otherwise start a real Postfix on the host's port 25);
# without systemd running in the root, hato.service is enabled, not
# started.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "package tests skipped: they need root # SKIP"; exit 0; }

CACHE=${HATO_TEST_CACHE:-/var/cache/hato-test}
MIRROR=http://deb.debian.org/debian
ROOT_PKGS=adduser,init-system-helpers,libargon2-1,libcrypt1,liblmdb0,libpcre2-8-0,libsasl2-2,libssl3,zlib1g,postfix
R=$T/root

# stop_root - processes this test left running in the root (cut short
# in run.sh: master and its daemons), each ended by its id; then $T goes
stop_root() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	rm -rf "$T"
}
trap stop_root EXIT

# in_root CMD... - CMD in the root, as root, with /proc mounted only for it
in_root() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive \
		unshare --mount --fork -- sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$R" "$@"
}

# base_tarball - the cached root for this recipe, made when missing; its path
base_tarball() {
	local key tar
	key=$(echo "minbase $ROOT_PKGS $MIRROR v1" | sha256sum | cut -c1-16)
	tar=$CACHE/bookworm-hato-deb-$key.tar
	mkdir -p "$CACHE"
	(
		flock 9
		[ -f "$tar" ] && exit 0
		# mmdebstrap writes a tarball to a name ending in .tar
		rm -rf "$CACHE/new.tar"
		mmdebstrap --quiet --variant=minbase --include="$ROOT_PKGS" \
			--customize-hook='chroot "$1" sh -c "cd /root && apt-get -q download postfix"' \
			bookworm "$CACHE/new.tar" "deb $MIRROR bookworm main" >"$T/mmdebstrap.log" 2>&1 &&
			mv "$CACHE/new.tar" "$tar"
	) 9>"$CACHE/.lock"
	[ -f "$tar" ] && echo "$tar"
}

# file_list - every path in the root with its type, mode and owner,
# except the package managers' own records, logs and caches, and /run (a
# tmpfs on a running system: adduser leaves its lock file there)
file_list() {
	(cd "$R" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./var/lib/dpkg \
		-o -path ./var/lib/apt -o -path ./var/cache/apt -o -path ./var/cache/debconf \
		-o -path ./var/cache/ldconfig -o -path ./var/log -o -path ./run -o -path ./root/hato.deb \) -prune \
		-o -printf '%p %y %m %U:%G\n') | sort
}

# --- the package -------------------------------------------------------
for tool in dpkg-buildpackage dh lintian mmdebstrap; do
	command -v $tool >/dev/null || { t_fail "$tool is installed (make deps)"; exit 1; }
done
make -s -C "$TOPDIR" deb DEB_DIR="$T/deb" >"$T/build.log" 2>&1
deb=$(ls "$T"/deb/hato_*_*.deb 2>/dev/null | head -1)
if [ -n "$deb" ]; then t_ok "make deb builds the package"; else
	t_fail "make deb builds the package" "$(tail -5 "$T/build.log")"; exit 1
fi
lintian --fail-on error "$T"/deb/hato_*.changes >"$T/lintian.out" 2>&1
rc=$?
t_check "lintian finds no error in the source and binary packages" test $rc = 0 -a -z "$(grep '^E:' "$T/lintian.out")"
grep -E '^[EW]:' "$T/lintian.out" | sed 's/^/# lintian: /'

version=$(sed -n 's/^VERSION := //p' "$TOPDIR/Makefile")
t_expect "the package's version is the Makefile's VERSION (debian/changelog)" "$version" \
	dpkg-deb -f "$deb" Version
field() { dpkg-deb -f "$deb" "$1" | tr -d ' ' | tr , '\n' | sort | paste -sd,; }
t_expect "Provides: the MTA and default MTA, IMAP and POP3 server" \
	"default-mta,imap-server,mail-transport-agent,pop3-server" field Provides
t_expect "Conflicts: every other MTA, Dovecot's IMAP and POP3 servers" \
	"dovecot-imapd,dovecot-pop3d,mail-transport-agent" field Conflicts
t_expect "Replaces: every other MTA" "mail-transport-agent" field Replaces
t_expect "conffiles: main.cf, master.cf, the logrotate file" \
	"/etc/hato/main.cf /etc/hato/master.cf /etc/logrotate.d/hato" \
	bash -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./conffiles | sort | paste -sd' '"
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$T/contents"
for f in usr/sbin/sendmail usr/bin/mailq usr/bin/newaliases usr/lib/sendmail \
	usr/libexec/hato/master lib/systemd/system/hato.service usr/share/man/man8/hato.8.gz; do
	t_check "the package has /$f" grep -qx "./$f" "$T/contents"
done
t_check "main.cf names the installed certificate, master.cf runs smtpd" \
	bash -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./etc/hato/main.cf | grep -qx 'smtpd_tls_cert_file = /etc/hato/cert.pem' &&
		dpkg-deb --fsys-tarfile '$deb' | tar -xO ./etc/hato/master.cf | grep -q '^smtp  *inet .* smtpd\$'"

# --- a Debian 12 root with Postfix -------------------------------------
base=$(base_tarball)
if [ -n "$base" ]; then t_ok "a Debian 12 root with Postfix (mmdebstrap, cached in $CACHE)"; else
	t_fail "a Debian 12 root with Postfix (mmdebstrap, cached in $CACHE)" "$(tail -5 "$T/mmdebstrap.log")"; exit 1
fi
mkdir "$R" && tar --numeric-owner -xpf "$base" -C "$R"
if [ -x "$R/usr/bin/apt-get" ] && [ -d "$R/proc" ]; then t_ok "the root unpacks"; else
	t_fail "the root unpacks" "$base"; exit 1
fi
printf '#!/bin/sh\n# tests/deb/package.sh: no service starts in this root\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
file_list >"$T/before"
cp "$deb" "$R/root/hato.deb"

# --- install: Postfix goes, hato comes ---------------------------------
in_root apt-get install -y -q /root/hato.deb >"$T/install.out" 2>&1
t_check "apt installs hato (policy-rc.d refusing every start)" test $? = 0
t_check "installing hato removes Postfix" grep -q '^Removing postfix' "$T/install.out"
t_expect "hato is installed" "install ok installed" in_root dpkg-query -W -f='${Status}' hato
t_expect "postdrop is root:hatodrop 2755" "root:hatodrop 2755" in_root stat -c '%U:%G %a' /usr/sbin/postdrop
t_expect "postqueue is root:hatodrop 2755" "root:hatodrop 2755" in_root stat -c '%U:%G %a' /usr/sbin/postqueue
t_check "the users and the group exist (adduser --system)" \
	in_root sh -c 'for u in hato hatoauth hatonull; do getent passwd $u | grep -q :/usr/sbin/nologin$ || exit 1; done; getent group hatodrop'
t_expect "maildrop/ is hato:hatodrop 1730" "hato:hatodrop 1730" in_root stat -c '%U:%G %a' /var/spool/hato/maildrop
t_check "postinst made the certificate, the users file and /etc/aliases.lmdb" \
	test -s "$R/etc/hato/cert.pem" -a -s "$R/etc/hato/key.pem" -a -f "$R/etc/hato/users" -a -s "$R/etc/aliases.lmdb"
t_expect "hato.service is enabled" "/lib/systemd/system/hato.service" \
	readlink "$R/etc/systemd/system/multi-user.target.wants/hato.service"
t_check "hato check accepts the installed configuration" in_root hato check
t_check "newaliases indexed /etc/aliases" in_root postmap -q postmaster lmdb:/etc/aliases

# --- sendmail -t into maildrop/ ------------------------------------------
printf 'From: nobody@localhost\nTo: root@localhost, someone@example.com\nSubject: from the package test\n\nhello\n' |
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin unshare --mount --fork -- \
	chroot --userspec=nobody:nogroup "$R" /usr/sbin/sendmail -t >"$T/sendmail.out" 2>&1
t_check "an unprivileged sendmail -t queues through the set-group-ID postdrop" test $? = 0
id=$(ls "$R/var/spool/hato/maildrop" 2>/dev/null | head -1)
t_check "the message waits in maildrop/" test -n "$id" -a "$(ls "$R/var/spool/hato/maildrop" | wc -l)" = 1

# --- postinst again, without /etc/aliases (dpkg-reconfigure) ------------
mv "$R/etc/aliases" "$T/aliases.postfix"
mv "$R/etc/aliases.db" "$T/aliases.db.postfix"
rm -f "$R/etc/aliases.lmdb"
t_check "postinst runs again (dpkg-reconfigure hato)" in_root dpkg-reconfigure hato
t_check "postinst made /etc/aliases (postmaster: root) and its index" \
	bash -c "grep -q '^postmaster: *root' '$R/etc/aliases' && test -s '$R/etc/aliases.lmdb'"
t_check "the queued message is still there" test -n "$id" -a -f "$R/var/spool/hato/maildrop/$id"
mv "$T/aliases.postfix" "$R/etc/aliases"
mv "$T/aliases.db.postfix" "$R/etc/aliases.db"

# --- hato runs: pickup takes the message, local delivers, mailq lists -----
# mailq lists incoming/, active/, deferred/ and hold/ (showq), not
# maildrop/: the installed system runs, in a network namespace of its own
# (its loopback only: the ports of master.cf are free there, and
# example.com is unreachable, so that recipient stays in the queue)
cat >"$R/root/run.sh" <<'EOF_RUN'
#!/bin/sh
# run.sh - hato start; wait for root's delivery and for mailq to list the
# remote recipient; keep mailq's listing; hato stop
hato start || exit 1
for i in $(seq 150); do
	ls /root/Maildir/new/* >/dev/null 2>&1 && mailq >/root/mailq.out 2>&1 &&
		grep -q someone@example.com /root/mailq.out && break
	sleep 0.2
done
hato stop
EOF_RUN
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
	unshare --mount --net --fork -- sh -c 'ip link set lo up && mount -t proc proc "$0/proc" &&
		exec chroot "$0" sh /root/run.sh' "$R" >"$T/run.out" 2>&1
t_check "hato start and hato stop in the root" test $? = 0
t_check "no hato process is left" test ! -s "$R/var/spool/hato/pid/master.pid"
t_check "local delivered the message into root's Maildir" \
	bash -c "grep -qx 'Subject: from the package test' '$R'/root/Maildir/new/*"
t_check "mailq lists it: sender, the remote recipient, 1 request" \
	bash -c "grep -q 'nobody@' '$R/root/mailq.out' && grep -q 'someone@example.com' '$R/root/mailq.out' &&
		grep -q ' in 1 Request' '$R/root/mailq.out'"
# root's mail is root's, not the package's: purge leaves it, this test not
rm -rf "$R/root/Maildir" "$R/root/mailq.out" "$R/root/run.sh"

# --- Postfix again: hato goes; purge ------------------------------------
in_root sh -c 'apt-get install -y -q /root/postfix_*.deb' >"$T/postfix.out" 2>&1
t_check "apt installs Postfix again" test $? = 0
t_check "installing Postfix removes hato" grep -q '^Removing hato' "$T/postfix.out"
t_expect "hato's configuration stays until purge" "deinstall ok config-files" \
	in_root dpkg-query -W -f='${Status}' hato
in_root dpkg-statoverride --list >"$T/overrides"
t_check "the set-group-ID overrides went with hato" test -z "$(grep hatodrop "$T/overrides")"
t_check "remove kept /etc/hato/main.cf (a conffile)" test -f "$R/etc/hato/main.cf"
t_check "dpkg --purge hato" in_root dpkg --purge hato
t_check "purge removed /etc/hato, the queue, /var/lib/hato, aliases.lmdb and the log" \
	bash -c "! ls -d '$R/etc/hato' '$R/var/spool/hato' '$R/var/lib/hato' '$R/etc/aliases.lmdb' '$R'/var/log/hato.log* 2>/dev/null | grep -q ."
file_list >"$T/after"
# what may stay: the system users and groups (the files that list them
# and their backups changed, not their names: only the backups show)
diff "$T/before" "$T/after" | grep '^[<>]' | grep -vE '^> \./etc/(passwd|group|shadow|gshadow)- ' >"$T/diff"
t_check "after purge the root holds what it held before (but the users)" \
	test "$(wc -l <"$T/before")" -gt 1000 -a ! -s "$T/diff"
sed 's/^/#   /' "$T/diff" | head -20
t_check "the users stay, as Debian's packages leave them" in_root getent passwd hato
