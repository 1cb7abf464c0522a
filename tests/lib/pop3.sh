# tests/lib/pop3.sh - a hato instance that delivers to Maildir and serves
# POP3, for the tests in tests/pop3d/ (after tests/lib/instance.sh).
#   pop3_configure USER PASS [NAME=VALUE...]   pop3_instance, not started
#   pop3_instance USER PASS [NAME=VALUE...]   inst_new, local delivery, authd, pop3d on
#                             POP3_PORT, pop3s on POP3S_PORT; a system user
#                             USER with PASS (home INST_HOME); started
#   pop3_send N               N messages by SMTP to USER, waits for them
#   pop3_files [DIR]          message files in ~/Maildir/{new,cur}
POP3_PORT=$((SMTP_PORT + 1)) POP3S_PORT=$((SMTP_PORT + 2))

pop3_configure() {
	POP3_USER=$1 POP3_PASS=$2
	shift 2
	inst_user "$POP3_USER" || return 1
	t_retry bash -c "printf '%s:%s\n' '$POP3_USER' '$POP3_PASS' | chpasswd" || return 1
	inst_new || return 1
	inst_add_maildir qmgr
	cat >>"$I/master.cf" <<MCF
auth      unix  -       n       n       -       1       authd
login/auth unix -       n       n       -       1       authd
login/pop3 unix -       n       n       -       -       pop3mail
127.0.0.1:$POP3_PORT inet n - n - - pop3d
127.0.0.1:$POP3S_PORT inet n - n - - pop3d
  -o pop3d_tls_wrappermode=yes
MCF
	inst_set "passdb = system" "userdb = system" "mail_location = maildir:~/Maildir" \
		"first_valid_uid = 1000" "auth_failure_delay = 100ms" \
		"ssl_cert = $I/cert.pem" "ssl_key = $I/key.pem" "$@"
}

pop3_instance() {
	pop3_configure "$@" && inst_start && inst_wait pop3_listening
}

pop3_listening() { ss -Hltn "sport = :$POP3_PORT" | grep -q . && ss -Hltn "sport = :$POP3S_PORT" | grep -q .; }

pop3_files() { find "$INST_HOME/Maildir/new" "$INST_HOME/Maildir/cur" -type f 2>/dev/null | wc -l; }

pop3_send() {
	local before; before=$(pop3_files)
	for i in $(seq "$1"); do
		inst_send sender@example.test "$POP3_USER@localhost" "pop3 test $i" \
			"body of message $i
.a line with a leading dot
last line" >/dev/null
	done
	inst_wait pop3_count_is $((before + $1))
}
pop3_count_is() { [ "$(pop3_files)" -ge "$1" ]; }
