#!/usr/bin/env bash
# fifo_race.sh - master makes its FIFOs and UNIX sockets in public/ and
# private/, which belong to mail_owner, so a process running as
# mail_owner can swap a name for a symlink between master's calls.  Here
# strace holds master for 0.3 s after each mknod and bind (the race
# window, made wide so that the test is deterministic) while a swapper
# running as mail_owner replaces the new FIFO and socket with symlinks to
# root-only files.  Those files' modes must not change, and master must
# still come up with a FIFO of mode 0622 and a socket of mode 0666.
# (With chmod by path after mkfifo and bind, both files changed mode.)
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "fifo race tests skipped: they need root # SKIP"; exit 0; }
command -v strace >/dev/null || { t_fail "fifo race: strace is needed"; exit 1; }
. "$TOPDIR/tests/lib/instance.sh"

inst_new
inst_add_pickup 60
owner=$("$POSTCONF" -c "$I" -h mail_owner)
q=$I/queue
for v in fifo sock; do echo "secret $v" >"$T/victim.$v"; chmod 0600 "$T/victim.$v"; done

# swap.py NAME VICTIM ... - as mail_owner: once NAME appears as master's
# (root's) FIFO or socket, rename a symlink to VICTIM over it; 10 s at most
cat >"$T/swap.py" <<'PY'
import os, stat, sys, time
todo = dict(zip(sys.argv[1::2], sys.argv[2::2]))
end = time.time() + 10
while todo and time.time() < end:
    for name, victim in list(todo.items()):
        try:
            st = os.lstat(name)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode) or st.st_uid != 0:
            continue
        os.symlink(victim, name + ".l")
        os.rename(name + ".l", name)
        del todo[name]
    time.sleep(0.002)
sys.exit(1 if todo else 0)
PY

for round in 1 2 3; do
	rm -f "$q/public/pickup" "$q/public/cleanup"
	runuser -u "$owner" -- python3 "$T/swap.py" "$q/public/pickup" "$T/victim.fifo" \
		"$q/public/cleanup" "$T/victim.sock" &
	swapper=$!
	strace -f -qq -o /dev/null -e trace=mknodat,mknod,bind \
		-e inject=mknodat,mknod,bind:delay_exit=300000 "$HATO" -c "$I" start >"$T/start.out" 2>&1 &
	tracer=$!
	for _ in $(seq 100); do [ -f "$q/pid/master.pid" ] && ! kill -0 "$swapper" 2>/dev/null && break; sleep 0.1; done
	wait "$swapper" && swapped=yes || swapped=no
	t_expect "round $round: the swapper replaced the FIFO and the socket with symlinks" yes echo "$swapped"
	t_expect "round $round: the root file behind the FIFO name stays 0600" "600 root" stat -c '%a %U' "$T/victim.fifo"
	t_expect "round $round: the root file behind the socket name stays 0600" "600 root" stat -c '%a %U' "$T/victim.sock"
	"$HATO" -c "$I" stop >/dev/null 2>&1
	wait "$tracer" && started=yes || started=no
	t_expect "round $round: master started all the same (it makes the FIFO anew)" yes echo "$started"
	chmod 0600 "$T/victim.fifo" "$T/victim.sock"
done
t_expect "the root files' contents are untouched" "secret fifo secret sock" \
	echo $(cat "$T/victim.fifo" "$T/victim.sock")
rm -f "$q/public/pickup" "$q/public/cleanup"
t_check "master starts once the swapping stops" "$HATO" -c "$I" start
t_expect "public/pickup is a FIFO of mode 0622 owned by root" "fifo 622 root" \
	stat -c '%F %a %U' "$q/public/pickup"
t_expect "public/cleanup is a socket of mode 0666" "socket 666" stat -c '%F %a' "$q/public/cleanup"
"$HATO" -c "$I" stop >/dev/null 2>&1
