#!/usr/bin/env bash
# smtpd/reserve_auth.sh - the process share smtpd keeps for mynetworks
# (smtpd_mynetworks_process_reserve) on a submission service, which
# offers AUTH: a client from outside that finds only the reserve free may
# stay to log in (authenticated submission is what the reserve keeps room
# for) and then send, but a client that does not log in first gets
# 421 4.3.2 at once instead of holding the reserved process.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "smtpd tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

SUB_PORT=$((SMTP_PORT + 2)) VPW='reserve-Pa55'
inst_new
cat >>"$I/master.cf" <<MCF
127.0.0.1:$SUB_PORT inet n - n - 4 smtpd
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_mynetworks_process_reserve=25
auth      unix  -       n       n       -       1       authd
MCF
hash=$(printf '%s\n' "$VPW" | "$B/bin/hato" pw -s SHA512-CRYPT) || t_fail "hato pw"
echo "vuser@example.test:$hash:5000:5000::/nonexistent::" >"$I/users"
inst_set "local_recipient_maps =" "passdb = passwd-file:$I/users" "auth_mechanisms = plain" \
	"disable_plaintext_auth = no" "smtpd_error_sleep_time = 0s"
t_check "instance starts" inst_start
for _ in $(seq 50); do ss -Hltn "sport = :$SUB_PORT" | grep -q . && break; sleep 0.1; done

# three idle sessions from 127.0.0.2 take three of the four processes
python3 "$TOPDIR/tests/lib/hold_sessions.py" $SUB_PORT "$T/release" 127.0.0.2 127.0.0.2 127.0.0.2 >"$T/held.out" &
holder=$!
for _ in $(seq 50); do [ "$(wc -l <"$T/held.out")" = 3 ] && break; sleep 0.1; done
t_expect "three idle sessions from outside mynetworks: 220 each" "220 220 220" \
	bash -c "cut -d' ' -f2 '$T/held.out' | paste -sd' '"

out=$(python3 "$TOPDIR/tests/lib/smtp_auth.py" --source=127.0.0.3 127.0.0.1 $SUB_PORT PLAIN \
	vuser@example.test "$VPW" vuser@example.test u@example.test 2>&1)
t_expect "on the reserved process a client from outside logs in: 235" "AUTH 235" \
	bash -c "sed -n 2p <<<'$out' | cut -d' ' -f1,2"
t_expect "...and sends its message" "DATA 250" bash -c "sed -n 5p <<<'$out' | cut -d' ' -f1,2"
t_check "...it was told to log in first (logged)" \
	grep -q 'all server ports are busy: [^ ]*\[127.0.0.3\] must log in first' "$I/maillog"

python3 - $SUB_PORT >"$T/nologin.out" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30, source_address=("127.0.0.3", 0))
f = s.makefile("rb")
print(f.readline().decode().strip())
s.sendall(b"EHLO c.example.org\r\n")
while True:
    line = f.readline().decode()
    if line[3:4] != "-":
        break
s.sendall(b"MAIL FROM:<x@example.org>\r\n")
print(f.readline().decode().strip())
print("closed" if f.readline() == b"" else "open")
PY
t_expect "a client from outside that does not log in first: 421 4.3.2, closed" \
	"220|421 4.3.2 All server ports are busy|closed" bash -c "sed 's/^220 .*/220/' '$T/nologin.out' | paste -sd'|'"
touch "$T/release"
wait $holder
inst_stop
