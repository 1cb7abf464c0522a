# tests/lib/instance.sh - a throw-away hato instance for scenario tests.
#   . "$HATO_TOP/tests/lib/instance.sh"
#   inst_new            hato init --dev $I; SMTP on 127.0.0.1:$SMTP_PORT
#   inst_set NAME=VALUE ...   postconf -e
#   inst_start / inst_stop    (inst_stop also runs at exit)
#   inst_queue_files [queue]  queue files present (incoming by default)
# Needs root (CI is root): the instance's mail_owner is the hato user,
# created by hato init and removed at exit when this run created it.
HATO=$B/bin/hato
POSTCONF=$B/bin/postconf
I=$T/inst
SMTP_PORT=$((20000 + RANDOM % 20000))
inst_created_user=""
id hato >/dev/null 2>&1 || inst_created_user=yes

inst_cleanup() {
	[ -f "$I/main.cf" ] && "$HATO" -c "$I" abort >/dev/null 2>&1
	if [ -n "$inst_created_user" ]; then
		userdel hato >/dev/null 2>&1; groupdel hato >/dev/null 2>&1; groupdel hatodrop >/dev/null 2>&1
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap inst_cleanup EXIT

inst_set() { "$POSTCONF" -c "$I" -e "$@"; }

inst_new() {
	chmod 755 "$T"
	"$HATO" init --dev "$I" >/dev/null || return 1
	inst_set "myhostname = mx.example.test" "mydomain = example.test" \
		"mydestination = \$myhostname, localhost, \$mydomain" \
		"mynetworks = 127.0.0.1/32" "alias_maps =" "inet_protocols = ipv4"
	cat >"$I/master.cf" <<MCF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
MCF
}

inst_start() {
	"$HATO" -c "$I" start >/dev/null || return 1
	for _ in $(seq 50); do
		ss -Hltn "sport = :$SMTP_PORT" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# wait_gone - true once no process of the instance is left (5 s at most)
wait_gone() {
	for _ in $(seq 50); do
		pgrep -f -- "-c $I\b" >/dev/null || pgrep -f "$I/" >/dev/null || return 0
		sleep 0.1
	done
	return 1
}

inst_stop() { "$HATO" -c "$I" stop >/dev/null 2>&1; }

inst_queue_files() { find "$I/queue/${1:-incoming}" -type f | wc -l; }

# smtp_dialog [SRC_ADDR] - send stdin lines (already CRLF-terminated where
# wanted) to the instance, print every reply line; a line "<WAIT>" waits
# for the next reply before sending more
smtp_dialog() {
	python3 "$TOPDIR/tests/lib/smtp_dialog.py" 127.0.0.1 "$SMTP_PORT" "${1:-127.0.0.1}"
}

# inst_add_pickup [WAKEUP] - add local submission to the instance's
# master.cf: "pickup fifo n - n WAKEUP 1 pickup" (WAKEUP 60 by default)
inst_add_pickup() {
	printf 'pickup    fifo  n       -       n       %s      1       pickup\n' "${1:-60}" >>"$I/master.cf"
}
