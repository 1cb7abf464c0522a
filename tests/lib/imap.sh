# tests/lib/imap.sh - a hato instance that delivers to Maildir and serves
# IMAP (and POP3, tests/lib/pop3.sh), for the tests in tests/imapd/ (after
# tests/lib/instance.sh).
#   imap_instance USER PASS [NAME=VALUE...]   pop3_configure plus imapd on
#                             IMAP_PORT, imaps on IMAPS_PORT, imapmail on
#                             login/imap; started
#   imap_py                   python3 with tests/lib on the path
. "$TOPDIR/tests/lib/pop3.sh"
IMAP_PORT=$((SMTP_PORT + 3)) IMAPS_PORT=$((SMTP_PORT + 4))

imap_configure() {
	pop3_configure "$@" || return 1
	cat >>"$I/master.cf" <<MCF
login/imap unix -       n       n       -       -       imapmail
127.0.0.1:$IMAP_PORT inet n - n - - imapd
127.0.0.1:$IMAPS_PORT inet n - n - - imapd
  -o imapd_tls_wrappermode=yes
MCF
}

imap_instance() {
	imap_configure "$@" && inst_start && inst_wait imap_listening
}

imap_listening() { ss -Hltn "sport = :$IMAP_PORT" | grep -q . && ss -Hltn "sport = :$IMAPS_PORT" | grep -q .; }
