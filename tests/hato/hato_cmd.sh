#!/usr/bin/env bash
# hato_cmd.sh - the control command apart from start/stop (see tests/master):
# init (refuses to overwrite, certificate, users file, queue tree, only
# services this build has), check (owners and modes named, mail_owner; a
# TLS key that does not load is a warning), version, usage.
. "$HATO_TOP/tests/lib.sh"
HATO=$B/bin/hato
[ "$(id -u)" = 0 ] || { t_ok "hato command tests skipped: they need root # SKIP"; exit 0; }
created_user=""
id hato >/dev/null 2>&1 || created_user=yes
created_authuser=""	# default_internal_user, made by hato init
id hatoauth >/dev/null 2>&1 || created_authuser=yes
created_loginuser=""	# default_login_user, made by hato init
id hatonull >/dev/null 2>&1 || created_loginuser=yes
cleanup_all() {
	if [ -n "$created_user" ]; then userdel hato >/dev/null 2>&1; groupdel hato >/dev/null 2>&1; groupdel hatodrop >/dev/null 2>&1; fi
	[ -n "$created_authuser" ] && { userdel hatoauth; groupdel hatoauth; } >/dev/null 2>&1
	[ -n "$created_loginuser" ] && { userdel hatonull; groupdel hatonull; } >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup_all EXIT
I=$T/inst
chmod 755 "$T"	# the hato user must reach the queue (hato check refuses otherwise)

t_check "hato init --dev" "$HATO" init --dev "$I"
t_expect_err "hato init refuses to overwrite" "does not overwrite" "$HATO" init --dev "$I"
t_expect_err "hato init --help is a usage error, not a directory to create" "usage" \
	bash -c "cd '$T' && '$HATO' init --help"
t_check "...and made nothing" test ! -e "$T/--help"
t_check "init made a self-signed certificate that OpenSSL reads" \
	openssl x509 -in "$I/cert.pem" -noout -subject
t_check "...with its key, mode 0600" test "$(stat -c %a "$I/key.pem")" = 600
t_check "...and an empty users passwd-file, mode 0640" test "$(stat -c %a "$I/users")" = 640
t_expect "init made the queue tree with Postfix's modes" \
	"active:700 bounce:700 corrupt:700 defer:700 deferred:700 hold:700 incoming:700 login:755 maildrop:1730 pid:755 private:700 public:710 saved:700 spare:700 trace:700" \
	bash -c "cd '$I/queue' && for d in *; do printf '%s:%s ' \$d \$(stat -c %a \$d); done | sed 's/ \$//'"
t_expect "maildrop belongs to mail_owner and setgid_group" "hato:hatodrop" stat -c %U:%G "$I/queue/maildrop"
t_check "hato check passes on a new instance" "$HATO" -c "$I" check
t_check "...and says nothing about services skipped: init writes no bounce service" \
	bash -c "! '$HATO' -c '$I' check 2>&1 | grep -qi 'skipped' && ! grep -q '^bounce' '$I/master.cf'"
t_check "postconf reads the new main.cf without warnings" bash -c "'$B/bin/postconf' -c '$I' -n 2>&1 >/dev/null | grep -c . | grep -qx 0"

chmod 0777 "$I/queue/maildrop"
t_expect_err "hato check names a wrong mode" "queue/maildrop: mode 0777, should be 1730" "$HATO" -c "$I" check
chmod 1730 "$I/queue/maildrop"
chown root "$I/queue/incoming"
t_expect_err "hato check names a wrong owner, by name" "queue/incoming: owner root:hato, should be hato:hato" "$HATO" -c "$I" check
t_expect_err "...and says what fixes it" "hato set-permissions sets the owners and modes" "$HATO" -c "$I" check
chown hato "$I/queue/incoming"
rmdir "$I/queue/spare"
t_check "hato check creates a queue directory an older tree lacks, and says so" \
	bash -c "'$HATO' -c '$I' check 2>&1 | grep -qF 'queue/spare: was missing, created (mode 0700)'"
t_expect "...with its owner and mode" "hato 700" stat -c "%U %a" "$I/queue/spare"
t_check "hato check says nothing about the certificate init made" \
	bash -c "! '$HATO' -c '$I' check 2>&1 | grep -q smtpd_tls"
printf -- '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' >"$T/bad.key"
"$B/bin/postconf" -c "$I" -e "smtpd_tls_key_file = $T/bad.key"
t_check "hato check warns about a key that does not load (smtpd would only find out at STARTTLS)" \
	bash -c "'$HATO' -c '$I' check 2>&1 | grep -q 'smtpd_tls_cert_file or smtpd_tls_key_file: $T/bad.key: .*smtpd will not offer TLS'"
"$B/bin/postconf" -c "$I" -e "smtpd_tls_key_file = $I/key.pem"
"$B/bin/postconf" -c "$I" -e mail_owner=nosuchuser
t_expect_err "hato check says how to create a missing mail_owner" "useradd -r -U -s /usr/sbin/nologin -d /nonexistent nosuchuser" "$HATO" -c "$I" check
"$B/bin/postconf" -c "$I" -e mail_owner=hato
echo 'smtpd_timeout = soon' >>"$I/main.cf"
t_expect_err "hato check names a bad main.cf line" "main.cf, line" "$HATO" -c "$I" check

t_expect "hato version" "hato 0.1" "$HATO" version
t_expect_err "an unknown command prints the usage" "usage: hato" "$HATO" frobnicate
