#!/usr/bin/env bash
# smtpd/limits.sh - the session limits: smtpd_timeout, smtpd_hard_error_limit,
# smtpd_client_connection_count_limit (across smtpd processes, mynetworks
# exempt), smtpd_recipient_limit, and bad command syntax.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtpd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_set "local_recipient_maps =" "smtpd_timeout = 2s" "smtpd_hard_error_limit = 5" \
	"smtpd_soft_error_limit = 100" "smtpd_client_connection_count_limit = 2" \
	"smtpd_recipient_limit = 3"
t_check "instance starts" inst_start

out=$(printf '<WAIT>\n' | smtp_dialog)
t_check "an idle client gets 421 4.4.2 after smtpd_timeout" grep -q '^421 4.4.2 mx.example.test Error: timeout exceeded' <<<"$out"
t_check "...and the log says timeout after CONNECT" grep -q 'timeout after CONNECT from' "$I/maillog"

out=$(printf 'BOGUS\r\nBOGUS\r\nBOGUS\r\nBOGUS\r\nBOGUS\r\nNOOP\r\n' | smtp_dialog)
t_check "after smtpd_hard_error_limit errors: 421 4.7.0 and the session ends" \
	bash -c "grep -q '^421 4.7.0 mx.example.test Error: too many errors' <<<'$out' && ! grep -q '^250' <<<'$out'"

out=$(printf 'NOOP\tx\r\nRSET\rQUIT\r\nNO\x01OP\r\nQUIT\r\n' | smtp_dialog)
t_check "a command with a control character is refused: 500 5.5.2" grep -q '^500 5.5.2 Error: bad syntax' <<<"$out"

# three concurrent sessions from 127.0.0.2 (outside mynetworks), limit 2
python3 - "$SMTP_PORT" >"$T/conn.out" <<'PY'
import socket, sys
port = int(sys.argv[1])
socks = []
for src in ["127.0.0.2"] * 3 + ["127.0.0.1"] * 3:
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(src, 0))
    socks.append(s)
    print(src, s.makefile("rb").readline().decode().rstrip())
PY
t_expect "connection count limit 2: the third session from 127.0.0.2 gets 421" \
	"220 220 421" bash -c "grep '^127.0.0.2' '$T/conn.out' | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ \$//'"
t_expect "...clients in mynetworks are exempt" "220 220 220" \
	bash -c "grep '^127.0.0.1 ' '$T/conn.out' | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ \$//'"
t_check "...and a new session is admitted once the others are gone" \
	bash -c "sleep 0.5; python3 -c \"
import socket; s = socket.create_connection(('127.0.0.1', $SMTP_PORT), source_address=('127.0.0.2', 0)); print(s.recv(100).decode())\" | grep -q '^220'"

out=$(printf 'EHLO c.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\nRCPT TO:<d@example.test>\r\nQUIT\r\n' | smtp_dialog)
t_check "smtpd_recipient_limit 3: the fourth RCPT gets 452 4.5.3" grep -q '^452 4.5.3 Error: too many recipients' <<<"$out"

# privilege separation: smtpd and cleanup run as mail_owner with no
# supplementary groups; with the chroot column y, smtpd's root is the queue
cat >"$I/master.cf" <<MCF
127.0.0.1:$SMTP_PORT inet n - y - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
MCF
inst_set "smtpd_timeout = 30s"
t_check "restart with smtpd chrooted" bash -c "'$HATO' -c '$I' stop >/dev/null 2>&1; '$HATO' -c '$I' start >/dev/null"
for _ in $(seq 50); do ss -Hltn "sport = :$SMTP_PORT" | grep -q . && break; sleep 0.1; done
python3 - "$SMTP_PORT" >"$T/priv.out" <<'PY' &
import smtplib, sys, time
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("c.example.org"); s.mail("a@example.org"); s.rcpt("u@example.test")
code, msg = s.data(b"Subject: chroot\r\n\r\nhello\r\n")
print(code, msg.decode(), flush=True)
s.noop(); time.sleep(3); s.quit()
PY
client=$!
sleep 1.5
hato_uid=$(id -u hato) hato_gid=$(id -g hato)
# proc_of NAME - pid of a daemon of this instance (a child of its master)
proc_of() {
	local master; master=$(cat "$I/queue/pid/master.pid" 2>/dev/null | tr -dc 0-9)
	for p in $(pgrep -x -P "$master" "$1"); do echo $p; return; done
}
sp=$(proc_of smtpd) cp=$(proc_of cleanup)
t_expect "smtpd runs as mail_owner (uid, gid, no groups)" "$hato_uid $hato_gid $hato_gid" \
	bash -c "awk '/^Uid:/{u=\$2} /^Gid:/{g=\$2} /^Groups:/{gr=\$2} END{print u, g, (gr==\"\" ? \"$hato_gid\" : gr)}' /proc/$sp/status"
t_expect "...chrooted into the queue directory" "$(readlink -f "$I/queue")" readlink /proc/$sp/root
t_expect "cleanup runs as mail_owner, not chrooted" "$hato_uid /" \
	bash -c "echo \$(awk '/^Uid:/{print \$2}' /proc/$cp/status) \$(readlink /proc/$cp/root)"
wait $client
t_check "a chrooted smtpd still queues mail through public/cleanup" grep -q '^250 2.0.0 Ok: queued as' "$T/priv.out"
inst_stop
