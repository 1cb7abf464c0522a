#!/usr/bin/env bash
# dns.sh - libutil/dns through build/tests/dnsprobe, inside a network
# namespace whose resolver is tests/lib/fakedns.py: MX order (ties
# stable), A/AAAA, CNAME, PTR, TXT, RBL names for IPv4 and IPv6,
# NXDOMAIN/NODATA -> NOTFOUND, SERVFAIL/REFUSED/malformed/no server ->
# TEMPFAIL, a server that never answers (over UDP, or over TCP after a
# truncated reply) -> TEMPFAIL in bounded time, the 100-record cap over
# TCP (IPv4 and IPv6 nameservers), forward-confirmed reverse DNS.
# Needs root for ip netns: without it the script fails, it never skips.
. "$HATO_TOP/tests/lib.sh"
. "$TOPDIR/tests/lib/netns.sh"
PROBE=$B/tests/dnsprobe
NS=hatodns$$ NS2=hatodnsx$$ NS3=hatodns6$$
trap 'netns_down_all; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

if [ ! -x "$PROBE" ]; then
	t_fail "dnsprobe is built" "$PROBE missing: is tests/dnsprobe/module.mk included by the Makefile?"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	t_fail "dns tests need root for ip netns" "running as uid $(id -u)"
	exit 1
fi

cat >"$T/zone" <<'ZONE'
# MX: preferences out of order, a tie (mx2 before mx3 in the reply)
example.org        MX   20 mx2.example.org
example.org        MX   10 mx1.example.org
example.org        MX   20 mx3.example.org
example.org        MX   5  mx0.example.org
mx1.example.org    A    127.0.0.1
mx1.example.org    A    127.0.0.2
www.example.org    CNAME mx1.example.org
v6.example.org     AAAA 2001:db8::1
nullmx.test        MX   0 .
4.3.2.1.zen.test   A    127.0.0.2
4.3.2.1.zen.test   TXT  "listed" "; see https://zen.test/1.2.3.4"
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.test A 127.0.0.4
ctrl.test          TXT  "bad\013\010byte"
# reverse: confirmed, lying, slow forward, IPv6
4.3.2.1.in-addr.arpa PTR host.example.org
host.example.org   A    1.2.3.4
5.3.2.1.in-addr.arpa PTR liar.example.org
liar.example.org   A    1.2.3.99
6.3.2.1.in-addr.arpa PTR slow.test
8.3.2.1.in-addr.arpa PTR under_score.example.org
under_score.example.org A 1.2.3.8
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa PTR v6.example.org
slow.test          TIMEOUT
fail.test          SERVFAIL
refused.test       REFUSED
bad.test           MALFORMED
big.test           TCPHANG
ZONE
for i in $(seq 150); do echo "many.test MX $i host$i.many.test"; done >>"$T/zone"

# need - run a set-up step; without it nothing else can be tested
need() {
	local name=$1; shift
	if "$@" 2>"$T/.err"; then t_ok "$name"; else t_fail "$name" "$*: $(head -3 "$T/.err")"; exit 1; fi
}
need "netns_up creates the namespace with addresses on lo" netns_up "$NS" 1.2.3.4 2001:db8::1
t_check "...1.2.3.4 and 2001:db8::1 are on its lo" \
	bash -c "ip -n $NS addr show dev lo | grep -q 'inet 1.2.3.4/32' && ip -n $NS addr show dev lo | grep -q 'inet6 2001:db8::1/128'"
t_check "...its resolv.conf points at 127.0.0.1" netns_run "$NS" grep -qx 'nameserver 127.0.0.1' /etc/resolv.conf
need "netns_dns starts fakedns in the namespace" netns_dns "$NS" "$T/zone"

p() { netns_run "$NS" "$PROBE" "$@"; }
why() { netns_run "$NS" "$PROBE" "$@" 2>&1 >/dev/null; }
nl=$'\n'
t_expect "MX sorted by preference, ties in reply order" \
	"5 mx0.example.org${nl}10 mx1.example.org${nl}20 mx2.example.org${nl}20 mx3.example.org${nl}OK" p mx example.org
