#!/usr/bin/env bash
# environment.sh - import_environment: the daemons inherit only what it
# names (NAME keeps, NAME=VALUE sets), not what the shell that ran
# "hato start" had (LD_PRELOAD, proxies, anything).  Checked in the live
# processes' /proc/PID/environ (HATO_* are master's own hand-over
# variables; fd 38 is the group commit page, group_sync.h; fd 40 the log
# sink, master_logsink.c; HATO_METRICS the counter region, metrics.h).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "environment tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_add_queue_tools
environ_of() { tr '\0' '\n' <"/proc/$1/environ" | sort; }
pid_of() { pgrep -f -- "^$1 .*" | while read -r p; do
	[ "$(readlink "/proc/$p/cwd")" = "$I/queue" ] && { echo "$p"; break; }; done; }

t_check "default import_environment: instance starts" \
	env HATO_LEAK=secret http_proxy=http://proxy.invalid TZ=UTC LANG=de_DE.UTF-8 "$HATO" -c "$I" start
sleep 0.5
q=$(pid_of qmgr)
t_check "qmgr is running" test -n "$q"
env_q=$(environ_of "${q:-0}" 2>/dev/null)
t_expect "qmgr's environment: TZ kept, LANG set to C, HATO_CONFIG, nothing else" \
	"HATO_CONFIG=$I
LANG=C
TZ=UTC" grep -Ev '^HATO_(FLOW|LISTEN_FDS|SYNC|LOG|METRICS)=' <<<"$env_q"
t_check "qmgr has the group commit page at fd 38 (HATO_SYNC)" \
	bash -c "readlink /proc/${q:-0}/fd/38 | grep -q '^/memfd:hato-group-sync'"
t_check "...and master's log sink at fd 40 (HATO_LOG)" \
	bash -c "grep -qx HATO_LOG=1 <<<'$env_q' && readlink /proc/${q:-0}/fd/40 | grep -q '^socket:'"
inst_stop
wait_gone

inst_set "import_environment = MAIL_CONFIG, KEEPME EXTRA=on"
t_check "custom import_environment: instance starts" \
	env KEEPME=yes DROPME=no TZ=UTC "$HATO" -c "$I" start
sleep 0.5
q=$(pid_of qmgr)
t_expect "qmgr's environment follows the custom list" \
	"EXTRA=on
HATO_CONFIG=$I
KEEPME=yes" bash -c "tr '\0' '\n' </proc/${q:-0}/environ | grep -Ev '^HATO_(FLOW|LISTEN_FDS|SYNC|LOG|METRICS)=' | sort"
