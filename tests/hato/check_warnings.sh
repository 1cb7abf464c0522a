#!/usr/bin/env bash
# check_warnings.sh - what hato check warns about, each warning with the
# command that fixes it: a missing or stale NAME.lmdb of a hash:/lmdb:
# table (main.cf and master.cf -o), alias_maps without its table, an
# smtpd_sasl_path where no authd listens ("auth unix n ..." is public/),
# saslauthd's socket out of mail_owner's reach, wrapper mode or encrypt
# without a certificate, no log destination, a pop3d service without
# login/auth or login/pop3, an imapd one without login/imap.  And hato init builds
# /etc/aliases.lmdb when /etc/aliases exists (in a private mount namespace
# with a copy of /etc, so the machine's /etc is untouched).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "check warning tests skipped: they need root # SKIP"; exit 0; }
. "$HATO_TOP/tests/lib/instance.sh"	# $I, and the hato user removed at exit if made here
PC=$POSTCONF
trap '[ -n "${SASL_PID:-}" ] && kill "$SASL_PID" 2>/dev/null; inst_cleanup' EXIT
chmod 755 "$T"
# warns TEXT - hato check's output contains TEXT
warns() { "$HATO" -c "$I" check >"$T/check.out" 2>&1; grep -qF -- "$1" "$T/check.out"; }

"$HATO" init --dev "$I" >/dev/null
t_check "a new instance: no warning" bash -c "! '$HATO' -c '$I' check 2>&1 | grep -q warning"
rm "$I/aliases.lmdb"
t_check "alias_maps without aliases.lmdb: a warning with newaliases" \
	warns "hash:$I/aliases: $I/aliases.lmdb is missing: every lookup in it fails and the mail defers (run: newaliases -c $I)"
"$B/bin/newaliases" -c "$I"
t_check "...gone after newaliases" bash -c "! '$HATO' -c '$I' check 2>&1 | grep -q warning"
touch -d '+2 seconds' "$I/aliases"
t_check "aliases changed after its table: a stale-table warning" \
	warns "hash:$I/aliases: $I/aliases.lmdb is older than $I/aliases: lookups still answer from the old text (run: newaliases -c $I)"
"$B/bin/newaliases" -c "$I"; touch "$I/aliases.lmdb"

printf '192.0.2.1 REJECT\n' >"$I/access"
"$PC" -c "$I" -e "smtpd_client_restrictions = check_client_access hash:$I/access"
t_check "a hash: table of main.cf without its .lmdb: a warning with postmap" \
	warns "hash:$I/access: $I/access.lmdb is missing: every lookup in it fails and the mail defers (run: postmap -c $I hash:$I/access)"
"$B/bin/postmap" -c "$I" "hash:$I/access"
touch -d '+2 seconds' "$I/access"
t_check "...and a stale one" warns "hash:$I/access: $I/access.lmdb is older than $I/access"
sed -i "s|^2587 .*|&\n  -o smtpd_sender_restrictions=check_sender_access,lmdb:$I/senders|" "$I/master.cf"
t_check "a table named only in a master.cf -o override" \
	warns "lmdb:$I/senders: neither $I/senders nor $I/senders.lmdb exists"
"$PC" -c "$I" -e "smtpd_client_restrictions ="
sed -i '/senders/d' "$I/master.cf"
"$B/bin/newaliases" -c "$I"; touch "$I/aliases.lmdb"

sed -i 's/^auth      unix  -/auth      unix  n/' "$I/master.cf"
t_check "auth service in public/ while smtpd looks in private/auth: a warning" \
	warns "smtpd looks for the auth service at $I/queue/private/auth, but master.cf's authd (line"
t_check "...saying what to set" warns "set smtpd_sasl_path = public/auth"
"$PC" -c "$I" -e "smtpd_sasl_path = public/auth"
t_check "...none once smtpd_sasl_path = public/auth" bash -c "! '$HATO' -c '$I' check 2>&1 | grep -q auth"
sed -i '/authd$/d' "$I/master.cf"
t_check "no authd service at all: a warning" warns "SMTP AUTH is on, but no authd service listens on $I/queue/public/auth"
"$PC" -c "$I" -e "smtpd_sasl_path = private/auth"
echo "auth      unix  -       n       n       -       1       authd" >>"$I/master.cf"
t_check "pop3d without login/auth: a warning with the line to add" \
	warns "pop3d logs users in through authd on login/auth, which master.cf lacks: add login/auth unix - n n - 1 authd"