t_expect "MX lookup is case-insensitive, trailing dot allowed" \
	"5 mx0.example.org${nl}10 mx1.example.org${nl}20 mx2.example.org${nl}20 mx3.example.org${nl}OK" p mx EXAMPLE.org.
t_expect "a null MX is returned as '.'" "0 .${nl}OK" p mx nullmx.test
t_expect "A records" "127.0.0.1${nl}127.0.0.2${nl}OK" p a mx1.example.org
t_expect "A through a CNAME" "127.0.0.1${nl}127.0.0.2${nl}OK" p a www.example.org
t_expect "AAAA record" "2001:db8::1${nl}OK" p aaaa v6.example.org
t_expect "PTR for IPv4" "host.example.org${nl}OK" p ptr 1.2.3.4
t_expect "PTR for IPv6 (ip6.arpa nibbles)" "v6.example.org${nl}OK" p ptr 2001:db8::1
t_expect "PTR for IPv4-mapped IPv6 uses in-addr.arpa" "host.example.org${nl}OK" p ptr ::ffff:1.2.3.4
t_expect "TXT strings are joined" "listed; see https://zen.test/1.2.3.4${nl}OK" p txt 4.3.2.1.zen.test
t_expect "TXT control bytes become '?'" "bad??byte${nl}OK" p txt ctrl.test
t_expect "RBL hit for 1.2.3.4 (name, A, TXT)" \
	"4.3.2.1.zen.test${nl}127.0.0.2${nl}txt listed; see https://zen.test/1.2.3.4${nl}OK" p rbl 1.2.3.4 zen.test
t_expect "RBL hit for 2001:db8::1 (nibble name, no TXT)" \
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.test${nl}127.0.0.4${nl}OK" \
	p rbl 2001:db8::1 zen.test
t_expect "RBL miss is NOTFOUND" "5.3.2.1.zen.test${nl}NOTFOUND" p rbl 1.2.3.5 zen.test
t_expect "NXDOMAIN is NOTFOUND" "NOTFOUND" p a nosuch.example.org
t_expect "...and says why" "dnsprobe: nosuch.example.org A: no such domain (NXDOMAIN)" why a nosuch.example.org
t_expect "NODATA (name exists, no MX) is NOTFOUND" "NOTFOUND" p mx mx1.example.org
t_expect "NODATA for an empty non-terminal is NOTFOUND" "NOTFOUND" p a zen.test
t_expect "SERVFAIL is TEMPFAIL" "TEMPFAIL" p a fail.test
t_expect "REFUSED is TEMPFAIL" "TEMPFAIL" p mx refused.test
t_expect "a malformed answer is TEMPFAIL" "TEMPFAIL" p a bad.test
t_expect "...with the reason" "dnsprobe: bad.test A: malformed reply: bad A record" why a bad.test
t_expect "an invalid name is INVALID without a query" "INVALID" p a 'bad..name'
t_expect "a 254-byte name is INVALID" "INVALID" p a "$(printf 'a%.0s' $(seq 250)).org"
t_expect "PTR of a non-address is INVALID" "INVALID" p ptr 1.2.3
t_expect "RBL name over 253 bytes is INVALID" "INVALID" p rbl 2001:db8::1 "$(printf 'x%.0s' $(seq 60)).$(printf 'y%.0s' $(seq 60)).$(printf 'z%.0s' $(seq 60)).$(printf 'w%.0s' $(seq 60))"

n=$(p mx many.test | grep -c many.test)
if [ "$n" = 100 ]; then t_ok "150 MX records (a TCP answer) are capped at 100"
else t_fail "150 MX records (a TCP answer) are capped at 100" "got $n"; fi
t_check "...the query was retried over TCP after a truncated UDP reply" grep -q 'tcp many.test MX' "$T/fakedns.$NS.log"

