#!/usr/bin/env bash
# smtp/sink.sh - the smtp delivery agent against Postfix's smtp-sink, driven
# directly as qmgr would (tests/smtp/driver.py): sent, 5xx -> bounced with
# the remote text, 4xx -> deferred, a 5xx to MAIL for every recipient, a
# dropped connection, nothing listening -> deferred 4.4.1, and Postfix's
# per-recipient log line.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtp tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/smtp/common.sh"
trap 'sinks_cleanup; inst_cleanup' EXIT
command -v smtp-sink >/dev/null || { t_fail "smtp-sink is installed" "apt-get install postfix"; exit 1; }

smtp_instance
t_check "instance with the smtp agent starts" inst_start
P=$((SMTP_PORT + 1))
out() { printf '%s\n' "$1" | jfield "${3:-1}" "$2"; }

# plain delivery
smtp_sink_start ok "127.0.0.1:$P" -u nobody
id=$(queue_msg --from sender@example.org --to user@example.test --header "Subject: sent")
r=$(deliver smtp "[127.0.0.1]:$P" "$id" a@remote.test b@remote.test)
t_expect "smtp-sink accepts: both recipients sent" "sent sent" echo "$(out "$r" status 1) $(out "$r" status 2)"
t_expect "...dsn 2.0.0" "2.0.0" out "$r" dsn
t_expect "...relay host[addr]:port" "127.0.0.1[127.0.0.1]:$P" out "$r" relay
t_expect "...the text is the server's reply to the content" "250 2.0.0 Ok" out "$r" text
t_check "...Postfix's log line: to=, relay=, delay=, delays=a/b/c/d, dsn=, status=sent (reply)" \
	grep -qE "hato/smtp\[[0-9]+\]: $id: to=<a@remote.test>, relay=127.0.0.1\[127.0.0.1\]:$P, delay=[0-9.]+, delays=[0-9.]+/0/[0-9.]+/[0-9.]+, dsn=2.0.0, status=sent \(250 2.0.0 Ok\)" "$I/maillog"
t_check "...one line per recipient" grep -q "$id: to=<b@remote.test>, relay=.*status=sent" "$I/maillog"
smtp_sink_stop ok

# 5xx to RCPT
smtp_sink_start bounce "127.0.0.1:$P" -u nobody -f RCPT
r=$(deliver smtp "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "smtp-sink rejects RCPT with 5xx: bounced" "bounced" out "$r" status
t_expect "...dsn from the reply" "5.3.0" out "$r" dsn
t_expect "...the remote text, in Postfix's words" \
	"host 127.0.0.1[127.0.0.1] said: 500 5.3.0 Error: command failed (in reply to RCPT TO command)" out "$r" text
t_check "...logged status=bounced with the remote text" \
	grep -q "$id: to=<a@remote.test>, relay=127.0.0.1\[127.0.0.1\]:$P, .*dsn=5.3.0, status=bounced (host 127.0.0.1\[127.0.0.1\] said: 500 5.3.0 Error: command failed (in reply to RCPT TO command))" "$I/maillog"
smtp_sink_stop bounce

# 4xx to RCPT
smtp_sink_start defer "127.0.0.1:$P" -u nobody -r RCPT
r=$(deliver smtp "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "smtp-sink answers RCPT with 4xx: deferred" "deferred" out "$r" status
t_expect "...dsn 4.3.0 and the remote text" \
	"4.3.0 host 127.0.0.1[127.0.0.1] said: 450 4.3.0 Error: command failed (in reply to RCPT TO command)" \
	echo "$(out "$r" dsn) $(out "$r" text)"
smtp_sink_stop defer

# 5xx to MAIL: every recipient
smtp_sink_start mail5 "127.0.0.1:$P" -u nobody -f MAIL
r=$(deliver smtp "[127.0.0.1]:$P" "$id" a@remote.test b@remote.test c@remote.test)
t_expect "a 5xx to MAIL bounces every recipient" "bounced bounced bounced" \
	echo "$(out "$r" status 1) $(out "$r" status 2) $(out "$r" status 3)"
t_check "...in reply to MAIL FROM" grep -q "in reply to MAIL FROM command" <<<"$(out "$r" text 3)"
smtp_sink_stop mail5

# 5xx / 4xx to the end of data
smtp_sink_start dot "127.0.0.1:$P" -u nobody -f .
r=$(deliver smtp "[127.0.0.1]:$P" "$id" a@remote.test b@remote.test)
t_expect "a 5xx after the content bounces every accepted recipient" "bounced bounced" \
	echo "$(out "$r" status 1) $(out "$r" status 2)"
t_check "...in reply to end of DATA" grep -q "(in reply to end of DATA command)" <<<"$(out "$r" text)"
smtp_sink_stop dot
smtp_sink_start dot4 "127.0.0.1:$P" -u nobody -r DATA
r=$(deliver smtp "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "a 4xx to DATA defers" "deferred in reply to DATA command" \
	echo "$(out "$r" status) $(out "$r" text | grep -o 'in reply to DATA command')"
smtp_sink_stop dot4

# the server hangs up
smtp_sink_start drop "127.0.0.1:$P" -u nobody -q RCPT
r=$(deliver smtp "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "the server disconnects after RCPT: deferred 4.4.2" "deferred 4.4.2" echo "$(out "$r" status) $(out "$r" dsn)"
t_expect "...lost connection, in Postfix's words" \
	"lost connection with 127.0.0.1[127.0.0.1] while sending RCPT TO" out "$r" text
smtp_sink_stop drop
smtp_sink_start q421 "127.0.0.1:$P" -u nobody -Q MAIL
r=$(deliver smtp "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "421 to MAIL: deferred with the text" "deferred" out "$r" status
t_check "...(in reply to MAIL FROM command)" grep -q "said: 421 .*(in reply to MAIL FROM command)" <<<"$(out "$r" text)"
smtp_sink_stop q421

# nothing listening
r=$(deliver smtp "[127.0.0.1]:$P" "$id" a@remote.test)
t_expect "nothing listening: deferred 4.4.1" "deferred 4.4.1 none" \
	echo "$(out "$r" status) $(out "$r" dsn) $(out "$r" relay)"
t_expect "...connect to host[addr]:port: Connection refused" \
	"connect to 127.0.0.1[127.0.0.1]:$P: Connection refused" out "$r" text
t_check "...logged with relay=none" \
	grep -q "$id: to=<a@remote.test>, relay=none, .*dsn=4.4.1, status=deferred (connect to 127.0.0.1\[127.0.0.1\]:$P: Connection refused)" "$I/maillog"

# a bad next hop is a configuration error: deferred, nothing crashes
r=$(deliver smtp "[127.0.0.1" "$id" a@remote.test)
t_expect "a malformed next hop defers 4.3.5" "deferred 4.3.5" echo "$(out "$r" status) $(out "$r" dsn)"
t_check "...and says why" grep -q 'bad next-hop destination "\[127.0.0.1"' <<<"$(out "$r" text)"

# a queue file that is not there
r=$(deliver smtp "[127.0.0.1]:$P" 1xXZZZZZZZ00000000 a@remote.test)
t_expect "a missing queue file defers 4.3.0" "deferred 4.3.0" echo "$(out "$r" status) $(out "$r" dsn)"
t_check "no smtp process crashed" smtp_no_crash
