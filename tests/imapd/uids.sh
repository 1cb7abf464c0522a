#!/usr/bin/env bash
# uids.sh - IMAP UIDs and UIDVALIDITY as clients keep them: the same
# after `hato stop`/`start`, after the index is deleted, for a file
# renamed by hand (new flags, same base); and a Maildir Dovecot gave UIDs
# to (its IMAP SELECTed it, then it stopped) keeps Dovecot's UIDVALIDITY
# and UIDs under hato's IMAP.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
command -v dovecot >/dev/null || { t_fail "dovecot is not installed (make deps installs dovecot-imapd)"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlimap6 PW=Imap-pass-6
# view PORT PASS - "UIDVALIDITY uid uid ..." of INBOX over IMAP
view() {
	python3 - "$1" $U "$2" <<'PY'
import imaplib, re, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); m.login(sys.argv[2], sys.argv[3])
m.select("INBOX")
v = m.response("UIDVALIDITY")[1][0].decode()
typ, data = m.uid("FETCH", "1:*", "(UID)")
uids = [re.search(rb"UID (\d+)", d).group(1).decode() for d in data if d]
print(v, " ".join(uids))
m.logout()
PY
}

# Dovecot first: it gives the UIDs, then stops
t_check "an instance with imapd starts" imap_instance $U $PW
inst_stop
t_check "3 messages in the Maildir (written as a delivery would)" bash -c "
	mkdir -p '$INST_HOME/Maildir/new' '$INST_HOME/Maildir/cur' '$INST_HOME/Maildir/tmp'
	for i in 1 2 3; do printf 'Subject: uid test %s\n\nbody %s\n' \$i \$i >'$INST_HOME/Maildir/new/100'\$i'.M1P1.host'; done
	chown -R $U: '$INST_HOME/Maildir'"
dovecot_start $((SMTP_PORT + 5)) $((SMTP_PORT + 6)) >/dev/null
dove=$(view $((SMTP_PORT + 6)) "$DOVECOT_PASS")
dovecot_stop
t_check "Dovecot gave 3 UIDs" test "$(wc -w <<<"$dove")" = 4
inst_start && inst_wait imap_listening
t_expect "hato's IMAP: Dovecot's UIDVALIDITY and UIDs" "$dove" view $IMAP_PORT $PW

t_check "a 4th message delivered by hato" pop3_send 1
before=$(view $IMAP_PORT $PW)
t_check "...gets the next UID" test "$(cut -d' ' -f5 <<<"$before")" = "$(($(cut -d' ' -f4 <<<"$dove") + 1))"
inst_stop
inst_start && inst_wait imap_listening
t_expect "after hato stop/start: the same UIDVALIDITY and UIDs" "$before" view $IMAP_PORT $PW
rm -rf "$INST_HOME/Maildir/hato-index.lmdb"
t_expect "after the index is deleted: the same" "$before" view $IMAP_PORT $PW
f=$(ls "$INST_HOME/Maildir/cur" | head -1)
mv "$INST_HOME/Maildir/cur/$f" "$INST_HOME/Maildir/cur/${f%%:2,*}:2,FS"
t_expect "after a file is renamed by hand (new flags): the same" "$before" view $IMAP_PORT $PW
