# tests/lib/dovecot.sh - a private Dovecot 2.3 (Debian's dovecot-imapd and
# dovecot-pop3d, never the system service) as the oracle for POP3 and IMAP
# answers: its own configuration and run directory under $T, loopback
# ports, system users (userdb passwd), every password accepted as
# DOVECOT_PASS (static passdb).
#   dovecot_start POP3_PORT IMAP_PORT [CONF-LINE...]   started and listening
#   dovecot_stop
DOVECOT_DIR=$T/dovecot DOVECOT_PASS=${DOVECOT_PASS:-dovecot-pw}

dovecot_start() {
	mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" && chmod 755 "$DOVECOT_DIR"
	DOVECOT_POP3_PORT=$1 DOVECOT_IMAP_PORT=$2
	shift 2
	{
		cat <<CONF
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
protocols = pop3 imap
listen = 127.0.0.1
ssl = no
log_path = $DOVECOT_DIR/log
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
first_valid_uid = 1000
passdb {
  driver = static
  args = password=$DOVECOT_PASS
}
userdb {
  driver = passwd
}
service pop3-login {
  inet_listener pop3 {
    port = $DOVECOT_POP3_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    port = $DOVECOT_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
CONF
		printf '%s\n' "$@"
	} >"$DOVECOT_DIR/dovecot.conf"
	dovecot -c "$DOVECOT_DIR/dovecot.conf" || return 1
	for _ in $(seq 50); do
		ss -Hltn "sport = :$DOVECOT_POP3_PORT" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

dovecot_stop() {
	[ -f "$DOVECOT_DIR/dovecot.conf" ] && dovecot -c "$DOVECOT_DIR/dovecot.conf" stop 2>/dev/null
	for _ in $(seq 50); do
		[ -e "$DOVECOT_DIR/run/master.pid" ] || return 0
		sleep 0.1
	done
}
