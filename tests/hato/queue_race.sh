#!/usr/bin/env bash
# queue_race.sh - hato check (as root) makes a queue directory an older
# tree lacks.  If the queue root can be written by mail_owner (here it is
# wrongly owned by mail_owner, which check reports), a mail_owner process
# can replace the new directory with a symlink to a root file before its
# owner and mode are set.  strace holds hato 0.3 s after each mkdir (the
# race window made wide, so that the test is deterministic) while such a
# swapper waits for maildrop/ to appear.  The root file's mode must not
# change.  (With chmod by path after mkdir it became 1730.)  Also: hato
# flush (root) writes its trigger only into a FIFO at public/qmgr, never
# into a file mail_owner put there (it wrote "FW" into any file).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "queue race tests skipped: they need root # SKIP"; exit 0; }
command -v strace >/dev/null || { t_fail "queue race: strace is needed"; exit 1; }
. "$TOPDIR/tests/lib/instance.sh"	# $I, $HATO; the hato user removed at exit if made here
chmod 755 "$T"
"$HATO" init --dev "$I" >/dev/null
owner=$("$B/bin/postconf" -c "$I" -h mail_owner)
q=$I/queue
echo secret >"$T/victim"
chmod 0600 "$T/victim"
chown "$owner" "$q"
rmdir "$q/maildrop"

runuser -u "$owner" -- python3 - "$q/maildrop" "$T/victim" <<'PY' &
import os, stat, sys, time
name, victim = sys.argv[1:3]
end = time.time() + 10
while time.time() < end:
    try:
        st = os.lstat(name)
    except FileNotFoundError:
        time.sleep(0.002)
        continue
    if stat.S_ISDIR(st.st_mode) and st.st_uid == 0:
        os.rmdir(name)
        os.symlink(victim, name)
        sys.exit(0)
    time.sleep(0.002)
sys.exit(1)
PY
swapper=$!
strace -f -qq -o /dev/null -e trace=mkdir,mkdirat -e inject=mkdir,mkdirat:delay_exit=300000 \
	"$HATO" -c "$I" check >"$T/check.out" 2>&1
wait "$swapper" && swapped=yes || swapped=no
t_expect "the swapper replaced the new maildrop/ with a symlink" yes echo "$swapped"
t_expect "the root file behind it stays 0600, root's" "600 root" stat -c '%a %U' "$T/victim"
t_check "hato check reports the queue root's wrong owner" grep -q "queue: owner" "$T/check.out"
t_check "...and that maildrop could not be made" grep -q "queue/maildrop: cannot create" "$T/check.out"
sed 's/^/#   /' "$T/check.out"

chown root "$q"
printf x >"$q/public/qmgr"
chown "$owner" "$q/public/qmgr"
t_expect_err "hato flush refuses a public/qmgr that is not a FIFO" "not a FIFO" "$HATO" -c "$I" flush
t_expect "...and writes nothing into it" x cat "$q/public/qmgr"
