# tests/lib/imap_oracle.sh - hato's imapd side by side with a private
# Dovecot 2.3 (the oracle), for the tests in tests/imapd/; source it after
# tests/lib/imap.sh and tests/lib/dovecot.sh, once imap_instance ran.
#   oracle_start            Dovecot on loopback ports SMTP_PORT+5 (POP3)
#                           and DV_IMAP=SMTP_PORT+6 (IMAP)
#   hs STEP... / ds STEP... a raw session (tests/imapd/session.py) with
#                           imapd / with Dovecot (DS_QUIET: how long a
#                           silence from Dovecot is waited for; it delays
#                           failed logins by seconds)
#   same NAME REGEX STEP... ok when both answer the same lines matching
#                           REGEX (the greeting apart)
DV_IMAP=$((SMTP_PORT + 6))

oracle_start() { dovecot_start $((SMTP_PORT + 5)) $DV_IMAP; }
hs() { python3 "$TOPDIR/tests/imapd/session.py" 127.0.0.1 $IMAP_PORT "$@"; }
ds() { python3 "$TOPDIR/tests/imapd/session.py" --quiet "${DS_QUIET:-1.5}" 127.0.0.1 $DV_IMAP "$@"; }

same() {
	local name=$1 re=$2; shift 2
	hs "$@" | sed 1d | grep -- "$re" >"$T/same.h"
	ds "$@" | sed 1d | grep -- "$re" >"$T/same.d"
	if [ -s "$T/same.h" ] && cmp -s "$T/same.h" "$T/same.d"; then
		t_ok "$name"
	else
		t_fail "$name" "hato: $(tr '\n' '|' <"$T/same.h")" "dovecot: $(tr '\n' '|' <"$T/same.d")"
	fi
}
