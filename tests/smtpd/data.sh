#!/usr/bin/env bash
# smtpd/data.sh - the message path into the queue: byte-exact content,
# SMTP smuggling probes, pipelining, a 1 MB command line, a client that
# leaves mid-DATA, kill -9 of cleanup mid-message, BDAT, and smtp-source
# with 10 sessions x 1000 messages.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtpd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_set "local_recipient_maps =" "message_size_limit = 20000000"
t_check "instance starts" inst_start
POSTCAT="$B/bin/postcat -c $I"
queued_id() { sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' | tail -1; }
count_complete() { find "$I/queue/incoming" -type f -perm 0700 | wc -l; }

# 1. content byte for byte: 8-bit, a 100 KB line, a bare CR, trailing blanks
python3 - >"$T/msg" <<'PY'
import sys
body = b"first line\r\ncaf\xc3\xa9 8-bit \xff\xfe\r\n" + b"L" * 100000 + b"\r\nbare\rCR inside\r\ntrailing   \r\n.leading dot\r\nlast"
sys.stdout.buffer.write(b"Subject: exact\r\nX-Test: 1\r\n\r\n" + body + b"\r\n")
PY
id=$(python3 - "$SMTP_PORT" "$T/msg" <<'PY' | queued_id
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("c.example.org")
s.mail("a@example.org"); s.rcpt("u@example.test")
code, msg = s.data(open(sys.argv[2], "rb").read())
print(code, msg.decode())
PY
)
t_check "8-bit message with a 100 KB line is queued" test -n "$id"
python3 -c "
import sys; d = open('$T/msg','rb').read().split(b'\r\n\r\n', 1)[1]
sys.stdout.buffer.write(d.replace(b'\r\n', b'\n'))" >"$T/body.want"
$POSTCAT -b -q "$id" >"$T/body.got" 2>"$T/pc.err"
t_check "the queued body is the sent body byte for byte (line ends aside)" cmp "$T/body.want" "$T/body.got"
$POSTCAT -h -q "$id" >"$T/hdr.got" 2>/dev/null
t_expect "headers: Received: first, then the client's in order, then Date/Message-ID added" \
	"Received: Subject: X-Test: Date: Message-ID:" \
	bash -c "grep -v '^[[:space:]]' '$T/hdr.got' | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ \$//'"

# 2. SMTP smuggling: bare LF / bare CR around a dot never end DATA
for probe in '\n.\n' '\r.\n' '\n.\r\n' '\r.\r\n' '\r\n.\n' '\r\n.\r'; do
	before=$(count_complete)
	out=$(printf 'EHLO c.example.org\r\n<WAIT>\nMAIL FROM:<a@example.org>\r\n<WAIT>\nRCPT TO:<u@example.test>\r\n<WAIT>\nDATA\r\n<WAIT>\n'"Subject: smuggle\r\n\r\nbefore${probe}"'MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n<WAIT>\nQUIT\r\n' | smtp_dialog)
	after=$(count_complete)
	qid=$(queued_id <<<"$out")
	if [ $((after - before)) = 1 ] && [ -n "$qid" ] && $POSTCAT -b -q "$qid" 2>/dev/null | grep -q '^evil$'; then
		t_ok "smuggling probe $probe: one message, the smuggled commands are its content"
	else
		t_fail "smuggling probe $probe: one message, the smuggled commands are its content" \
			"queue files: +$((after - before))" "$out"
	fi
done

# 3. a pipelined burst: everything in one write
out=$(printf 'EHLO c.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<u@example.test>\r\nRCPT TO:<v@example.test>\r\nDATA\r\n<WAIT>\nSubject: burst\r\n\r\nbody\r\n.\r\nQUIT\r\n' | smtp_dialog)
t_check "pipelined MAIL/RCPT/RCPT/DATA in one packet: queued" grep -q '^250 2.0.0 Ok: queued as' <<<"$out"
t_check "...the replies come in order: 250 250 250 250 354" \
	bash -c "grep -E '^(250 |354)' <<<'$out' | head -5 | cut -c1-3 | tr '\n' ' ' | grep -qx '250 250 250 250 354 '"

# 4. one 1 MB command line is refused and the session goes on
out=$(python3 - "$SMTP_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
f = s.makefile("rb")
f.readline()
s.sendall(b"NOOP " + b"x" * 1048576 + b"\r\nNOOP\r\nQUIT\r\n")
for _ in range(3):
    print(f.readline().decode().rstrip())
PY
)
t_expect "a 1 MB command line: 500 5.5.2, then NOOP works" \
	"500 5.5.2 Error: command line too long|250 2.0.0 Ok|221 2.0.0 Bye" bash -c "tr '\n' '|' <<<'$out' | sed 's/|\$//'"

# 5. a client that leaves in the middle of DATA leaves no queue file
before=$(find "$I/queue/incoming" -type f | wc -l)
printf 'EHLO c.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<u@example.test>\r\nDATA\r\n<WAIT>\n<WAIT>\n<WAIT>\n<WAIT>\nSubject: cut\r\n\r\npartial body\r\n' | smtp_dialog >/dev/null
sleep 0.5
t_expect "disconnect mid-DATA: no queue file is left" "$before" bash -c "find '$I/queue/incoming' -type f | wc -l"
t_check "...and the log says so" grep -q 'lost connection after DATA' "$I/maillog"

# 6. BDAT (CHUNKING), including a chunk boundary inside a line
out=$(printf 'EHLO c.example.org\r\n<WAIT>\nMAIL FROM:<a@example.org>\r\n<WAIT>\nRCPT TO:<u@example.test>\r\n<WAIT>\nBDAT 20\r\nSubject: chunked\r\n\r\nBDAT 12 LAST\r\nhello world\n<WAIT>\n<WAIT>\nQUIT\r\n' | smtp_dialog)
qid=$(queued_id <<<"$out")
t_check "BDAT: two chunks queue one message" test -n "$qid"
t_expect "...whose body is the chunks joined" "hello world" $POSTCAT -b -q "$qid"

# 7. kill -9 of cleanup mid-message: that client gets no 250, nothing that did is lost
python3 - "$SMTP_PORT" >"$T/kill.out" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
f = s.makefile("rb")
def cmd(c):
    s.sendall(c); return f.readline().decode().rstrip()
f.readline(); cmd(b"HELO c.example.org\r\n"); cmd(b"MAIL FROM:<a@example.org>\r\n")
cmd(b"RCPT TO:<u@example.test>\r\n"); print(cmd(b"DATA\r\n"), flush=True)
s.sendall(b"Subject: killed\r\n\r\n" + b"x" * 70000 + b"\r\n")
time.sleep(2)
s.sendall(b".\r\n")
print(f.readline().decode().rstrip(), flush=True)
PY
pyc=$!
sleep 1
for p in $(inst_pids cleanup); do	# this instance's only (tests/run -jN)
	kill -9 "$p"
done
wait $pyc
t_check "kill -9 of cleanup mid-message: the client is told 451, not 250" grep -q '^451 4.3.0' "$T/kill.out"

# ...and under load: kill cleanup again and again while 4 clients send;
# every message that got a 250 must be in the queue, complete and readable
( for _ in $(seq 60); do
	for p in $(inst_pids cleanup); do
		kill -9 "$p" 2>/dev/null
	done
	sleep 0.05
done ) &
killer=$!
python3 - "$SMTP_PORT" >"$T/load.ids" <<'PY'
import smtplib, sys, threading
port = int(sys.argv[1]); ids = []; lock = threading.Lock()
def client(n):
    for i in range(25):
        try:
            s = smtplib.SMTP("127.0.0.1", port, timeout=30)
            s.ehlo("c.example.org"); s.mail("a@example.org"); s.rcpt("u@example.test")
            code, msg = s.data(("Subject: load %d %d\r\n\r\n" % (n, i) + "x" * 5000 + "\r\n").encode())
            if code == 250:
                with lock: ids.append(msg.decode().split()[-1])
            s.quit()
        except (smtplib.SMTPException, OSError):
            pass
ts = [threading.Thread(target=client, args=(n,)) for n in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print("\n".join(ids))
PY
wait $killer
missing=0
while read -r qid; do
	[ -z "$qid" ] && continue
	$POSTCAT -e -q "$qid" >/dev/null 2>&1 || missing=$((missing + 1))
done <"$T/load.ids"
t_check "cleanup killed repeatedly under load: some messages still got 250" test -s "$T/load.ids"
t_expect "...and every one of the $(grep -c . "$T/load.ids") that got 250 is queued, complete and readable" "0" echo $missing

# 7b. cleanup is connected at the first accepted RCPT (as Postfix opens its
# queue file there): an unfinished 0600 file exists before DATA; RSET ends it
rm -f "$I/queue/incoming/"*
out=$(python3 - "$SMTP_PORT" "$I/queue/incoming" <<'PY'
import os, smtplib, stat, sys, time
inc = sys.argv[2]
def unfinished():
    for _ in range(50):
        n = [f for f in os.listdir(inc) if stat.S_IMODE(os.stat(os.path.join(inc, f)).st_mode) == 0o600]
        if n:
            return len(n)
        time.sleep(0.1)
    return 0
def gone():
    for _ in range(50):
        if not os.listdir(inc):
            return True
        time.sleep(0.1)
    return False
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("c.example.org")
s.mail("a@example.org")
print("after MAIL:", len(os.listdir(inc)))
s.rcpt("u@example.test")
print("after RCPT:", unfinished())
s.rset()
print("after RSET gone:", gone())
s.mail("a@example.org"); s.rcpt("u@example.test")
code, _ = s.data(b"Subject: early\r\n\r\nbody\r\n")
print("DATA:", code)
s.quit()
PY
)
t_expect "no queue file after MAIL; one unfinished (0600) file right after the first RCPT; RSET removes it; DATA still queues" \
	"$(printf 'after MAIL: 0\nafter RCPT: 1\nafter RSET gone: True\nDATA: 250')" echo "$out"
t_expect "...as one complete file" "1" count_complete

# 8. smtp-source: 10 sessions, 1000 messages
rm -f "$I/queue/incoming/"*
if command -v smtp-source >/dev/null; then
	t_check "smtp-source -s 10 -m 1000 succeeds" timeout 120 smtp-source -s 10 -m 1000 -f a@example.org -t u@example.test 127.0.0.1:$SMTP_PORT
	t_expect "...1000 complete queue files, one per message" "1000" count_complete
	t_expect "...with 1000 distinct queue IDs in the log" "1000" \
		bash -c "grep -o '[0-9A-Za-z]*: client=' '$I/maillog' | sort -u | tail -1000 | wc -l"
	bad=0
	for f in "$I/queue/incoming/"*; do $B/bin/postcat -e "$f" >/dev/null 2>&1 || bad=$((bad + 1)); done
	t_expect "...every one of them passes the queue file reader" "0" echo $bad
else
	t_fail "smtp-source is installed (make deps installs postfix)"
fi
inst_stop
