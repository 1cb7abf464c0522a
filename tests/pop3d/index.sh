#!/usr/bin/env bash
# index.sh - the index as POP3 clients see it (UIDLs carry UID and
# UIDVALIDITY): UIDLs stable across sessions and across hato stop/start,
# after the index is deleted, after a message file is renamed by hand
# (flags changed as mutt would), and with mail delivered during a
# session (not in that session's list, in the next one's, with a new
# UID); mail_max_userip_connections (1 here) refuses a second session
# before the mailbox lock would.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pop3 tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/pop3.sh"

U=hlpop5 PW=Pop-pass-5
t_check "an instance with pop3d starts" pop3_instance $U $PW "mail_max_userip_connections = 1"
t_check "three messages delivered" pop3_send 3
uidls() { curl -s -X UIDL "pop3://$U:$PW@127.0.0.1:$POP3_PORT/"; }
uidls >"$T/u1"
t_expect "three UIDLs" 3 bash -c "wc -l <'$T/u1'"
uidls >"$T/u2"
t_check "the same UIDLs in a second session" cmp -s "$T/u1" "$T/u2"
exec 3<>/dev/tcp/127.0.0.1/$POP3_PORT
read -r _ <&3
printf 'USER %s\r\nPASS %s\r\n' $U $PW >&3
read -r _ <&3; read -r _ <&3
t_check "a session is open (a pop3mail process runs as the user)" pgrep -u $U -x pop3mail
kill -KILL "$(tr -dc 0-9 <"$I/queue/pid/master.pid")"
t_check "master killed with SIGKILL: the session ends too (parent-death signal, its lock with it)" \
	inst_wait bash -c "! pgrep -u $U -x pop3mail"
# inst_procs - processes of this instance: their working directory is in its queue
inst_procs() { for p in /proc/[0-9]*; do case $(readlink "$p/cwd" 2>/dev/null) in "$I"/queue*) echo "${p#/proc/}" ;; esac; done; }
t_check "...and so does every daemon of the instance (authd dropped root too)" inst_wait bash -c "I='$I'; $(declare -f inst_procs); [ -z \"\$(inst_procs)\" ]"
exec 3<&-
inst_wait wait_gone
inst_stop	# master is gone: nothing to stop, the pid file is cleared
t_check "hato start" inst_start
inst_wait pop3_listening
uidls >"$T/u3"
t_check "the same UIDLs after hato stop/start" cmp -s "$T/u1" "$T/u3"
rm -rf "$INST_HOME/Maildir/hato-index.lmdb"
uidls >"$T/u4"
t_check "the same UIDLs after the index was deleted" cmp -s "$T/u1" "$T/u4"
f=$(ls "$INST_HOME/Maildir/cur" | head -1)
mv "$INST_HOME/Maildir/cur/$f" "$INST_HOME/Maildir/cur/${f%%:2,*}:2,FS"
uidls >"$T/u5"
t_check "the same UIDLs after a file was renamed by hand (flags F and S)" cmp -s "$T/u1" "$T/u5"

# delivery during a session
python3 - $POP3_PORT $U $PW "$T" <<'PY' &
import poplib, sys, os, time
port, user, pw, t = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
p = poplib.POP3("127.0.0.1", port, timeout=30)
p.user(user); p.pass_(pw)
open(t + "/in-session", "w").write("")
while not os.path.exists(t + "/delivered"):
    time.sleep(0.1)
open(t + "/stat-during", "w").write("%d\n" % p.stat()[0])
p.quit()
PY
sess=$!
inst_wait test -e "$T/in-session"
t_check "a fourth message delivered while a session is open" pop3_send 1
touch "$T/delivered"
wait $sess
t_expect "...the open session still lists three" 3 cat "$T/stat-during"
uidls >"$T/u6"
t_expect "...the next session lists four" 4 bash -c "wc -l <'$T/u6'"
t_check "...the first three keep their UIDLs" bash -c "head -3 '$T/u6' | cmp -s - '$T/u1'"
t_check "...the new one has a UIDL of its own" bash -c "! grep -q \"\$(tail -1 '$T/u6' | cut -d' ' -f2)\" '$T/u1'"

# a file renamed by another client during the session (mutt sets a flag)
python3 - $POP3_PORT $U $PW "$INST_HOME/Maildir/cur" <<'PY' >"$T/renamed.out" 2>&1
import os, poplib, sys
port, user, pw, cur = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
p = poplib.POP3("127.0.0.1", port, timeout=10); p.user(user); p.pass_(pw)
for f in os.listdir(cur):	# rename every file behind the session's back
    os.rename(os.path.join(cur, f), os.path.join(cur, f.split(":2,")[0] + ":2,FRS"))
print("retr", b"Subject: pop3 test" in b"\n".join(p.retr(1)[1]))
p.dele(2)
print(p.quit().decode())
PY
t_check "RETR finds a message renamed by another client during the session" grep -qx "retr True" "$T/renamed.out"
t_check "...and DELE + QUIT removes one renamed too" grep -qx "+OK Logging out, messages deleted." "$T/renamed.out"
t_expect "...really: 3 files left of 4" 3 pop3_files

# mail_max_userip_connections = 1: the second session of the user from
# 127.0.0.1 is refused by the count, before it reaches the mailbox lock
python3 - $POP3_PORT $U $PW <<'PY' >"$T/limit.out"
import poplib, sys
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
a = poplib.POP3("127.0.0.1", port, timeout=10); a.user(user); a.pass_(pw)
b = poplib.POP3("127.0.0.1", port, timeout=10); b.user(user)
try:
    b.pass_(pw)
except poplib.error_proto as e:
    print(e.args[0].decode())
a.quit()
c = poplib.POP3("127.0.0.1", port, timeout=10); c.user(user)
print(c.pass_(pw).decode())
PY
t_check "a second session meanwhile: [IN-USE] mail_max_userip_connections" grep -qx "\-ERR \[IN-USE\] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=1)" "$T/limit.out"
t_check "...and once the first has quit, a new one is let in" grep -qx "+OK Logged in." "$T/limit.out"
