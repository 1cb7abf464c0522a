#!/usr/bin/env bash
# smtpd/conn_exact.sh - smtpd_client_connection_count_limit counts exact
# client addresses: 127.0.224.132 and 127.0.0.2 share an FNV-1a bucket
# of 65536 (the old per-bucket count), and sessions of one must not lock
# the other out; the count still holds per address, and the last session
# of an address leaves no file behind.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtpd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_set "local_recipient_maps =" "smtpd_client_connection_count_limit = 2"
t_check "instance starts" inst_start

hold="$TOPDIR/tests/lib/hold_sessions.py"
python3 "$hold" "$SMTP_PORT" "$T/release" 127.0.224.132 127.0.224.132 >"$T/held.out" &
holder=$!
for _ in $(seq 50); do [ "$(wc -l <"$T/held.out")" = 2 ] && break; sleep 0.1; done
t_expect "two sessions from 127.0.224.132 are in" "220 220" \
	bash -c "cut -d' ' -f2 '$T/held.out' | tr '\n' ' ' | sed 's/ \$//'"
t_expect "127.0.0.2 (same FNV-1a bucket, outside mynetworks) still gets 220" "220" \
	bash -c "python3 '$hold' $SMTP_PORT /dev/null 127.0.0.2 | cut -d' ' -f2"
t_expect "...and 127.0.224.132 itself is at its limit: 421" "421" \
	bash -c "python3 '$hold' $SMTP_PORT /dev/null 127.0.224.132 | cut -d' ' -f2"
t_check "...the refusal says too many connections" \
	grep -q 'too many connections from [^ ]*\[127.0.224.132\]' "$I/maillog"
touch "$T/release"
wait $holder
sleep 0.5
t_expect "once the sessions are gone no per-address file is left" "" \
	bash -c "ls '$I/queue/pid/smtpd.sessions' | grep -v '^service_'"
t_expect "...and 127.0.224.132 is welcome again" "220" \
	bash -c "python3 '$hold' $SMTP_PORT /dev/null 127.0.224.132 | cut -d' ' -f2"
inst_stop
