#!/usr/bin/env bash
# smtp/mx.sh - next-hop resolution, in a network namespace whose resolver
# is tests/lib/fakedns.py and whose 127.0.0.0/8 is private to the test:
# two MX hosts where the first refuses connections (delivered via the
# second), a 4xx greeting (next MX), no MX (A fallback), NXDOMAIN
# (bounced 5.4.4), a null MX (5.1.10), an MX host without address, a DNS
# failure (deferred 4.4.3), smtp_mx_address_limit, "domain:port",
# "[host]" without an MX lookup, smtp_host_lookup = native (/etc/hosts),
# an IPv6 MX, and smtp_fallback_relay.  The whole instance runs inside the namespace.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_fail "smtp MX tests need root for ip netns" "uid $(id -u)"; exit 1; }
. "$TOPDIR/tests/lib/netns.sh"
. "$TOPDIR/tests/lib/instance.sh"
. "$TOPDIR/tests/smtp/common.sh"
NS=hatosmtp$$
trap 'sinks_cleanup; inst_cleanup; netns_down_all' EXIT
trap 'exit 1' INT TERM

need() {
	local name=$1; shift
	if "$@" 2>"$T/.err"; then t_ok "$name"; else t_fail "$name" "$*: $(head -3 "$T/.err")"; exit 1; fi
}

cat >"$T/zone" <<'ZONE'
two.test          MX 10 mx1.two.test
two.test          MX 20 mx2.two.test
mx1.two.test      A  127.0.0.2
mx2.two.test      A  127.0.0.3
amx.test          A  127.0.0.3
busy.test         MX 10 mx.busy.test
busy.test         MX 20 mx2.two.test
mx.busy.test      A  127.0.0.4
nullmx.test       MX 0 .
nohost.test       MX 10 missing.nohost.test
fail.test         SERVFAIL
v6.test           MX 10 mx.v6.test
mx.v6.test        AAAA ::1
ZONE

# an address that is not loopback: getaddrinfo(AI_ADDRCONFIG) wants one
need "namespace with fakedns" netns_up "$NS" 192.0.2.1 2001:db8::1
need "...fakedns runs" netns_dns "$NS" "$T/zone"
printf '127.0.0.3 nativehost.test\n' >"/etc/netns/$NS/hosts"
smtp_instance \
	"native    unix  -       -       n       -       -       smtp -o smtp_host_lookup=native" \
	"limit1    unix  -       -       n       -       -       smtp -o smtp_mx_address_limit=1" \
	"dual      unix  -       -       n       -       -       smtp -o inet_protocols=all" \
	"fallback  unix  -       -       n       -       -       smtp -o smtp_fallback_relay=[127.0.0.3]:2525"
inst_set "smtp_connection_cache_on_demand = no"
need "instance starts inside the namespace" netns_run "$NS" "$HATO" -c "$I" start
need "...smtpd listens" wait_for bash -c "ip netns exec $NS ss -Hltn 'sport = :$SMTP_PORT' | grep -q ."
SWAKS_PREFIX="ip netns exec $NS" SINK_PREFIX="ip netns exec $NS"
export SWAKS_PREFIX SINK_PREFIX
need "sink on 127.0.0.3:25 (mx2)" sink_start mx2 25 --listen 127.0.0.3 --name mx2.two.test
need "sink on 127.0.0.3:2525" sink_start alt 2525 --listen 127.0.0.3
need "sink on 127.0.0.4:25 greeting 421" sink_start busy 25 --listen 127.0.0.4 --greeting "421 4.3.2 too busy"
need "sink on [::1]:25" sink_start six 25 --listen ::1 --name mx.v6.test
out() { printf '%s\n' "$1" | jfield "${3:-1}" "$2"; }
id=$(queue_msg --from sender@example.org --to user@example.test --header "Subject: mx")
t_check "a message is queued" test -n "$id"

r=$(deliver smtp two.test "$id" a@two.test)
t_expect "two MX hosts, the first refuses connections: sent via the second" \
	"sent mx2.two.test[127.0.0.3]:25" echo "$(out "$r" status) $(out "$r" relay)"
t_check "...the refused connection to the first is logged" \
	grep -q "$id: connect to mx1.two.test\[127.0.0.2\]:25: Connection refused" "$I/maillog"
t_check "...the MX was looked up" grep -q "two.test MX" "$T/fakedns.$NS.log"

r=$(deliver smtp busy.test "$id" a@busy.test)
t_expect "a 421 greeting from the first MX: sent via the next" \
	"sent mx2.two.test[127.0.0.3]:25" echo "$(out "$r" status) $(out "$r" relay)"
t_check "...the sink at 127.0.0.4 saw the connection" grep -q CONNECT "$T/busy.log"

r=$(deliver smtp amx.test "$id" a@amx.test)
t_expect "no MX: the domain's A record" "sent amx.test[127.0.0.3]:25" echo "$(out "$r" status) $(out "$r" relay)"

