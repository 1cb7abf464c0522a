#!/usr/bin/env bash
# metrics/metrics.sh - the metrics endpoint (metricsd) over the counters
# the daemons share: after a known number of messages (3 delivered, 1 to
# an unknown user that bounces, 1 refused at RCPT) and logins (2 good and
# 1 bad IMAP LOGIN, 1 good POP3) the counters equal them; a deferral shows
# per transport; promtool check metrics accepts the text format and
# prometheus_client's parser the OpenMetrics one; queue sizes (deferred,
# and a held message in hold); smtpd's process counts while a session is
# open, an IMAP session in hato_sessions while it lasts; a daemon killed
# with -9 counts as an abnormal exit; counters survive hato reload; a bad
# request (no GET, a 10 KB header line, a slow client) gets a 4xx and the
# daemon keeps serving; only daemons that need it map the region; hato
# check warns about an endpoint off loopback; hato init's example line;
# docs/grafana-hato.json asks only for metrics that exist.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "metrics tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
METRICS_PORT=$((SMTP_PORT + 5))
U=hlmet1 PW=Metrics-pass-1
PY=/usr/bin/python3	# Debian's, with python3-prometheus-client

# scrape [CURL ARGS] - the exposition on stdout
scrape() { curl -s --max-time 10 "$@" "http://127.0.0.1:$METRICS_PORT/metrics"; }
# value SAMPLE - the value of one sample (its name with labels), 0 if absent
value() { scrape | awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }'; }
# value_is SAMPLE WANT - the sample has that value now
value_is() { [ "$(value "$1")" = "$2" ]; }
# wait_value SAMPLE WANT - value_is within 10 s
wait_value() { inst_wait value_is "$1" "$2"; }
# imap STEP... - one IMAP session (tests/imapd/session.py)
imap() { python3 "$TOPDIR/tests/imapd/session.py" 127.0.0.1 "$IMAP_PORT" "$@"; }
# status URL [CURL ARGS] - the HTTP status of a request
status() { local u=$1; shift; curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@" "http://127.0.0.1:$METRICS_PORT$u"; }

printf 'refuse@localhost REJECT\nhold@localhost HOLD\n' >"$T/access"
t_check "an instance with local delivery, IMAP, POP3 and metricsd" imap_configure $U $PW \
	"smtpd_recipient_restrictions = check_recipient_access texthash:$T/access, permit_mynetworks, reject"
# as hato init writes it: mail_owner, chrooted into the queue directory
echo "127.0.0.1:$METRICS_PORT inet n - y - 2 metricsd" >>"$I/master.cf"
metrics_listening() { ss -Hltn "sport = :$METRICS_PORT" | grep -q .; }
t_check "...starts" bash -c "'$HATO' -c '$I' start >/dev/null"
inst_wait metrics_listening && inst_wait imap_listening

q=$(inst_pids qmgr | head -1)
t_check "a daemon (qmgr) has the region mapped and its descriptor (41) closed" \
	bash -c "grep -q '/memfd:hato-metrics' /proc/${q:-0}/maps && [ ! -e /proc/${q:-0}/fd/41 ] && [ -e /proc/${q:-0}/fd/40 ]"
m=$(inst_pids imapmail | head -1)
t_check "a mail process (imapmail, which becomes the user) has neither" \
	bash -c "[ -n '$m' ] && [ -e /proc/$m/fd/40 ] && ! grep -q '/memfd:hato-metrics' /proc/$m/maps && [ ! -e /proc/$m/fd/41 ]"

# messages: 3 delivered, 1 bounced by local (its notification to $U is
# delivered too), 1 refused at RCPT
for i in 1 2 3; do inst_send "$U@localhost" "$U@localhost" "metrics $i" >/dev/null; done
inst_send "$U@localhost" "nosuchuser@localhost" "bounces" >/dev/null
swaks --server 127.0.0.1:$SMTP_PORT --from "$U@localhost" --to refuse@localhost -n >"$T/refused.out" 2>&1
t_check "a recipient is refused at RCPT" grep -q '<\*\* 554' "$T/refused.out"
t_check "4 recipients delivered by local: 3 messages and the notification" \
	wait_value 'hato_recipients_delivered_total{transport="local"}' 4
scrape >"$T/after-mail.txt"
mp=$(inst_pids metricsd | head -1)
t_check "metricsd runs as mail_owner, chrooted into the queue directory" \
	bash -c "[ -n '$mp' ] && [ \$(stat -c %U /proc/$mp) = hato ] && [ \$(readlink /proc/$mp/root) = '$I/queue' ]"
want_mail='hato_bounce_notifications_total 1
hato_delivery_delay_seconds_bucket{transport="local",le="+Inf"} 4
hato_delivery_delay_seconds_count{transport="local"} 4
hato_messages_received_total{source="internal"} 1
hato_messages_received_total{source="smtpd"} 4
hato_recipients_bounced_total{transport="local"} 1
hato_recipients_delivered_total{transport="local"} 4
hato_smtpd_connections_total 5
hato_smtpd_replies_total{class="2xx"} 28
hato_smtpd_replies_total{class="3xx"} 4
hato_smtpd_replies_total{class="5xx"} 1'
t_expect "...and every mail counter equals what was sent (received, bounced, notification, delay, replies)" \
	"$want_mail" bash -c "grep -E '^hato_(bounce|messages_received|recipients|smtpd)|^hato_delivery_delay_seconds_(count|bucket.*Inf)' '$T/after-mail.txt' | sort"
t_check "...nothing deferred, no 4xx reply" bash -c "! grep -qE '^hato_recipients_deferred|class=\"4xx\"' '$T/after-mail.txt'"

# logins: 2 good and 1 bad IMAP, 1 good POP3
imap "a LOGIN $U $PW\\r\\n" "b LOGOUT\\r\\n" >"$T/imap1.out" 2>&1
imap "a LOGIN $U wrong-password\\r\\n" >"$T/imap2.out" 2>&1
imap "a LOGIN $U $PW\\r\\n" "<SLEEP 4>" "b LOGOUT\\r\\n" >"$T/imap3.out" 2>&1 &
held=$!
t_check "an IMAP session in progress: hato_sessions{protocol=\"imap\"} 1" \
	wait_value 'hato_sessions{protocol="imap"}' 1
wait $held
t_check "the good LOGINs logged in, the bad one did not" \
	bash -c "grep -q '^a OK' '$T/imap1.out' && grep -q '^a NO' '$T/imap2.out' && grep -q '^a OK' '$T/imap3.out'"
$PY -c "import poplib,sys; p=poplib.POP3('127.0.0.1',$POP3_PORT,timeout=10); p.user('$U'); p.pass_('$PW'); p.stat(); p.quit()" >"$T/pop3.out" 2>&1
t_check "a POP3 login" test ! -s "$T/pop3.out"
t_check "...the IMAP session is over: hato_sessions{protocol=\"imap\"} 0" \
	wait_value 'hato_sessions{protocol="imap"}' 0
scrape >"$T/after-login.txt"
want_login='hato_login_failures_total{protocol="imap"} 1
hato_logins_total{protocol="imap"} 2
hato_logins_total{protocol="pop3"} 1
hato_sessions_started_total{protocol="imap"} 2
hato_sessions_started_total{protocol="pop3"} 1'
t_expect "login counters equal the logins (2 good and 1 bad IMAP, 1 POP3) and sessions" \
	"$want_login" bash -c "grep -E '^hato_(logins|login_failures|sessions_started)' '$T/after-login.txt' | sort"

# the formats
scrape >"$T/text.txt"
t_check "promtool check metrics accepts the text format" bash -c "promtool check metrics <'$T/text.txt'"
t_check "...which has HELP and TYPE, counters named _total" \
	bash -c "grep -qxF '# TYPE hato_logins_total counter' '$T/text.txt' && grep -q '^# HELP hato_logins_total ' '$T/text.txt'"
curl -s -D "$T/om.head" -H 'Accept: application/openmetrics-text; version=1.0.0' \
	"http://127.0.0.1:$METRICS_PORT/metrics" >"$T/om.txt"
t_check "Accept: application/openmetrics-text gets OpenMetrics" \
	grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0' "$T/om.head"
t_check "...ending in # EOF, with # UNIT for the delay" \
	bash -c "tail -1 '$T/om.txt' | grep -qx '# EOF' && grep -qxF '# UNIT hato_delivery_delay_seconds seconds' '$T/om.txt'"
t_check "...which prometheus_client's OpenMetrics parser accepts" $PY -c "
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(open('$T/om.txt').read()))
assert any(f.name == 'hato_logins' and f.type == 'counter' for f in fams), 'no hato_logins'
"

