#!/usr/bin/env bash
# hostile.sh - bad input before login gets a clean BAD or BYE, no crash,
# bounded memory, and Dovecot 2.3's words where it has them (a private
# Dovecot answers the same input): a 100 KB line, a 10 MB line, a literal
# of 2^32 bytes announced (BAD and no "+": Dovecot says BYE), "{5}" then
# silence (login_timeout), a literal trickled byte by byte (cut as a
# whole command), lists nested 1000 deep, NUL in a quoted
# string and in a command name, an unterminated string, a bad tag,
# commands of later states (the third bad command ends the session),
# "a STARTTLS\r\nb CAPABILITY\r\n" in one packet (b never answered inside
# TLS), a non-synchronising literal behind a BAD command (skipped, not
# run as a command).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "imapd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/imap.sh"
. "$TOPDIR/tests/lib/dovecot.sh"
. "$TOPDIR/tests/lib/imap_oracle.sh"
trap 'dovecot_stop; inst_cleanup' EXIT

U=hlimap8 PW=Imap-pass-8
t_check "an instance with imapd starts" imap_instance $U $PW "login_timeout = 3s"
t_check "a private Dovecot (the oracle) starts" oracle_start

same "a 100 KB line: Dovecot's BYE, closed" . "a $(head -c 100000 /dev/zero | tr '\0' x)\\r\\n" '<EXPECT-NOTHING>'
same "lists nested 1000 deep: Dovecot's BAD" . "a ID $(head -c 1000 /dev/zero | tr '\0' '(')\\r\\n"
same "NUL in a quoted string: Dovecot's BAD" . 'a LOGIN "x\x00y" z\r\n'
same "an unterminated quoted string: Dovecot's BAD" . 'a LOGIN "xy\r\n'
same "a bad tag: Dovecot's untagged BAD" . 'a+b NOOP\r\n'
same "an empty line: Dovecot's untagged BAD" . '\r\n'
same "a NUL in a command name: Dovecot's BAD" . 'a NO\x00OP\r\n'
same "commands of later states: BAD, the third ends the session (Dovecot's words)" . \
	'a SELECT INBOX\r\n' 'b FETCH 1 FLAGS\r\n' 'c EXAMINE INBOX\r\n' '<EXPECT-NOTHING>'
hs 'a LOGIN {4294967296}\r\n' 'b NOOP\r\n' >"$T/huge.out"
t_check "a literal of 2^32 bytes: BAD, no + (Dovecot: BYE)" grep -qx "a BAD Literal size too large" "$T/huge.out"
t_check_fail "...no continuation was sent" grep -q "^+" "$T/huge.out"
t_check "...and the session goes on" grep -qx "b OK NOOP completed." "$T/huge.out"
hs 'a LOGIN {4294967296+}\r\n' '<EXPECT-NOTHING>' >"$T/huge2.out"
t_check "a non-synchronising one: BYE, closed" \
	bash -c "grep -qx '\* BYE Literal size too large' '$T/huge2.out' && grep -qx '\[closed\]' '$T/huge2.out'"
hs 'a X "\r\nb NOOP {5+}\r\nc NOO\r\n\r\nd NOOP\r\n' >"$T/skip.out"
t_check "a BAD command's {5+} literal is skipped, not run" \
	bash -c "! grep -q '^c ' '$T/skip.out' && grep -qx 'd OK NOOP completed.' '$T/skip.out'"
start=$(date +%s)
python3 "$TOPDIR/tests/imapd/session.py" --quiet 10 127.0.0.1 $IMAP_PORT 'a LOGIN {5}\r\n' '<EXPECT-NOTHING>' >"$T/silent.out"
t_check "{5} then silence: + OK, then login_timeout (3s) ends it" \
	bash -c "grep -qx '+ OK' '$T/silent.out' && grep -qx '\* BYE Disconnected for inactivity.' '$T/silent.out' && grep -qx '\[closed\]' '$T/silent.out'"
t_check "...within the time limit" test $(($(date +%s) - start)) -le 8

# a literal trickled one byte a second: the command's one deadline
python3 - 127.0.0.1 $IMAP_PORT <<'PY' >"$T/trickle.out" 2>&1
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
s.recv(1000)
s.sendall(b"a LOGIN {100}\r\n")
s.recv(100)
start = time.time()
try:
    for _ in range(30):
        s.sendall(b"x")
        time.sleep(1)
except OSError:
    pass
print("cut after", int(time.time() - start))
PY
cut=$(sed -n 's/^cut after //p' "$T/trickle.out")
t_check "a literal trickled a byte a second is cut near login_timeout (${cut:-?}s, not 100s)" \
	test "${cut:-99}" -le 8

# STARTTLS with a command pipelined in the same packet
python3 "$TOPDIR/tests/lib/tls_pipeline.py" 127.0.0.1 $IMAP_PORT 'a STARTTLS\r\nb CAPABILITY\r\n' 'c NOOP\r\n' \
	>"$T/stls.out" 2>&1
t_check "STARTTLS answered in the clear" grep -qx "start: a OK Begin TLS negotiation now." "$T/stls.out"
t_check "...the pipelined b CAPABILITY is never answered inside TLS" grep -qx "inside: nothing" "$T/stls.out"
t_check "...and the next command inside TLS is" grep -qx "next: c OK NOOP completed." "$T/stls.out"

# memory: a 10 MB line and a 16 KB literal announced, from one client;
# the imapd serving it stays small (nothing is kept beyond the limits)
python3 - 127.0.0.1 $IMAP_PORT "$I" <<'PY' >"$T/mem.out" 2>&1
import os, socket, subprocess, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
s.recv(1000)
port = s.getsockname()[1]
chunk = b"x" * 65536
s.sendall(b"a ")
for _ in range(160):
    s.sendall(chunk)
time.sleep(0.5)
# the imapd with our connection: its socket's peer port is ours
pid = None
for _ in range(100):    # a loaded machine (make check runs two scripts at once)
    out = subprocess.run(["ss", "-Htnp", "sport = :%s" % sys.argv[2]], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if (":%d " % port) in line and "pid=" in line:
            pid = line.split("pid=")[1].split(",")[0]
    if pid:
        break
    time.sleep(0.1)
hwm = 0
for l in open("/proc/%s/status" % pid):
    if l.startswith("VmHWM:"):
        hwm = int(l.split()[1])
s.sendall(b"\r\n")
print("answer:", s.recv(1000).decode().strip())
print("hwm-kb:", hwm)
PY
t_check "a 10 MB line: BYE after its end" grep -qx "answer: \* BYE Input buffer full, aborting" "$T/mem.out"
hwm=$(sed -n 's/^hwm-kb: //p' "$T/mem.out")
t_check "...and the imapd reading it peaked under 16 MB (VmHWM ${hwm:-?} KB)" test "${hwm:-99999999}" -lt 16384
sleep 0.5
t_check "imapd processes are still there (none crashed)" bash -c "[ -n \"\$(inst_pids imapd 2>/dev/null)\" ] || ss -Hltn 'sport = :$IMAP_PORT' | grep -q ."
t_check_fail "imapd logged no crash" grep -qE "imapd.*(panic|fatal|signal|sanitizer|killed)" "$I/maillog"
