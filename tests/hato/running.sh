#!/usr/bin/env bash
# running.sh - the control command and a running master: a verbatim
# Postfix master.cf (Debian's master.cf.dist) gives one line naming the
# services hato skips (check, start, status), and status, stop and reload
# still find the master once main.cf no longer parses, and say both things.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "running tests skipped: they need root # SKIP"; exit 0; }
. "$HATO_TOP/tests/lib/instance.sh"
DIST=/usr/share/postfix/master.cf.dist
[ -f "$DIST" ] || { t_fail "Debian's $DIST is missing (make deps installs postfix)"; exit 1; }

inst_new
sed "s/^smtp      inet/127.0.0.1:$SMTP_PORT inet/" "$DIST" >"$I/master.cf"
"$HATO" -c "$I" check >"$T/check.out" 2>&1
t_expect "hato check: Debian's master.cf gives one line about the services hato lacks" "1" \
	grep -c 'Postfix services that hato does not provide or need: tlsmgr rewrite bounce' "$T/check.out"
t_expect "...and no warning per service" "0" grep -c 'warning' "$T/check.out"
t_check "hato start with Debian's master.cf" inst_start
t_expect "the master logs the skipped services in one line" "1" \
	grep -c 'hato does not provide or need' "$I/maillog"
t_check "hato status names the services not available in this version" \
	bash -c "'$HATO' -c '$I' status 2>&1 | grep -q 'services not available in this version of hato (skipped): tlsmgr rewrite bounce'"
pid=$(tr -dc 0-9 <"$I/queue/pid/master.pid")

echo 'this line is not an assignment' >>"$I/main.cf"
"$HATO" -c "$I" status >"$T/status.out" 2>&1
t_check "status with a broken main.cf exits 0: the master runs" test $? = 0
t_check "...and says the master runs, with its pid" grep -q "running (master pid $pid)" "$T/status.out"
t_check "...and that the configuration is broken, naming the line" \
	grep -q "configuration is broken: $I/main.cf, line [0-9]*: missing '='" "$T/status.out"
t_check_fail "reload with a broken main.cf is refused" "$HATO" -c "$I" reload
t_check "...saying the master (pid $pid) runs and keeps its configuration" \
	bash -c "'$HATO' -c '$I' reload 2>&1 | grep -q 'master pid $pid) keeps its old configuration'"
t_check "...and the master still runs" kill -0 "$pid"
"$HATO" -c "$I" stop >"$T/stop.out" 2>&1
t_check "stop with a broken main.cf stops the master" inst_wait bash -c "! kill -0 $pid 2>/dev/null"
t_check "...and says the configuration is broken" grep -q "configuration is broken" "$T/stop.out"
t_check "...and that it stopped" grep -q "the mail system has stopped" "$T/stop.out"
t_expect_err "status afterwards: not running, and the configuration is broken" \
	"not running; also, $I/main.cf, line" "$HATO" -c "$I" status
