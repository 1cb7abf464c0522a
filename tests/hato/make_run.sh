#!/usr/bin/env bash
# make_run.sh - a checkout in a directory the hato user cannot enter (root's
# 0700 home, a mktemp -d directory): hato check and hato start refuse an
# instance there, naming the directory, and "make run" as root still works:
# it puts the instance under /run/hato-run/ (a copy of this tree, build
# included, in a 0700 directory; one message by SMTP; then stop).
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "make run tests skipped: they need root # SKIP"; exit 0; }
. "$HATO_TOP/tests/lib/instance.sh"
D=$(mktemp -d /tmp/h15run.XXXXXX)	# mode 0700, as mktemp makes it
RUN_DIR=
cleanup_run() {
	[ -n "${RUN_PID:-}" ] && kill "$RUN_PID" 2>/dev/null
	for r in "$RUN_DIR" "$D/hato/run"; do
		[ -n "$r" ] && [ -f "$r/main.cf" ] && "$HATO" -c "$r" abort >/dev/null 2>&1
	done
	case $RUN_DIR in /run/hato-run/?*) rm -rf "$RUN_DIR" ;; esac
	rm -rf "$D"
	inst_cleanup
}
trap cleanup_run EXIT

t_check "hato init --dev in a 0700 directory" "$HATO" init --dev "$D/inst"
t_expect_err "hato check refuses it, naming the directory hato cannot enter" \
	"mail_owner hato cannot enter $D (owner root, mode 0700)" "$HATO" -c "$D/inst" check
t_expect_err "hato start refuses it too" "cannot enter $D" "$HATO" -c "$D/inst" start
t_check "...and starts nothing" test ! -e "$D/inst/queue/pid/master.pid"
rm -rf "$D/inst"

mkdir "$D/hato"
tar -C "$TOPDIR" --exclude=./run --exclude=./.git -cf - . | tar -C "$D/hato" -xf -
(cd "$D/hato" && HATO_RUN_PORT=$SMTP_PORT exec timeout 300 make run) >"$T/run.out" 2>&1 </dev/null &
RUN_PID=$!
for _ in $(seq 600); do
	ss -Hltn "sport = :$SMTP_PORT" | grep -q . && break
	kill -0 $RUN_PID 2>/dev/null || break
	sleep 0.2
done
RUN_DIR=$(sed -n 's/^hato instance in \([^ ]*\) .*/\1/p' "$T/run.out")
t_check "make run from a copy in a 0700 directory listens on SMTP" ss -Hltn "sport = :$SMTP_PORT" \
	|| sed 's/^/#   /' "$T/run.out" | tail -20
t_check "...with its instance under /run/hato-run/, and says why" \
	bash -c "[[ '$RUN_DIR' == /run/hato-run/* ]] && grep -q 'the hato user cannot reach' '$T/run.out'"
id=$(inst_send h15run@example.invalid h15run@example.invalid "make run test")
t_check "a message sent by SMTP is queued (smtpd and cleanup run)" test -n "$id"
t_check "...and no daemon failed to enter the queue" \
	bash -c "test -f '$RUN_DIR/maillog' && ! grep -q 'Permission denied' '$RUN_DIR/maillog'"
t_check "make run no longer says delivery is not built" bash -c "! grep -qi 'not built yet' '$T/run.out'"
POP3_RUN=$((SMTP_PORT + 5))
t_check "make run serves POP3 (pop3d is no longer skipped)" bash -c "ss -Hltn 'sport = :$POP3_RUN' | grep -q ."
t_check "...and says how to read mail with curl pop3://" grep -q "curl pop3://" "$T/run.out"
inst_user hlrunpop
echo "hlrunpop:Run-pop-pass" | chpasswd
id=$(inst_send h15run@example.invalid hlrunpop@localhost "make run pop3 test")
inst_wait bash -c "ls '$INST_HOME'/Maildir/new/* >/dev/null 2>&1"
t_check "...and a system user reads the message delivered to it with curl pop3://" \
	bash -c "curl -s 'pop3://hlrunpop:Run-pop-pass@127.0.0.1:$POP3_RUN/1' | grep -q '^Subject: make run pop3 test'"
IMAP_RUN=$((SMTP_PORT + 3))
t_check "make run serves IMAP" bash -c "ss -Hltn 'sport = :$IMAP_RUN' | grep -q ."
t_check "...and says how to read mail with curl imap://" grep -q "curl imap://" "$T/run.out"
t_check "...and the same user reads the message with curl imap://" \
	bash -c "curl -s 'imap://hlrunpop:Run-pop-pass@127.0.0.1:$IMAP_RUN/INBOX;UID=1' | grep -q '^Subject: make run pop3 test'"
t_check "hato stop stops it" "$HATO" -c "$RUN_DIR" stop
wait $RUN_PID 2>/dev/null
RUN_PID=