# timed - run the probe, print its last line and the seconds it took
timed() {
	local t0 t1 out
	t0=$(date +%s.%N)
	out=$(p "$@" 2>/dev/null | tail -1)
	t1=$(date +%s.%N)
	echo "$out $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
}
for spec in "1000 1" "2000 0" "1000 2"; do
	set -- $spec
	bound=$(( ($1 / 1000) * ($2 + 1) + 2 ))
	r=$(timed a slow.test "$1" "$2")
	if [ "${r%% *}" = TEMPFAIL ] && awk -v s="${r#* }" -v b="$bound" 'BEGIN { exit !(s <= b) }'; then
		t_ok "never-answering server: timeout $1 ms, $2 retries -> TEMPFAIL in ${r#* }s (bound ${bound}s)"
	else
		t_fail "never-answering server: timeout $1 ms, $2 retries -> TEMPFAIL within ${bound}s" "got: $r"
	fi
done
r=$(timed a big.test 2000 0)
if [ "${r%% *}" = TEMPFAIL ] && awk -v s="${r#* }" 'BEGIN { exit !(s <= 4) }'; then
	t_ok "a TCP retry that never gets an answer ends too (${r#* }s)"
else t_fail "a TCP retry that never gets an answer ends too, within 4s" "got: $r"; fi
r=$(timed a slow.test 500 0)
if [ "${r%% *}" = TEMPFAIL ] && awk -v s="${r#* }" 'BEGIN { exit !(s <= 3) }'; then
	t_ok "a sub-second timeout rounds up to the resolver's 1 s (${r#* }s)"
else t_fail "a sub-second timeout rounds up to the resolver's 1 s" "got: $r"; fi

t_expect "FCrDNS: PTR name resolves back" "host.example.org${nl}OK" p fcrdns 1.2.3.4
t_expect "FCrDNS: IPv6" "v6.example.org${nl}OK" p fcrdns 2001:db8::1
t_expect "FCrDNS: IPv4-mapped IPv6 counts as IPv4" "host.example.org${nl}OK" p fcrdns ::ffff:1.2.3.4
t_expect "FCrDNS: PTR name with another address is NOTFOUND" "liar.example.org${nl}NOTFOUND" p fcrdns 1.2.3.5
t_expect "FCrDNS: no PTR is NOTFOUND" "NOTFOUND" p fcrdns 1.2.3.7
t_expect "FCrDNS: an invalid PTR name is not confirmed" "under_score.example.org${nl}NOTFOUND" p fcrdns 1.2.3.8
t_expect "FCrDNS: forward lookup times out -> TEMPFAIL" "slow.test${nl}TEMPFAIL" p fcrdns 1.2.3.6 1000 0
t_expect "FCrDNS: a bad address is INVALID" "INVALID" p fcrdns not-an-ip

t_check "a namespace without a DNS server" netns_up "$NS2"
t_expect "...no server -> TEMPFAIL" "TEMPFAIL" bash -c "ip netns exec $NS2 $PROBE a example.org 1000 0 2>$T/nosrv"
t_check "...because the connection was refused" grep -q 'connection refused' "$T/nosrv"

t_check "a namespace whose nameserver is ::1" netns_up "$NS3"
echo "nameserver ::1" >"/etc/netns/$NS3/resolv.conf"
t_check "...fakedns on ::1" netns_dns "$NS3" "$T/zone" ::1
t_expect "...UDP over IPv6" "2001:db8::1${nl}OK" netns_run "$NS3" "$PROBE" aaaa v6.example.org
n=$(netns_run "$NS3" "$PROBE" mx many.test | grep -c many.test)
if [ "$n" = 100 ]; then t_ok "...TCP over IPv6 after a truncated reply"
else t_fail "...TCP over IPv6 after a truncated reply" "got $n records"; fi

netns_down "$NS3"
netns_down "$NS2"
t_check "netns_down removes the namespace" bash -c "! ip netns list | grep -qw $NS2"
t_check "...and /etc/netns/$NS2" test ! -e "/etc/netns/$NS2"
fpid=$(cat "$T/fakedns.$NS.pid")
netns_down "$NS"
t_check "netns_down stops fakedns" bash -c "! kill -0 $fpid 2>/dev/null"