echo "login/auth unix -       n       n       -       1       authd" >>"$I/master.cf"
t_check "...none once it is there" bash -c "! '$HATO' -c '$I' check 2>&1 | grep -q login/auth"
sed -i '/pop3mail$/d' "$I/master.cf"
t_check "pop3d without login/pop3: a warning with the line to add" \
	warns "pop3d hands logins to pop3mail on login/pop3, which master.cf lacks: add login/pop3 unix - n n - - pop3mail"
echo "login/pop3 unix -       n       n       -       -       pop3mail" >>"$I/master.cf"
sed -i '/imapmail$/d' "$I/master.cf"
t_check "imapd without login/imap: a warning with the line to add" \
	warns "imapd hands logins to imapmail on login/imap, which master.cf lacks: add login/imap unix - n n - - imapmail"
echo "login/imap unix -       n       n       -       -       imapmail" >>"$I/master.cf"
t_check "...none once it is there" bash -c "! '$HATO' -c '$I' check 2>&1 | grep -q login/imap"
"$PC" -c "$I" -e "pop3_uidl_format = %08Xu%m"
t_check "a pop3_uidl_format Dovecot's Maildir cannot expand (%m): a warning" warns "pop3_uidl_format = %08Xu%m:"
"$PC" -c "$I" -e "pop3_uidl_format = %08Xu%08Xv"

"$PC" -c "$I" -e "smtpd_tls_cert_file = $I/nonexistent.pem"
t_check "wrapper mode without a certificate that loads: a warning" \
	warns "service 2465 (line 11): smtpd_tls_wrappermode = yes but no certificate loads"
t_check "...and the encrypt level too" warns "service 2587 (line 7): smtpd_tls_security_level = encrypt but no certificate loads"
"$PC" -c "$I" -e "smtpd_tls_cert_file = $I/cert.pem"

mkdir -p "$T/sasl" "$T/saslauthd"
printf 'pwcheck_method: saslauthd\nsaslauthd_path: %s/saslauthd/mux\nmech_list: plain login\n' "$T" >"$T/sasl/smtpd.conf"
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(5); time.sleep(120)' "$T/saslauthd/mux" &
SASL_PID=$!
for _ in $(seq 50); do [ -S "$T/saslauthd/mux" ] && break; sleep 0.1; done
chmod 0710 "$T/saslauthd"; chmod 0777 "$T/saslauthd/mux"
"$PC" -c "$I" -e "smtpd_sasl_type = cyrus" "smtpd_sasl_path = smtpd" "cyrus_sasl_config_path = $T/sasl"
t_check "saslauthd's socket out of mail_owner's reach (0710 root:root): a warning" \
	warns "cannot connect to saslauthd at $T/saslauthd/mux: Permission denied (add the user to saslauthd's group"
chgrp hato "$T/saslauthd"
t_check "...none once mail_owner's group may enter" bash -c "! '$HATO' -c '$I' check 2>&1 | grep -q saslauthd"
"$PC" -c "$I" -e "smtpd_sasl_type = authd"

"$PC" -c "$I" -e "maillog_file ="
t_check "maillog_file empty and no syslog socket: a warning" \
	unshare -m --propagation private bash -c "[ -S /dev/log ] && mount --bind /dev/null /dev/log; \
	'$HATO' -c '$I' check 2>&1 | grep -qF 'no log destination: maillog_file is empty and /dev/log is not a socket'"

# hato init (not --dev) on a machine with /etc/aliases and no /etc/aliases.lmdb
cp -a /etc/. "$T/etc" 2>/dev/null
rm -f "$T/etc/aliases.lmdb"
[ -f "$T/etc/aliases" ] || printf 'postmaster: root\n' >"$T/etc/aliases"
mkdir "$T/spool" "$T/lib"
unshare -m --propagation private bash -c "mount --bind '$T/etc' /etc && mount --bind '$T/spool' /var/spool && \
	mount --bind '$T/lib' /var/lib && '$HATO' init '$T/conf'" >"$T/init.out" 2>&1
t_check "hato init builds /etc/aliases.lmdb when /etc/aliases exists" test -f "$T/etc/aliases.lmdb"
t_check "...and says so" grep -q "building /etc/aliases.lmdb from /etc/aliases (newaliases)" "$T/init.out"