r=$(deliver smtp nx.test "$id" a@nx.test)
t_expect "NXDOMAIN: bounced 5.4.4" "bounced 5.4.4" echo "$(out "$r" status) $(out "$r" dsn)"
t_expect "...Host or domain name not found" \
	"Host or domain name not found. Name service error for name=nx.test type=A: Host not found" out "$r" text
t_check "...logged relay=none, status=bounced" \
	grep -q "$id: to=<a@nx.test>, relay=none, .*dsn=5.4.4, status=bounced (Host or domain name not found" "$I/maillog"

r=$(deliver smtp nullmx.test "$id" a@nullmx.test)
t_expect "null MX: bounced 5.1.10" "bounced 5.1.10 Domain nullmx.test does not accept mail (nullMX)" \
	echo "$(out "$r" status) $(out "$r" dsn) $(out "$r" text)"

r=$(deliver smtp nohost.test "$id" a@nohost.test)
t_expect "the only MX host has no address: bounced 5.4.4" "bounced 5.4.4" echo "$(out "$r" status) $(out "$r" dsn)"
t_check "...naming the MX host" grep -q "name=missing.nohost.test type=A" <<<"$(out "$r" text)"

r=$(deliver smtp fail.test "$id" a@fail.test)
t_expect "DNS failure (SERVFAIL): deferred 4.4.3" "deferred 4.4.3" echo "$(out "$r" status) $(out "$r" dsn)"
t_check "...try again" grep -q "Host not found, try again" <<<"$(out "$r" text)"

r=$(deliver limit1 two.test "$id" a@two.test)
t_expect "smtp_mx_address_limit = 1: only the first MX, deferred 4.4.1" "deferred 4.4.1" \
	echo "$(out "$r" status) $(out "$r" dsn)"
t_expect "...with its connection error" "connect to mx1.two.test[127.0.0.2]:25: Connection refused" out "$r" text

r=$(deliver smtp two.test:2525 "$id" a@two.test)
t_expect "domain:port: MX lookup, then that port" "sent mx2.two.test[127.0.0.3]:2525" \
	echo "$(out "$r" status) $(out "$r" relay)"

: >"$T/fakedns.$NS.log"
r=$(deliver smtp "[mx2.two.test]" "$id" a@two.test)
t_expect "[host]: its address, port 25" "sent mx2.two.test[127.0.0.3]:25" echo "$(out "$r" status) $(out "$r" relay)"
t_check "...and no MX lookup" bash -c "! grep -q 'mx2.two.test MX' '$T/fakedns.$NS.log'"

r=$(deliver smtp "[nativehost.test]" "$id" a@x.test)
t_expect "a name only /etc/hosts knows, smtp_host_lookup = dns: bounced 5.4.4" "bounced 5.4.4" \
	echo "$(out "$r" status) $(out "$r" dsn)"
r=$(deliver native "[nativehost.test]" "$id" a@x.test)
t_expect "...smtp_host_lookup = native: sent through getaddrinfo" "sent nativehost.test[127.0.0.3]:25" \
	echo "$(out "$r" status) $(out "$r" relay)"

r=$(deliver smtp v6.test "$id" a@v6.test)
t_expect "inet_protocols = ipv4: an IPv6-only MX is not tried" "bounced" out "$r" status
r=$(deliver dual v6.test "$id" a@v6.test)
t_expect "inet_protocols = all: sent over IPv6" "sent mx.v6.test[::1]:25" echo "$(out "$r" status) $(out "$r" relay)"
r=$(deliver smtp "[ipv6:::1]:25" "$id" a@v6.test)
t_expect "[ipv6:::1] with inet_protocols = ipv4: not tried" "bounced" out "$r" status
r=$(deliver dual "[ipv6:::1]:25" "$id" a@v6.test)
t_expect "[ipv6:::1] with inet_protocols = all: sent" "sent ::1[::1]:25" echo "$(out "$r" status) $(out "$r" relay)"
r=$(deliver fallback two.test "$id" a@two.test)
t_expect "smtp_fallback_relay: the MX hosts come first" "sent mx2.two.test[127.0.0.3]:25" \
	echo "$(out "$r" status) $(out "$r" relay)"
r=$(deliver fallback "[127.0.0.2]" "$id" a@two.test)
t_expect "...an unreachable next hop: sent via the fallback relay" "sent 127.0.0.3[127.0.0.3]:2525" \
	echo "$(out "$r" status) $(out "$r" relay)"
r=$(deliver fallback fail.test "$id" a@fail.test)
t_expect "...a DNS failure: sent via the fallback relay" "sent 127.0.0.3[127.0.0.3]:2525" \
	echo "$(out "$r" status) $(out "$r" relay)"
r=$(deliver fallback nx.test "$id" a@nx.test)
t_expect "...a domain that does not exist still bounces" "bounced 5.4.4" echo "$(out "$r" status) $(out "$r" dsn)"
t_check "no smtp process crashed" smtp_no_crash