# a deferral: mail for another domain, and no smtp service to take it
inst_send "$U@localhost" someone@remote.example "deferred" >/dev/null
t_check "a recipient deferred: hato_recipients_deferred_total{transport=\"smtp\"} 1" \
	wait_value 'hato_recipients_deferred_total{transport="smtp"}' 1
t_check "...and hato_queue_messages{queue=\"deferred\"} 1" wait_value 'hato_queue_messages{queue="deferred"}' 1

# queue sizes: a message held by the access map, released
id=$(inst_send "$U@localhost" hold@localhost "held")
t_check "a held message: hato_queue_messages{queue=\"hold\"} 1" \
	wait_value 'hato_queue_messages{queue="hold"}' 1
"$B/bin/postsuper" -c "$I" -H ALL >/dev/null 2>&1
t_check "...released: 0" wait_value 'hato_queue_messages{queue="hold"}' 0

# processes: smtpd while a session is open
python3 "$TOPDIR/tests/lib/hold_sessions.py" "$SMTP_PORT" "$T/release" 127.0.0.1 >"$T/hold.out" 2>&1 &
t_check "an SMTP session open: one busy smtpd process" \
	wait_value "hato_processes_busy{service=\"127.0.0.1:$SMTP_PORT\",program=\"smtpd\"}" 1
