#!/usr/bin/env bash
# plaintext.sh - disable_plaintext_auth for a client that is not on this
# host (a network namespace with 192.0.2.10 for hato and 192.0.2.20 for
# the client): CAPA hides USER and PLAIN, USER and AUTH PLAIN get
# Dovecot's [AUTH] answer, after STLS both are offered and the login
# works; with disable_plaintext_auth = no, USER/PASS work in the clear.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "pop3 tests skipped: they need root # SKIP"; exit 0; }
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/lib/pop3.sh"
. "$TOPDIR/tests/lib/netns.sh"
NS=hatopop$$ SRV=192.0.2.10 CLI=192.0.2.20
trap 'netns_run $NS "$HATO" -c "$I" stop >/dev/null 2>&1; netns_down_all; inst_cleanup' EXIT

U=hlpop6 PW=Pop-pass-6
t_check "a namespace with a server and a client address" netns_up $NS $SRV $CLI
t_check "an instance configured" pop3_configure $U $PW
echo "$SRV:$POP3_PORT inet n - n - - pop3d" >>"$I/master.cf"
t_check "hato starts in the namespace" netns_run $NS "$HATO" -c "$I" start
inst_wait bash -c "ip netns exec $NS ss -Hltn 'sport = :$POP3_PORT' | grep -q '$SRV'"

cat >"$T/client.py" <<'PY'
import socket, ssl, sys
srv, cli, port, user, pw, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
s = socket.create_connection((srv, port), timeout=10, source_address=(cli, 0))
f = s.makefile("rb")
def say(line):
    w.write(line.encode() + b"\r\n"); w.flush()
def multi():
    out = []
    while True:
        l = f.readline().decode().rstrip("\r\n")
        if l == ".": return out
        out.append(l)
w = s.makefile("wb")
f.readline()
if mode == "stls":
    say("STLS"); print("stls", f.readline().decode().strip())
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s, server_hostname="x"); f = s.makefile("rb"); w = s.makefile("wb")
say("CAPA"); f.readline(); caps = multi()
print("USER" if "USER" in caps else "no-USER", [c for c in caps if c.startswith("SASL")][0])
say("USER " + user); print("user", f.readline().decode().strip())
if mode == "plain":
    say("PASS " + pw); print("pass", f.readline().decode().strip())
    sys.exit(0)
say("AUTH PLAIN"); print("auth", f.readline().decode().strip())
if mode == "stls":
    import base64
    say(base64.b64encode(b"\0" + user.encode() + b"\0" + pw.encode()).decode())
    print("login", f.readline().decode().strip())
PY
netns_run $NS python3 "$T/client.py" $SRV $CLI $POP3_PORT $U $PW clear >"$T/clear.out" 2>&1
refused="-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections."
t_check "in the clear from another host: CAPA has no USER" grep -qx "no-USER SASL" "$T/clear.out"
t_check "...USER gets Dovecot's answer" grep -qxF "user $refused" "$T/clear.out"
t_check "...and so does AUTH PLAIN" grep -qxF "auth $refused" "$T/clear.out"
netns_run $NS python3 "$T/client.py" $SRV $CLI $POP3_PORT $U $PW stls >"$T/stls.out" 2>&1
t_check "after STLS: CAPA offers USER and PLAIN" grep -qx "USER SASL PLAIN" "$T/stls.out"
t_check "...and AUTH PLAIN logs in" grep -qx "login +OK Logged in." "$T/stls.out"
inst_set "disable_plaintext_auth = no"
netns_run $NS "$HATO" -c "$I" reload >/dev/null
sleep 1
netns_run $NS python3 "$T/client.py" $SRV $CLI $POP3_PORT $U $PW plain >"$T/plain.out" 2>&1
t_check "disable_plaintext_auth = no: USER/PASS work in the clear" grep -qx "pass +OK Logged in." "$T/plain.out"
