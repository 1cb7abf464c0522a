#!/usr/bin/env bash
# context_search.sh - CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267): two
# sessions over raw sockets (tests/imapd/context_search.py); one keeps
# updating SEARCH and SORT contexts while the other appends, delivers by
# SMTP (swaks), flags and expunges, and every ADDTO / REMOVEFROM it
# hears, applied as the RFC tells a client, must leave each context equal
# to the result computed in Python from the folder's state; NOUPDATE past
# the limit, a reused tag, IDLE, CANCELUPDATE; PARTIAL against the full
# answer sliced.  Dovecot 2.3 has no CONTEXT=SEARCH: no oracle here.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imap tests skipped: they need root # SKIP"; exit 0; }
command -v swaks >/dev/null || { t_fail "swaks is not installed"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
trap 'inst_cleanup' EXIT

U=hlctx1 PW=Context-pass-1
t_check "an instance with imapd and local delivery starts" imap_instance $U $PW
python3 "$TOPDIR/tests/imapd/context_search.py" 127.0.0.1 $IMAP_PORT $SMTP_PORT $U "$PW" >"$T/ctx.out" 2>&1
rc=$?
cat "$T/ctx.out" | grep -v '^ok - ' | sed 's/^/# /' >&2
while IFS= read -r line; do
	case "$line" in
	"ok - "*) t_ok "${line#ok - }" ;;
	"not ok - "*) t_fail "${line#not ok - }" ;;
	esac
done <"$T/ctx.out"
t_check "context_search.py ran to its end" grep -q '^# [0-9]* failed$' "$T/ctx.out"
[ $rc = 0 ] || t_fail "context_search.py exit status $rc"
t_check "imapmail did not crash" bash -c "! grep -Eqi 'imapmail.*(signal|panic|fatal|sanitizer)' '$I/maillog'"
