#!/usr/bin/env bash
# postmap/atomic - a table is replaced whole: readers querying while a
# 20000-entry table is rebuilt over and over never fail and never see a
# wrong value, and no NAME.lmdb.tmp.* is left; a build killed with SIGKILL
# mid-way leaves the old table as it was; a symlink planted at the build's
# temporary name is removed, not followed.
source "$HATO_TOP/tests/lib.sh"
PM=$B/bin/postmap
umask 022
QUERIES=400

if [ ! -x "$PM" ]; then
	t_fail "postmap built" "$PM missing"
	exit 1
fi

# --- readers during rebuilds -----------------------------------------------
awk 'BEGIN { print "stable same value"; print "gen one"
	for (i = 0; i < 19998; i++) printf "k%05d v1-%d\n", i, i }' >"$T/v1"
awk 'BEGIN { for (i = 19997; i >= 0; i--) printf "k%05d v2-%d padding padding\n", i, i
	print "gen two"; print "stable same value" }' >"$T/v2"
cp "$T/v1" "$T/tbl"
"$PM" "$T/tbl"

# the writer alternates the two versions until told to stop
(
	n=0
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		cp "$T/v$((n % 2 + 1))" "$T/tbl.src" && mv "$T/tbl.src" "$T/tbl"
		"$PM" "$T/tbl" 2>>"$T/writer.err" || echo "build $n failed" >>"$T/writer.err"
		echo "$n" >"$T/builds"
	done
) &
writer=$!

bad=0 ones=0 twos=0 first_build=""
sleep 0.2
first_build=$(cat "$T/builds" 2>/dev/null)
for ((q = 0; q < QUERIES; q++)); do
	if ((q % 2 == 0)); then
		out=$("$PM" -q stable "$T/tbl" 2>&1)
		rc=$?
		[ $rc = 0 ] && [ "$out" = "same value" ] && continue
	else
		out=$(printf 'stable\ngen\n' | "$PM" -q - "$T/tbl" 2>&1)
		rc=$?
		case $rc:$out in
		0:$'stable\tsame value\ngen\tone') ones=$((ones + 1)); continue ;;
		0:$'stable\tsame value\ngen\ttwo') twos=$((twos + 1)); continue ;;
		esac
	fi
	bad=$((bad + 1))
	[ $bad -le 3 ] && printf 'query %d: exit %d: %s\n' "$q" "$rc" "$out" >>"$T/reader.err"
done
last_build=$(cat "$T/builds" 2>/dev/null)
touch "$T/stop"
wait $writer
builds=$(( ${last_build:-0} - ${first_build:-0} ))

echo "# $QUERIES queries during $builds rebuilds; gen one $ones, gen two $twos"
if [ $bad = 0 ]; then t_ok "atomic: $QUERIES queries during rebuilds: none failed or wrong"
else
	readarray -t lines <"$T/reader.err"
	t_fail "atomic: $QUERIES queries during rebuilds: none failed or wrong" "$bad bad answers" "${lines[@]}"
fi
if [ "$builds" -ge 5 ]; then t_ok "atomic: the table was rebuilt at least 5 times meanwhile"
else t_fail "atomic: the table was rebuilt at least 5 times meanwhile" "only $builds"; fi
if [ $ones -gt 0 ] && [ $twos -gt 0 ]; then t_ok "atomic: readers saw both versions"
else t_fail "atomic: readers saw both versions" "gen one: $ones, gen two: $twos"; fi
if [ -s "$T/writer.err" ]; then t_fail "atomic: every rebuild succeeded" "$(head -3 "$T/writer.err")"
else t_ok "atomic: every rebuild succeeded"; fi
left=$(find "$T" -name 'tbl.lmdb.tmp.*' | head -3)
if [ -z "$left" ]; then t_ok "atomic: no NAME.lmdb.tmp.* left behind"
else t_fail "atomic: no NAME.lmdb.tmp.* left behind" "$left"; fi

# --- SIGKILL mid-way ---------------------------------------------------------------
printf 'key0000001 old value\nonly.old here\n' >"$T/big"
"$PM" "$T/big"
cp "$T/big.lmdb" "$T/big.before"
ino=$(stat -c %i "$T/big.lmdb")
pad=$(printf '%0250d' 0)
awk -v pad="$pad" 'BEGIN { for (i = 0; i < 199000; i++) printf "key%07d new %s\n", i, pad }' >"$T/big"

caught=""
for try in 1 2 3; do
	"$PM" "$T/big" 2>"$T/kill.err" &
	pid=$!
	tmp=$T/big.lmdb.tmp.$pid
	# kill once the temporary table holds a few MB of the new entries
	while kill -0 $pid 2>/dev/null; do
		size=$(stat -c %s "$tmp" 2>/dev/null || echo 0)
		if [ "$size" -gt 4000000 ]; then
			kill -KILL $pid
			caught=$size
			break
		fi
	done
	{ wait $pid; } 2>/dev/null
	rc=$?
	[ -n "$caught" ] && break
	"$PM" -q only.old "$T/big" >/dev/null 2>&1 || break	# it finished: start over
	cp "$T/big.before" "$T/big.lmdb.new" && mv "$T/big.lmdb.new" "$T/big.lmdb"
	ino=$(stat -c %i "$T/big.lmdb")
done
if [ -n "$caught" ] && [ "$rc" = 137 ]; then
	echo "# killed with the temporary table at $caught bytes"
	t_ok "kill: the build was killed mid-way"
else
	t_fail "kill: the build was killed mid-way" "exit $rc; it finished before it was killed"
fi
if cmp -s "$T/big.before" "$T/big.lmdb" && [ "$(stat -c %i "$T/big.lmdb")" = "$ino" ]; then
	t_ok "kill: the old table is intact (same bytes, same inode)"
else
	t_fail "kill: the old table is intact (same bytes, same inode)" "big.lmdb changed"
fi
t_expect "kill: the old table still answers" "old value" "$PM" -q key0000001 "$T/big"
t_expect "kill: ... and has none of the new entries" "" "$PM" -q key0100000 "$T/big"
rm -f "$T"/big.lmdb.tmp.*	# a killed build cannot remove its own
t_check "kill: the next build takes the directory lock and succeeds" "$PM" "$T/big"
t_expect "kill: ... and installs the new table" "new $pad" "$PM" -q key0198999 "$T/big"

# --- a symlink at the temporary name ---------------------------------------------
printf 'precious\n' >"$T/victim"
printf 'a b\n' >"$T/sym"
( ln -s "$T/victim" "$T/sym.lmdb.tmp.$BASHPID" && exec "$PM" "$T/sym" ) 2>"$T/sym.err"
t_expect "symlink: the file it pointed to is untouched" precious cat "$T/victim"
t_expect "symlink: the table was built" b "$PM" -q a "$T/sym"
if [ -L "$T/sym.lmdb" ]; then t_fail "symlink: the table is a regular file" "it is a symlink"
else t_ok "symlink: the table is a regular file"; fi
