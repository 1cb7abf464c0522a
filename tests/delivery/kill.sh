#!/usr/bin/env bash
# delivery/kill.sh - kill -9 of qmgr, local and smtp at random moments while
# 500 messages (half to a local user's Maildir, half to smtp-sink) go
# through.  After the dust settles every message that got a 250 is
# delivered: none lost.  Duplicates (at-least-once) are counted and shown.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "delivery tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/robust.sh"
command -v smtp-sink >/dev/null || { t_fail "smtp-sink is installed (make deps)"; exit 0; }

SINK_PORT=$((SMTP_PORT + 1))
user=hatok$$
useradd -m -s /bin/sh "$user" || t_fail "useradd $user"
mkdir -p "$T/dump"; chmod 755 "$T"; chmod 777 "$T/dump"
smtp-sink -u nobody -d "$T/dump/%Y%m%d%H%M%S." 127.0.0.1:$SINK_PORT 100 & sink=$!
trap 'rob_killer_stop; kill $sink 2>/dev/null; userdel -r "$user" >/dev/null 2>&1; inst_cleanup' EXIT

inst_new
inst_set "relayhost = [127.0.0.1]:$SINK_PORT" "local_recipient_maps = unix:passwd.byname" \
	"minimal_backoff_time = 1s" "maximal_backoff_time = 2s" "queue_run_delay = 1s"
cat >>"$I/master.cf" <<MCF
qmgr      fifo  n       -       n       1       1       qmgr
smtp      unix  -       -       n       -       -       smtp
local     unix  -       n       n       -       -       local
MCF
inst_start || t_fail "instance starts"

# killer: every 0.2 s one daemon of this build, at random, for as long as it runs
rob_killer qmgr local smtp

python3 - "$SMTP_PORT" "$user" >"$T/sent" <<'PY'
import smtplib, sys, threading
port, user = int(sys.argv[1]), sys.argv[2]
ok = []; lock = threading.Lock()
def client(n):
    for i in range(125):
        rcpt = "%s@mx.example.test" % user if i % 2 else "far%d@example.net" % n
        tag = "kill-%d-%d" % (n, i)
        try:
            s = smtplib.SMTP("127.0.0.1", port, timeout=60)
            s.sendmail("sender@example.org", [rcpt], ("Subject: %s\r\nX-Tag: %s\r\n\r\nbody\r\n" % (tag, tag)).encode())
            s.quit()
            with lock: ok.append(tag)
        except (smtplib.SMTPException, OSError):
            pass
ts = [threading.Thread(target=client, args=(n,)) for n in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print("\n".join(ok))
PY
sleep 3
rob_killer_stop
sent=$(grep -c . "$T/sent")
t_check "messages were accepted while daemons were being killed ($sent)" test "$sent" -gt 400
# delivered - every X-Tag found in the sink's dumps and the Maildir
dirs=("$T/dump" "/home/$user/Maildir/new" "/home/$user/Maildir/cur")
rob_wait_ids "$T/sent" 150 X-Tag "${dirs[@]}"
rob_tally "$T/sent" X-Tag "${dirs[@]}"
t_expect "after restarts every one of the $sent accepted messages is delivered ($ROB_DUPS duplicates)" "0" echo "$ROB_LOST"
inst_stop
