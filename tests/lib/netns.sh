# tests/lib/netns.sh - network namespaces with a fake DNS server, for shell
# tests that need DNS answers they control; source it after tests/lib.sh.
#   netns_up NAME [ADDR...]   create namespace NAME, lo up, ADDRs (IPv4 or
#                             IPv6) on lo, /etc/netns/NAME/resolv.conf with
#                             "nameserver 127.0.0.1", timeout:1 attempts:1
#   netns_dns NAME ZONEFILE [ADDR]  start tests/lib/fakedns.py on ADDR
#                             (127.0.0.1) port 53 in NAME; its queries are
#                             logged to $T/fakedns.NAME.log
#   netns_run NAME CMD...     run CMD in NAME (ip netns exec bind-mounts the
#                             resolv.conf over /etc/resolv.conf)
#   netns_down NAME           stop what runs in NAME, remove it and /etc/netns/NAME
#   netns_down_all            netns_down every namespace this shell created
# Each function returns non-zero with a message on stderr when a step fails.
# Use unique names (hatodns$$) and clean up in the test's trap:
#   trap 'netns_down_all; rm -rf "$T"' EXIT
NETNS_LIST=()
NETNS_MADE_ETC=
NETNS_FAKEDNS=${NETNS_FAKEDNS:-$TOPDIR/tests/lib/fakedns.py}

netns_up() {
	local name=$1 a; shift
	ip netns add "$name" || { echo "netns_up: ip netns add $name failed" >&2; return 1; }
	NETNS_LIST+=("$name")
	ip -n "$name" link set lo up || return 1
	for a in "$@"; do
		case $a in
		*:*) ip -n "$name" -6 addr add "$a/128" dev lo nodad ;;
		*) ip -n "$name" addr add "$a/32" dev lo ;;
		esac || { echo "netns_up: cannot add $a to lo in $name" >&2; return 1; }
	done
	[ -d /etc/netns ] || NETNS_MADE_ETC=yes
	mkdir -p "/etc/netns/$name" || return 1
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"/etc/netns/$name/resolv.conf"
}

netns_dns() {
	local name=$1 zone=$2 addr=${3:-127.0.0.1} pidfile=$T/fakedns.$1.pid
	rm -f "$pidfile"
	ip netns exec "$name" python3 "$NETNS_FAKEDNS" --listen "$addr" --port 53 \
		--pidfile "$pidfile" --log "$T/fakedns.$name.log" "$zone" \
		>>"$T/fakedns.$name.log" 2>&1 </dev/null &
	for _ in $(seq 100); do
		[ -s "$pidfile" ] && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.05
	done
	echo "netns_dns: fakedns did not start in $name: $(tail -3 "$T/fakedns.$name.log" 2>/dev/null)" >&2
	return 1
}

netns_run() {
	local name=$1; shift
	ip netns exec "$name" "$@"
}

netns_down() {
	local name=$1 pid pids i
	[ -f "$T/fakedns.$name.pid" ] && kill "$(cat "$T/fakedns.$name.pid")" 2>/dev/null
	# whatever else the test started inside its own namespace
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(ip netns pids "$name" 2>/dev/null)
		[ -z "$pids" ] && break
		for pid in $pids; do kill "$([ $i -lt 8 ] && echo -TERM || echo -KILL)" "$pid" 2>/dev/null; done
		sleep 0.1
	done
	ip netns del "$name" 2>/dev/null
	rm -rf "/etc/netns/$name"
	[ -n "$NETNS_MADE_ETC" ] && rmdir /etc/netns 2>/dev/null
	for i in "${!NETNS_LIST[@]}"; do
		[ "${NETNS_LIST[$i]}" = "$name" ] && unset "NETNS_LIST[$i]"
	done
	return 0
}

netns_down_all() {
	local name
	for name in "${NETNS_LIST[@]}"; do netns_down "$name"; done
}
