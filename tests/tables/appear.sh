#!/usr/bin/env bash
# tables/appear.sh - a table that is missing when smtpd starts is used as
# soon as postmap creates it, and a table postmap replaces is reopened,
# without "hato reload": in the same smtpd process (one SMTP session that
# keeps asking) and in the next session.  While the table is missing the
# client is deferred, never let through.  The same for local's alias_maps:
# mail is deferred until postalias builds the table, then delivered.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "table tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_set "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
	"local_recipient_maps =" "alias_maps = hash:$I/aliases" "default_privs = nobody" \
	"queue_run_delay = 1s" "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
# the access table on SMTP_PORT only; mail for local comes in on the next port
PLAIN_PORT=$((SMTP_PORT + 1))
sed -i "/^127.0.0.1:$SMTP_PORT /a\\  -o smtpd_client_restrictions=check_client_access,hash:$I/access" "$I/master.cf"
cat >>"$I/master.cf" <<MCF
127.0.0.1:$PLAIN_PORT inet n - n - - smtpd
qmgr      fifo  n       -       n       1       1       qmgr
local     unix  -       n       n       -       -       local
MCF
rm -f "$I/aliases" "$I/aliases.lmdb"	# hato init made them
t_check "instance starts with hash:$I/access missing" inst_start

# session - one SMTP session: RCPT, then for each later step ("postmap TEXT")
# rebuild the access table with TEXT and ask again after RSET; prints the
# RCPT replies, one a line
session() {
	python3 - "$SMTP_PORT" "$B/bin/postmap" "$I/access" "$@" <<'PY'
import smtplib, subprocess, sys, time
port, postmap, table, steps = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
s = smtplib.SMTP("127.0.0.1", port, timeout=20)
s.ehlo("client.example.org")

def ask():
    s.mail("sender@example.org")
    code, msg = s.docmd("RCPT TO:<user@example.test>")
    print(code, msg.decode())
    s.rset()

ask()
for text in steps:
    with open(table, "w") as f:
        f.write("127.0.0.1 " + text + "\n")
    subprocess.run([postmap, "hash:" + table], check=True)
    time.sleep(1.1)   # a reader checks the table file at most once a second
    ask()
s.quit()
PY
}

out=$(session "REJECT first table" "REJECT second table" 2>&1)
t_expect "missing table: the client is deferred with 451 4.3.5" \
	"451 4.3.5 <localhost[127.0.0.1]>: Client host rejected: Server configuration error" sed -n 1p <<<"$out"
t_check "missing table: smtpd logs which table is unavailable" \
	grep -q "warning: table hash:$I/access is unavailable: open $I/access.lmdb: No such file" "$I/maillog"
got=$(sed -n 2p <<<"$out")
case $got in
"554 5.7.1 "*"first table") t_ok "postmap creates it: the same session uses it ($got)" ;;
*) t_fail "postmap creates it: the same session uses it" "got: $out" ;;
esac
got=$(sed -n 3p <<<"$out")
case $got in
"554 5.7.1 "*"second table") t_ok "postmap replaces it: the same session sees the new one ($got)" ;;
*) t_fail "postmap replaces it: the same session sees the new one" "got: $out" ;;
esac

out=$(session 2>&1)
case $out in
"554 5.7.1 "*"second table") t_ok "the next session uses the table ($out)" ;;
*) t_fail "the next session uses the table" "got: $out" ;;
esac

# a table removed again: the process keeps the one it has (no open relay,
# no 451 storm); rebuilt with OK, the client may mail again
rm -f "$I/access.lmdb"
printf '127.0.0.1 OK\n' >"$I/access"
"$B/bin/postmap" "hash:$I/access"
sleep 1.1
t_expect "rebuilt with OK: the next session is let through" "250 2.1.5 Ok" session

# local: alias_maps missing when local started
mkdir -m 1777 "$T/out"
id=$(SMTP_PORT=$PLAIN_PORT inst_send sender@example.org hlappear@example.test "alias test")
wait_long() { for _ in $(seq 300); do "$@" && return 0; sleep 0.1; done; return 1; }
t_check "alias_maps missing: local defers the message ($id)" \
	wait_long grep -q "$id: to=<hlappear@example.test>, .*status=deferred" "$I/maillog"
printf 'hlappear: %s\n' "$T/out/appear.mbox" >"$I/aliases"
"$B/bin/postalias" "$I/aliases"
t_check "postalias builds it: the next try delivers through the alias, no reload" \
	wait_long grep -q "$id: to=<hlappear@example.test>, .*status=sent" "$I/maillog"
t_check "...into the aliased file" grep -q "Subject: alias test" "$T/out/appear.mbox"
exit 0
