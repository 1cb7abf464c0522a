#!/usr/bin/env bash
# listeners.sh - one service on many addresses (inet_interfaces with 8
# addresses): every address is served.  Before master copied all of a
# child's descriptors out of the way first, listeners whose master
# descriptors sat at 6..13 were overwritten before they were copied, and
# 4 of these 8 addresses were never answered.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "listener tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_set "inet_interfaces = 127.0.0.1, 127.0.0.2, 127.0.0.3, 127.0.0.4, 127.0.0.5, 127.0.0.6, 127.0.0.7, 127.0.0.8"
cat >"$I/master.cf" <<MCF
$SMTP_PORT inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
MCF
t_check "an smtpd service on 8 addresses starts" "$HATO" -c "$I" start
for i in 1 2 3 4 5 6 7 8; do
	t_check "127.0.0.$i:$SMTP_PORT answers with the greeting" python3 - "127.0.0.$i" "$SMTP_PORT" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
sys.exit(0 if s.recv(100).startswith(b"220 ") else 1)
PY
done
