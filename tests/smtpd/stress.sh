#!/usr/bin/env bash
# smtpd/stress.sh - denial of service by idle sessions (issue 15): a few
# addresses outside mynetworks must not hold every smtpd process.
#  - smtpd_junk_command_limit: past it each NOOP/RSET/VRFY/... is an error,
#    so smtpd_hard_error_limit ends the session (Postfix's count: 121 junk
#    commands pass with the defaults 100 and 20, then 421 4.7.0);
#  - the stress parameter and ${stress?{a}:{b}} evaluate as in Postfix;
#  - smtpd_mynetworks_process_reserve: with maxproc 10, clients outside
#    mynetworks get 9 processes, the 10th answers 421 4.3.2, and a client in
#    mynetworks still gets its 220 and sends mail;
#  - stress: taking the last process puts the service under stress, and the
#    idle sessions already running get the stressed smtpd_timeout (10 s)
#    instead of 300 s; new processes start with -o stress=yes.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtpd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_set "local_recipient_maps =" "default_process_limit = 10" "smtpd_error_sleep_time = 0s"
t_check "instance starts" inst_start

# junk commands: 200 NOOPs pipelined, no stress yet
out=$( (printf 'EHLO c.example.org\r\n<WAIT>\n'; for _ in $(seq 200); do printf 'NOOP\r\n'; done) |
	smtp_dialog 127.0.0.2)
t_expect "junk limit 100, hard error limit 20: EHLO and 120 NOOPs pass (121 junk commands)" 120 \
	bash -c "grep -c '^250 2.0.0 Ok' <<<'$out'"
t_check "...then 421 4.7.0 too many errors" grep -q '^421 4.7.0 mx.example.test Error: too many errors' <<<"$out"
t_expect "...and nothing after it: the connection is closed" "421" \
	bash -c "tail -1 <<<'$out' | cut -c1-3"
out=$( (printf 'EHLO c.example.org\r\n'; for _ in $(seq 50); do printf 'NOOP\r\n'; done
	printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<u@example.test>\r\nDATA\r\n<WAIT>\n'
	printf 'Subject: x\r\n\r\nx\r\n.\r\n<WAIT>\n'; for _ in $(seq 100); do printf 'RSET\r\n'; done
	printf 'QUIT\r\n') | smtp_dialog 127.0.0.2)
t_check "a queued message resets the junk count (50 + 100 junk, QUIT answered)" \
	grep -q '^221 2.0.0 Bye' <<<"$out"

# the parameter and its expressions, as Postfix's postconf prints them
t_expect "postconf stress: empty by default" "stress =" "$POSTCONF" -c "$I" stress
t_expect "postconf -d shows the \${stress?...} defaults" \
	'smtpd_timeout = ${stress?{10}:{300}}s|smtpd_hard_error_limit = ${stress?{1}:{20}}|smtpd_junk_command_limit = ${stress?{1}:{100}}' \
	bash -c "'$POSTCONF' -c '$I' -d smtpd_timeout smtpd_hard_error_limit smtpd_junk_command_limit | paste -sd'|'"
t_expect "postconf -x -o stress=yes: the stressed values" "10s 1 1" \
	bash -c "'$POSTCONF' -c '$I' -xh -o stress=yes smtpd_timeout smtpd_hard_error_limit smtpd_junk_command_limit | paste -sd' '"
t_expect "...and without stress the normal ones" "300s 20 100" \
	bash -c "'$POSTCONF' -c '$I' -xh smtpd_timeout smtpd_hard_error_limit smtpd_junk_command_limit | paste -sd' '"
cp "$I/main.cf" "$T/main.cf.orig"
inst_set 'smtpd_soft_error_limit = ${stress?2}${stress:10}'
t_expect "the STRESS_README form \${stress?a}\${stress:b} works in main.cf" "2 10" \
	bash -c "echo \$('$POSTCONF' -c '$I' -xh -o stress=yes smtpd_soft_error_limit) \$('$POSTCONF' -c '$I' -xh smtpd_soft_error_limit)"
cp "$T/main.cf.orig" "$I/main.cf"

# hold.py PORT SRC... - open a session from each source (one after the
# other, each after the previous greeting); print "N SRC REPLY" per
# greeting, then wait until each closes: "closed N SECONDS LASTLINE"
cat >"$T/hold.py" <<'PY'
import select, socket, sys, time
port, srcs = int(sys.argv[1]), sys.argv[2:]
socks = []
for i, src in enumerate(srcs):
    s = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(src, 0))
    greet = s.recv(1000).decode().strip()
    print(i, src, greet[:3], flush=True)
    socks.append((i, s, greet))
start = time.time()
open_ = {s: (i, g) for i, s, g in socks if g.startswith("220")}
last = {}
while open_ and time.time() - start < 60:
    r, _, _ = select.select(list(open_), [], [], 1)
    for s in r:
        data = s.recv(1000)
        if data:
            last[s] = data.decode().strip()
            continue
        i, g = open_.pop(s)
        print("closed", i, int(time.time() - start), last.get(s, "-"), flush=True)
for s, (i, g) in open_.items():
    print("open", i, flush=True)
PY
srcs=$(for _ in 1 2 3 4 5; do echo 127.0.0.2 127.0.0.3; done)
python3 "$T/hold.py" "$SMTP_PORT" $srcs >"$T/hold.out" 2>&1 &
holder=$!
for _ in $(seq 100); do [ "$(grep -c '^[0-9]' "$T/hold.out")" -ge 10 ] && break; sleep 0.1; done
t_expect "ten idle sessions from two addresses: nine get 220, the tenth 421" \
	"220 220 220 220 220 220 220 220 220 421" \
	bash -c "grep '^[0-9]' '$T/hold.out' | cut -d' ' -f3 | paste -sd' '"
t_check "...421 4.3.2 All server ports are busy, logged" \
	grep -q 'all server ports are busy: the rest is reserved for mynetworks: refused' "$I/maillog"
cat >"$T/send.py" <<'PY'
import smtplib, sys
s = smtplib.SMTP(timeout=20, source_address=("127.0.0.1", 0))
print(s.connect("127.0.0.1", int(sys.argv[1]))[0])
s.ehlo("c.example.org"); s.mail("a@example.org"); s.rcpt("u@example.test")
code, msg = s.data(b"Subject: reserved\r\n\r\nhello\r\n")
print(code, msg.decode()); s.quit()
PY
python3 "$T/send.py" "$SMTP_PORT" >"$T/send.out" 2>&1
t_expect "a client in mynetworks still gets its 220" 220 head -1 "$T/send.out"
t_check "...and sends: 250 queued" grep -q '^250 2.0.0 Ok: queued as' "$T/send.out"
t_check "master declared stress when the last process started" \
	grep -q 'all 10 processes are busy: stress mode' "$I/maillog"
wait $holder
t_expect "under stress the nine idle sessions end within 20 s, not 300 s" 9 \
	bash -c "awk '\$1 == \"closed\" && \$3 <= 20' '$T/hold.out' | wc -l"
t_expect "...each with 421 4.4.2 timeout exceeded" 9 \
	bash -c "grep -c '^closed .* 421 4.4.2 mx.example.test Error: timeout exceeded' '$T/hold.out'"
out=$(printf 'NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n' | smtp_dialog 127.0.0.2)
t_expect "a new session under stress: junk limit 1, hard error limit 1 (third NOOP ends it)" \
	"220 250 250 250 421" bash -c "cut -c1-3 <<<'$out' | paste -sd' '"
inst_stop
