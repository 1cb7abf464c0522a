#!/usr/bin/env bash
# local/quota.sh - Maildir++ quota and virtual sizes on delivery, end to
# end (swaks -> smtpd -> cleanup -> qmgr -> local) for useradd users: a
# delivered file is named BASE,S=<size>,W=<vsize> with both right for its
# bytes (the vsize counting every bare LF as CRLF); a user whose Maildir
# has a maildirsize with a small limit gets the first message, and the
# "<size> 1" line is appended; the message that would exceed the limit
# bounces 5.2.2 (the sender, a local user, gets the notification), is
# not in the Maildir and leaves maildirsize as it was; a Maildir without
# maildirsize gets none.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "quota tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"

U1=hlquota1 U2=hlquota2
inst_user $U1; H1=$INST_HOME
inst_user $U2; H2=$INST_HOME
mkdir -p "$H1/Maildir/tmp" "$H1/Maildir/new" "$H1/Maildir/cur"
printf '3000S,10C\n0 0\n' >"$H1/Maildir/maildirsize"
chown -R $U1: "$H1/Maildir"
chmod 700 "$H1/Maildir"
chmod 600 "$H1/Maildir/maildirsize"

inst_new
inst_add_maildir qmgr
inst_set "queue_run_delay = 1s" "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
t_check "instance with qmgr and local starts" inst_start

logged() { grep -q -- "$1" "$I/maillog"; }
# names_ok DIR - every file in DIR is BASE,S=<its size>,W=<its vsize>
names_ok() {
	python3 - "$1" <<'PY'
import os, re, sys
d = sys.argv[1]
names = os.listdir(d)
for n in names:
    m = re.fullmatch(r"[^,:/]+,S=(\d+),W=(\d+)", n)
    data = open(os.path.join(d, n), "rb").read()
    vsize = len(data) + data.count(b"\n") - data.count(b"\r\n")
    if not m or int(m.group(1)) != len(data) or int(m.group(2)) != vsize or vsize == len(data):
        sys.exit("bad name %s (size %d, vsize %d)" % (n, len(data), vsize))
sys.exit(0 if names else "no files")
PY
}

id=$(inst_send $U2@example.test $U1@example.test small "a small one")
t_check "the first message fits the quota: delivered" \
	inst_wait logged "$id: to=<$U1@example.test>, relay=local, .*status=sent (delivered to maildir)"
t_check "...named BASE,S=<size>,W=<vsize>, both right" names_ok "$H1/Maildir/new"
size=$(stat -c %s "$H1"/Maildir/new/*)
t_expect "...and its line is appended to maildirsize" "$(printf '3000S,10C\n0 0\n%s 1' "$size")" \
	cat "$H1/Maildir/maildirsize"

big=$(python3 -c "print(('y' * 70 + '\\n') * 60, end='')")
id=$(inst_send $U2@example.test $U1@example.test too-big "$big")
t_check "the message that would exceed the quota bounces 5.2.2" \
	inst_wait logged "$id: to=<$U1@example.test>, relay=local, .*dsn=5.2.2, status=bounced (maildir delivery failed: Quota exceeded"
t_expect "...is not in the Maildir" "1 0" bash -c "echo \$(ls '$H1/Maildir/new' | wc -l) \$(ls -A '$H1/Maildir/tmp' | wc -l)"
t_expect "...and leaves maildirsize as it was" "$(printf '3000S,10C\n0 0\n%s 1' "$size")" \
	cat "$H1/Maildir/maildirsize"
t_check "...the sender gets the notification in its Maildir" \
	inst_wait bash -c "grep -l 'too-big' '$H2'/Maildir/new/* 2>/dev/null | xargs grep -l 'Undelivered Mail' >/dev/null"
t_check "...whose Maildir, without a maildirsize, gets none" test ! -e "$H2/Maildir/maildirsize"
t_check "...and whose files are named with W= too" names_ok "$H2/Maildir/new"