t_check "...and at least one smtpd process" \
	bash -c "[ \$(curl -s 'http://127.0.0.1:$METRICS_PORT/metrics' | awk '\$1 == \"hato_processes{service=\\\"127.0.0.1:$SMTP_PORT\\\",program=\\\"smtpd\\\"}\" { print \$2 }') -ge 1 ]"
touch "$T/release"
t_check "...closed: none busy" \
	wait_value "hato_processes_busy{service=\"127.0.0.1:$SMTP_PORT\",program=\"smtpd\"}" 0

# an abnormal exit
started=$(value 'hato_processes_started_total{service="qmgr",program="qmgr"}')
kill -9 $(inst_pids qmgr) 2>/dev/null
t_check "qmgr killed with -9: hato_process_abnormal_exits_total for it 1" \
	wait_value 'hato_process_abnormal_exits_total{service="qmgr",program="qmgr"}' 1
t_check "...and master started another: hato_processes_started_total for it $started + 1" \
	wait_value 'hato_processes_started_total{service="qmgr",program="qmgr"}' $((started + 1))

# reload keeps the counters
start=$(value hato_master_start_time_seconds)
"$HATO" -c "$I" reload >/dev/null 2>&1
sleep 1
inst_wait metrics_listening
t_expect "after hato reload: the IMAP logins are still 2" 2 value 'hato_logins_total{protocol="imap"}'
t_expect "...master's start time is the same" "$start" value hato_master_start_time_seconds
imap "a LOGIN $U $PW\\r\\n" "b LOGOUT\\r\\n" >/dev/null 2>&1
t_check "...and the next login makes 3" wait_value 'hato_logins_total{protocol="imap"}' 3

# bad requests
t_expect "POST: 405" 405 status /metrics -X POST
t_expect "another path: 404" 404 status /nothing
t_expect "a 10 KB header line: 431" 431 status /metrics -H "X-Long: $(head -c 10240 /dev/zero | tr '\0' a)"
t_expect "no GET at all (\"hello\"): 400" "HTTP/1.1 400 Bad Request" \
	$PY -c "
import socket
s = socket.create_connection(('127.0.0.1', $METRICS_PORT), timeout=10)
s.sendall(b'hello\r\n\r\n')
print(s.makefile('rb').readline().decode().strip())"
t_check "a slow client (half a request line, then nothing) gets 408 within 8 s" $PY -c "
import socket, time
s = socket.create_connection(('127.0.0.1', $METRICS_PORT), timeout=8)
s.sendall(b'GET /met')
t = time.time()
line = s.makefile('rb').readline().decode()
assert line.startswith('HTTP/1.1 408'), line
assert time.time() - t < 8
"
t_check "...and the daemon still serves" bash -c "curl -s --max-time 10 'http://127.0.0.1:$METRICS_PORT/metrics' | grep -q '^hato_logins_total'"

# hato check: loopback is quiet, another address is a warning
"$HATO" -c "$I" check >"$T/check1.out" 2>&1
t_check "hato check: a metricsd on 127.0.0.1 draws no warning" bash -c "! grep -q 'metricsd answers' '$T/check1.out'"
echo "0.0.0.0:$((SMTP_PORT + 6)) inet n - n - 2 metricsd" >>"$I/master.cf"
"$HATO" -c "$I" check >"$T/check2.out" 2>&1
t_check "...one on 0.0.0.0 does" grep -q "service 0.0.0.0:$((SMTP_PORT + 6)) (line [0-9]*): metricsd answers anyone" "$T/check2.out"
"$HATO" init --dev "$T/init2" >/dev/null 2>&1
t_check "hato init's master.cf has the endpoint, commented out" \
	grep -qE '^#127\.0\.0\.1:9154 +inet +n +- +y +- +2 +metricsd$' "$T/init2/master.cf"

# the Grafana dashboard: JSON, and every metric it asks for exists
t_check "docs/grafana-hato.json is valid JSON whose queries name only hato's metric families" $PY -c "
import json, re, sys
d = json.load(open('$TOPDIR/docs/grafana-hato.json'))
fams = set(re.findall(r'METRIC\(\w+, \w+, \"(\w+)\"', open('$TOPDIR/global/metrics.def').read()))
exprs = [t['expr'] for p in d['panels'] for t in p.get('targets', [])]
assert len(exprs) >= 10, exprs
for e in exprs:
    for m in re.findall(r'\bhato_\w+', e):
        base = re.sub(r'_(total|bucket|sum|count)$', '', m)
        assert base in fams, (m, e)
"
