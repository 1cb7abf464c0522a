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
# inst_pick_ports N - SMTP_PORT with N free ports from it (tests/lib.sh
# t_free_ports: below the ephemeral range, in this script's slot under
# tests/run -jN)
inst_pick_ports() { SMTP_PORT=$(t_free_ports "$1"); }
inst_pick_ports 8
inst_created_user=""
id hato >/dev/null 2>&1 || inst_created_user=yes
inst_created_authuser=""	# default_internal_user (authd), made by hato init
id hatoauth >/dev/null 2>&1 || inst_created_authuser=yes
inst_created_loginuser=""	# default_login_user (pop3d, imapd), made by hato init
id hatonull >/dev/null 2>&1 || inst_created_loginuser=yes

inst_cleanup() {
	[ -f "$I/main.cf" ] && "$HATO" -c "$I" abort >/dev/null 2>&1
	# -r removes a home made by inst_user; a user without one goes too
	for u in ${inst_users:-}; do userdel -r "$u" >/dev/null 2>&1 || userdel "$u" >/dev/null 2>&1; done
	if [ -n "$inst_created_user" ]; then
		userdel hato >/dev/null 2>&1; groupdel hato >/dev/null 2>&1; groupdel hatodrop >/dev/null 2>&1
	fi
	if [ -n "$inst_created_authuser" ]; then
		userdel hatoauth >/dev/null 2>&1; groupdel hatoauth >/dev/null 2>&1
	fi
	if [ -n "$inst_created_loginuser" ]; then
		userdel hatonull >/dev/null 2>&1; groupdel hatonull >/dev/null 2>&1
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
	# no queue manager, nobody to hand out in-flow tokens: cleanup must not wait
	grep -q '^qmgr ' "$I/master.cf" || inst_set "in_flow_delay = 0"
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

# inst_add_queue_tools - qmgr (wakeup 1 s) and the showq service behind
# postqueue -p/-j/-i/-s (public/showq)
inst_add_queue_tools() {
	cat >>"$I/master.cf" <<MCF
qmgr      fifo  n       -       n       1       1       qmgr
showq     unix  n       -       n       -       -       showq
MCF
}

# inst_agent LOG - a fake "local" delivery agent on private/local: the
# local part decides: defer* deferred, bounce* bounced, anything else sent;
# slow* first waits until the file $T/agent.release exists, then the rest
# of the local part decides (slowdefer1 is deferred).  One JSON line per
# request in LOG.  Sets AGENT_PID; inst_agent_stop ends it.
inst_agent() {
	cat >"$T/agent.py" <<'PY'
import json, os, socket, sys, threading, time

sys.path.insert(0, os.environ["HATO_TOP"] + "/tests/lib")
from attrcodec import encode, read_msg

def serve(conn, log, release):
    f = conn.makefile("rb")
    conn.sendall(encode([("protocol", "delivery"), ("version", "1")]))
    req = read_msg(f)
    if req is None:
        conn.close()
        return
    with open(log, "a") as fp:
        fp.write(json.dumps(req) + "\n")
    reply = []
    for i in range(int(req["rcpt_count"])):
        local = req["rcpt_%d" % i].split("@")[0]
        if local.startswith("slow"):
            while not os.path.exists(release):
                time.sleep(0.1)
            local = local[4:]
        st, dsn = ("deferred", "4.2.0") if local.startswith("defer") else \
                  ("bounced", "5.1.1") if local.startswith("bounce") else ("sent", "2.0.0")
        reply += [("status_%d" % i, st), ("dsn_%d" % i, dsn), ("relay_%d" % i, "fake"),
                  ("text_%d" % i, "fake agent says %s to %s" % (st, req["rcpt_%d" % i]))]
    conn.sendall(encode(reply))
    conn.close()

path, log, release = sys.argv[1:4]
if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
os.chmod(path, 0o666)
srv.listen(50)
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn, log, release), daemon=True).start()
PY
	python3 "$T/agent.py" "$I/queue/private/local" "$1" "$T/agent.release" &
	AGENT_PID=$!
	for _ in $(seq 50); do [ -S "$I/queue/private/local" ] && return 0; sleep 0.1; done
	return 1
}
inst_agent_stop() { [ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null; AGENT_PID=; }

# inst_send FROM TO SUBJECT [BODY] - one message by SMTP (swaks); prints
# its queue ID.  Tried three times a second apart (a daemon being
# restarted); a try without a queue ID is reported on stderr.
inst_send() {
	local try id
	for try in 1 2 3; do
		swaks --server 127.0.0.1:$SMTP_PORT --from "$1" --to "$2" --header "Subject: $3" \
			${4:+--body "$4"} -n >"$T/swaks.out" 2>&1
		id=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' "$T/swaks.out")
		[ -n "$id" ] && break
		printf '# send %s: no queue ID (try %s): %s\n' "$3" "$try" "$(grep -E '^ *<~?\*? ?[45][0-9][0-9]|\*\*\*' "$T/swaks.out" | head -2 | tr '\n' ' ')" >&2
		sleep 1
	done
	echo "$id"
}

# inst_wait CMD... - true once CMD succeeds (10 s at most)
inst_wait() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }

# inst_pids NAME - pids of this instance's NAME daemons (children of its master)
inst_pids() {
	local master; master=$(tr -dc 0-9 <"$I/queue/pid/master.pid" 2>/dev/null)
	[ -n "$master" ] && pgrep -x -P "$master" "$1"
}

# inst_user_bin PROG... - copies of the commands as an installation has
# them, in $T/bin: postdrop and postqueue set-group-ID hatodrop
inst_user_bin() {
	local p
	mkdir -p "$T/bin" && chmod 755 "$T/bin"
	for p in "$@"; do
		cp "$B/bin/$p" "$T/bin/" && chmod 755 "$T/bin/$p" || return 1
		case $p in postdrop|postqueue) chgrp hatodrop "$T/bin/$p" && chmod 2755 "$T/bin/$p" ;; esac
	done
}

# inst_add_user NAME - a throw-away login user (no home), removed at exit
# by inst_cleanup (call it in the script's shell, not in $(...))
inst_add_user() {
	t_retry useradd -M -N -s /bin/sh -d /nonexistent "$1" || return 1
	inst_users="${inst_users:-} $1"
}

# inst_user NAME - a system user with a home (useradd -m), removed by
# inst_cleanup; its home into INST_HOME.  NAME must be unique to the test.
inst_user() {
	# a user left by an earlier run: its processes first (userdel refuses
	# a user with processes, and the old home would be reused)
	if id -u "$1" >/dev/null 2>&1; then
		pkill -KILL -u "$1" 2>/dev/null
		for _ in $(seq 20); do userdel -r "$1" >/dev/null 2>&1 && break; sleep 0.1; done
	fi
	t_retry useradd -m -s /bin/sh "$1" && inst_users="${inst_users:-} $1"
	INST_HOME=$(getent passwd "$1" | cut -d: -f6)
}

# inst_add_maildir [qmgr] - local delivery into ~/Maildir/ for any local
# user (home_mailbox, local_recipient_maps =), with the local service and,
# given "qmgr", the queue manager (wakeup 1 s)
inst_add_maildir() {
	inst_set "home_mailbox = Maildir/" "local_recipient_maps ="
	[ "${1:-}" = qmgr ] && echo "qmgr      fifo  n       -       n       1       1       qmgr" >>"$I/master.cf"
	echo "local     unix  -       n       n       -       -       local" >>"$I/master.cf"
}
