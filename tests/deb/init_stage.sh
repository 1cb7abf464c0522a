#!/usr/bin/env bash
# deb/init_stage.sh - the two hato init options the Debian package uses:
# --destdir STAGE (debian/rules: main.cf and master.cf of /etc/hato
# written below STAGE, naming the installed paths, a service commented
# out when its daemon is not staged; nothing else made) and
# --keep-existing (postinst: an edited main.cf and master.cf kept, a
# missing certificate and users file made again); the misuses are
# refused.
. "$HATO_TOP/tests/lib.sh"
HATO=$B/bin/hato
S=$T/stage
# the compiled-in daemon_directory: the build's PREFIX (build/prefix.stamp)
prefix=$(awk '{ print $1 }' "$B/prefix.stamp")/libexec/hato

mkdir -p "$S/etc" "$S$prefix"
printf '#!/bin/sh\n' >"$S$prefix/smtpd"; chmod 755 "$S$prefix/smtpd"
t_check "init --destdir stages /etc/hato" "$HATO" init --destdir "$S" /etc/hato
t_expect "only main.cf and master.cf are made" "main.cf master.cf" bash -c "ls '$S/etc/hato' | paste -sd' '"
t_check "main.cf names the installed certificate and users file" \
	bash -c "grep -qx 'smtpd_tls_cert_file = /etc/hato/cert.pem' '$S/etc/hato/main.cf' &&
		grep -qx 'passdb = system, passwd-file:/etc/hato/users' '$S/etc/hato/main.cf'"
t_check "main.cf sets no daemon_directory (the compiled-in one is where they go)" \
	bash -c "! grep -q '^daemon_directory' '$S/etc/hato/main.cf'"
t_check "a staged daemon's service is on, a missing one's commented out" \
	bash -c "grep -q '^smtp  *inet .* smtpd\$' '$S/etc/hato/master.cf' && grep -q '^#pop3  *inet .* pop3d\$' '$S/etc/hato/master.cf'"
t_check "nothing is made outside the stage (no queue, no certificate)" test ! -e "$S/var"
t_expect_err "init --destdir refuses to overwrite" "does not overwrite" "$HATO" init --destdir "$S" /etc/hato
t_expect_err "init --destdir wants an absolute stage" "usage" "$HATO" init --destdir stage /etc/hato
t_expect_err "init --destdir wants an absolute directory" "must be absolute" "$HATO" init --destdir "$S" etc/hato
t_expect_err "init --dev --destdir is refused" "usage" "$HATO" init --dev --destdir "$S" "$T/x"
t_expect_err "an unknown init option is refused" "usage" "$HATO" init --keep "$T/x"

I=$T/inst
"$HATO" init --dev "$I" >/dev/null
echo "# the administrator's line" >>"$I/main.cf"
rm "$I/cert.pem" "$I/key.pem" "$I/users"
t_expect_err "without --keep-existing init refuses an existing main.cf" "does not overwrite" "$HATO" init --dev "$I"
t_check "init --keep-existing completes the instance" "$HATO" init --dev --keep-existing "$I"
t_check "the edited main.cf is kept" grep -qx "# the administrator's line" "$I/main.cf"
t_check "the certificate, key and users file are made again" test -s "$I/cert.pem" -a -s "$I/key.pem" -a -f "$I/users"
t_check "init --keep-existing again changes nothing and succeeds" \
	bash -c "sum1=\$(cat '$I'/*.pem | md5sum); '$HATO' init --dev --keep-existing '$I' >/dev/null && test \"\$(cat '$I'/*.pem | md5sum)\" = \"\$sum1\""
