# tests/lib/submission.sh - an instance for the SMTP AUTH tests: port
# $SMTP_PORT is the guide's smtp service (AUTH enabled as in its main.cf),
# $SUB_PORT its submission service (-o smtpd_client_restrictions=
# permit_sasl_authenticated,reject), mail to other domains goes to an
# smtp-sink on $SINK_PORT through relayhost.  Loopback is NOT in
# mynetworks here, so nothing is relayed without AUTH.
#   . "$TOPDIR/tests/lib/instance.sh"; . "$TOPDIR/tests/lib/submission.sh"
#   sub_new [-o name=value ...]   instance with both services (not started)
#   sink_start / sink_count       the relayhost sink and its message count
#   auth_try ARGS...              tests/lib/smtp_auth.py 127.0.0.1 ARGS...
SUB_PORT=$((SMTP_PORT + 2))
SINK_PORT=$((SMTP_PORT + 3))
sink_pid=

sub_new() {
	inst_new || return 1
	inst_set "mynetworks = 192.0.2.1/32" "relayhost = [127.0.0.1]:$SINK_PORT" \
		"smtpd_sasl_auth_enable = yes" "broken_sasl_auth_clients = yes" \
		"smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, permit_auth_destination, reject" \
		"queue_run_delay = 1s" "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
	{
		echo "127.0.0.1:$SUB_PORT inet n - n - - smtpd"
		echo "  -o smtpd_sasl_auth_enable=yes"
		echo "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject"
		for o in "$@"; do [ "$o" = -o ] || echo "  -o $o"; done
		echo "qmgr      fifo  n       -       n       1       1       qmgr"
		echo "smtp      unix  -       -       n       -       -       smtp"
	} >>"$I/master.cf"
}

sink_stop() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null; sink_pid=; }
sink_start() {
	mkdir -p "$T/dump" && chmod 777 "$T/dump"
	smtp-sink -u nobody -d "$T/dump/%Y%m%d%H%M%S." 127.0.0.1:$SINK_PORT 100 &
	sink_pid=$!
	for _ in $(seq 50); do ss -Hltn "sport = :$SINK_PORT" | grep -q . && return 0; sleep 0.1; done
	return 1
}
sink_count() { find "$T/dump" -type f 2>/dev/null | wc -l; }

auth_try() { python3 "$TOPDIR/tests/lib/smtp_auth.py" 127.0.0.1 "$@" 2>&1; }
