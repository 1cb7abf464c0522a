#!/usr/bin/env bash
# smtp/cache.sh - connection caching between deliveries (Postfix's
# smtp_connection_cache_on_demand, smtp_connection_cache_time_limit): the
# next request to the same next hop reuses the session after an RSET
# (conn_use=N in the log); a request elsewhere, the time limit, a server
# that dropped the idle session, and caching turned off all end up with
# correct deliveries; a session whose transaction failed is reset before
# it idles.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtp tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/smtp/common.sh"
trap 'sinks_cleanup; inst_cleanup' EXIT

smtp_instance \
	"nocache   unix  -       -       n       -       -       smtp -o smtp_connection_cache_on_demand=no" \
	"longcache unix  -       -       n       -       1       smtp -o smtp_connection_cache_time_limit=30s"
t_check "instance with the smtp agent starts" inst_start
P=$((SMTP_PORT + 1)) P2=$((SMTP_PORT + 2))
out() { printf '%s\n' "$1" | jfield "${3:-1}" "$2"; }
count() { sink_cmds "$1" | grep -c "^$2" ; }
id=$(queue_msg --from sender@example.org --to user@example.test --header "Subject: cache")

sink_start a "$P"
for n in 1 2 3 4 5; do
	r=$(deliver longcache "[127.0.0.1]:$P" "$id" "r$n@remote.test")
	[ "$(out "$r" status)" = sent ] || break
done
t_expect "five requests to the same next hop: all sent" "sent" out "$r" status
t_expect "...over one connection" "1" count a CONNECT
t_expect "...five transactions" "5" count a "\\."
t_expect "...each reuse checked with RSET" "4" count a RSET
t_check "...conn_use=5 in the last log line" grep -q "$id: to=<r5@remote.test>, relay=127.0.0.1\[127.0.0.1\]:$P, conn_use=5, delay=" "$I/maillog"

sink_start b "$P2"
r=$(deliver longcache "[127.0.0.1]:$P2" "$id" other@remote.test)
t_expect "a request to another next hop: sent there" "sent" out "$r" status
t_check "...and the idle session to the first one ended with QUIT" wait_for bash -c "grep -q '\"QUIT\"' '$T/a.log'"
sink_stop b

# the server drops the idle session: the next request connects again
sink_stop a
sink_start c "$P" --rule "RSET=DROP"
r=$(deliver longcache "[127.0.0.1]:$P" "$id" x@remote.test)
r=$(deliver longcache "[127.0.0.1]:$P" "$id" y@remote.test)
t_expect "the server closes the cached session (at RSET): the message is still sent" "sent" out "$r" status
t_expect "...over a new connection" "2" count c CONNECT
t_expect "...both transactions arrived" "2" count c "\\."
sink_stop c

sink_start d "$P"
r=$(deliver smtp "[127.0.0.1]:$P" "$id" x@remote.test)
t_check "smtp_connection_cache_time_limit (2s): the idle session ends with QUIT" \
	wait_for bash -c "grep -q '\"QUIT\"' '$T/d.log'"
r=$(deliver smtp "[127.0.0.1]:$P" "$id" y@remote.test)
t_expect "...and the next request connects again" "sent 2" echo "$(out "$r" status) $(count d CONNECT)"
sink_stop d

sink_start f "$P" --rule "RCPT=450 4.2.0 busy"
r=$(deliver smtp "[127.0.0.1]:$P" "$id" x@remote.test)
t_expect "every RCPT refused: deferred" "deferred" out "$r" status
# the command right after the refused RCPT (the 2 s idle limit may already
# have ended the session with QUIT on a loaded machine)
after_rcpt() { sink_cmds "$1" | awk 'prev ~ /^RCPT/ { next_cmd = $0 } { prev = $0 } END { print next_cmd }'; }
t_expect "...and the session kept for later is reset at once (the server forgets MAIL)" "RSET" \
	after_rcpt f
sink_stop f

sink_start e "$P"
for n in 1 2 3; do r=$(deliver nocache "[127.0.0.1]:$P" "$id" "n$n@remote.test"); done
t_expect "smtp_connection_cache_on_demand = no: sent" "sent" out "$r" status
t_expect "...one connection per request, each closed with QUIT" "3 3" echo "$(count e CONNECT) $(count e QUIT)"
sink_stop e
t_check "no smtp process crashed" smtp_no_crash
