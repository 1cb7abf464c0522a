#!/usr/bin/env bash
# robust/slow.sh - slow clients: 50 connections (STRESS: 500) that send one
# byte every 2 s (STRESS: 10 s) with smtpd_timeout = 5s (STRESS: 30s).
# A trickle faster than the timeout would keep a per-read timer happy
# forever; smtpd_per_record_deadline (default yes) makes smtpd_timeout the
# limit for the whole command, so every slow client is cut near
# smtpd_timeout with "421 4.4.2 ... timeout exceeded".  Meanwhile a normal
# client is served at once.  When the slow ones hold every process of a
# service (maxproc 5), a new client waits in the listen queue until one is
# cut, then is served (Postfix's master behaves the same: it only warns
# that the process limit is reached).  Content has one deadline for all of
# it, smtpd_timeout plus one second per smtpd_min_data_rate (500) bytes: a
# DATA or BDAT trickle below that rate is cut near smtpd_timeout, a steady
# client sending for longer than smtpd_timeout gets its 250.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "robustness tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/robust.sh"
rob_pick_ports 2
N=50 EVERY=2 TMO=5 SMALL=5
[ -n "$STRESS" ] && N=500 EVERY=10 TMO=30 SMALL=20
ulimit -n 8192
PORT2=$((SMTP_PORT + 1))

inst_new
inst_set "smtpd_timeout = ${TMO}s" "default_process_limit = $((N + 50))" "local_recipient_maps =" \
	"smtpd_client_connection_count_limit = 0"
echo "127.0.0.1:$PORT2 inet n - n - $SMALL smtpd" >>"$I/master.cf"
rob_start

slow() {	# slow PORT COUNT OUTFILE: start slow clients, wait until all are greeted
	python3 "$TOPDIR/tests/lib/slow_clients.py" "$1" "$2" "$EVERY" $((TMO * 4)) >"$3" &
	inst_wait grep -q all-greeted "$3" || inst_wait grep -q all-greeted "$3"
}
# send PORT - one normal message by swaks; prints "SECONDS CODE"
send() {
	local t0=$SECONDS out
	out=$(swaks --server 127.0.0.1:"$1" --from a@example.org --to b@example.test \
		--header "Subject: normal" --timeout $((TMO * 3)) 2>&1)
	echo "$((SECONDS - t0)) $(grep -c '250 2.0.0 Ok: queued' <<<"$out")"
}

sd() { python3 "$TOPDIR/tests/lib/slow_data.py" "$SMTP_PORT" "$@"; }
sd data 2 $((TMO * 3)) >"$T/sd_data" & sd bdat 2 $((TMO * 3)) >"$T/sd_bdat" &
sd data 3000 $((TMO + 3)) >"$T/sd_steady" &
slow "$SMTP_PORT" "$N" "$T/slow1"
t0=$SECONDS
read -r took ok < <(send "$SMTP_PORT")
t_check "with $N slow clients connected a normal client is served (in ${took}s)" \
	test "$ok" = 1 -a "$took" -lt "$TMO"

slow "$PORT2" "$SMALL" "$T/slow2"
read -r took ok < <(send "$PORT2")
t_check "with all $SMALL processes of a service held by slow clients a new client waits (${took}s), then is served" \
	test "$ok" = 1 -a "$took" -ge $((TMO / 2))
t_check "...and master warns that the service reached its process limit" grep -q \
	"warning: service 127.0.0.1:$PORT2 (inet) has reached its process limit $SMALL: new clients may experience noticeable delays" \
	"$I/maillog"
t_expect "...once (at most every 1000 s)" 1 grep -c "has reached its process limit" "$I/maillog"
wait
for f in slow1 slow2; do
	r=$(tail -1 "$T/$f"); echo "# $f: $r"
	eval "$(tr ' ' '\n' <<<"$r" | grep -E '^(opened|cut|timeout421|min|max)=')"
	t_check "$f: all $opened slow clients were cut by the server ($cut)" test "$cut" = "$opened" -a "$cut" -gt 0
	t_check "$f: ...each told 421 4.4.2 timeout ($timeout421)" test "$timeout421" = "$cut"
	t_check "$f: ...at smtpd_timeout ${TMO}s, not per byte (${min}s to ${max}s)" \
		awk -v a="$min" -v b="$max" -v t="$TMO" 'BEGIN { exit !(a >= t - 1 && b <= t + 3 + t / 5) }'
done
for v in data bdat; do
	read -r how secs reply <"$T/sd_$v"
	t_check "a ${v^^} trickle at 2 bytes/s is cut at smtpd_timeout ($how after ${secs}s: $reply)" \
		awk -v h="$how" -v a="$secs" -v r="$reply" -v t="$TMO" \
		'BEGIN { exit !(h == "cut" && r ~ /^421_4.4.2/ && a >= t - 1 && a <= t + 2) }'
	t_check "...smtpd logs it" grep -q "timeout after ${v^^} " "$I/maillog"
done
read -r how secs reply <"$T/sd_steady"
t_check "a steady 3000 bytes/s DATA for ${secs}s, longer than smtpd_timeout, is accepted ($reply)" \
	test "$how" = answered -a "${reply:0:9}" = 250_2.0.0
t_check "smtpd logged the timeouts" grep -q "timeout after CONNECT" "$I/maillog"
t_expect "no daemon crashed" "" rob_crashes
