#!/usr/bin/env bash
# postmap/postmap - postmap builds and queries hash: (lmdb) tables: the
# guide's access file, exact -q lookups, folding and -f, -q -, -s, -d, -i,
# duplicates (-r, -w, warning; compared with Debian's Postfix postmap when
# it is installed), a bad source line refusing the build, table sizes that
# grow the map, the mode and owner of the table, and golden files
# (access.map queried with access.in, diffed with access.ref).
source "$HATO_TOP/tests/lib.sh"
PM=$B/bin/postmap
dir=$TOPDIR/tests/postmap
umask 022

# expect_rc NAME RC WANT CMD... - CMD exits RC and prints exactly WANT
expect_rc() {
	local name=$1 rc=$2 want=$3 got got_rc
	shift 3
	got=$("$@" 2>"$T/.err")
	got_rc=$?
	if [ "$got_rc" = "$rc" ] && [ "$got" = "$want" ]; then t_ok "$name"; else
		t_fail "$name" "command: $*" "want exit $rc, output: $want" \
			"got exit $got_rc, output: $got" "stderr: $(head -3 "$T/.err")"
	fi
}

# expect_warn NAME SUBSTR CMD... - CMD exits 0 and stderr contains SUBSTR
expect_warn() {
	local name=$1 want=$2
	shift 2
	if ! "$@" >"$T/.out" 2>"$T/.err"; then
		t_fail "$name" "command failed: $*" "stderr: $(head -3 "$T/.err")"
	elif grep -qF -- "$want" "$T/.err"; then t_ok "$name"; else
		t_fail "$name" "stderr lacks: $want" "stderr: $(head -3 "$T/.err")"
	fi
}

# same_file NAME A B - A and B have the same bytes
same_file() {
	if cmp -s "$2" "$3"; then t_ok "$1"; else t_fail "$1" "$2 and $3 differ"; fi
}

# fmode FILE - octal permission bits; fowner FILE - user:group
fmode() { stat -c %a "$1"; }
fowner() { stat -c %U:%G "$1"; }

if [ ! -x "$PM" ]; then
	t_fail "postmap built" "$PM missing"
	exit 1
fi

# --- the guide's access file ------------------------------------------------
cp "$EXAMPLES/access" "$T/access" && chmod 0644 "$T/access"
t_check "access: postmap hash:FILE builds FILE.lmdb" "$PM" "hash:$T/access"
t_check "access: FILE.lmdb exists" test -s "$T/access.lmdb"
expect_rc "access: -q 1.2.3.4 prints OK, exit 0" 0 OK "$PM" -q 1.2.3.4 "hash:$T/access"
expect_rc "access: -q 1.2.3.5 prints nothing, exit 1 (no prefix walk)" 1 "" \
	"$PM" -q 1.2.3.5 "hash:$T/access"
expect_rc "access: -q 1.2.3 prints REJECT" 0 REJECT "$PM" -q 1.2.3 "hash:$T/access"
expect_rc "access: the type defaults to hash" 0 OK "$PM" -q 1.2.3.4 "$T/access"
expect_rc "access: -q on a missing table exits 2" 2 "" "$PM" -q 1.2.3.4 "hash:$T/nothere"
t_expect_err "access: a missing table is named" "$T/nothere.lmdb" "$PM" -q 1.2.3.4 "hash:$T/nothere"
t_expect_err "access: a table type postmap does not build is refused" \
	"is not built by postmap" "$PM" "cidr:$T/access"

# golden: access.map queried with every key of access.in, diffed with access.ref
cp "$dir/access.map" "$T/golden" && "$PM" "hash:$T/golden" 2>"$T/golden.err"
"$PM" -q - "hash:$T/golden" <"$dir/access.in" >"$T/golden.out" 2>>"$T/golden.err"
if ! diff -u "$dir/access.ref" "$T/golden.out" >"$T/golden.diff"; then
	t_fail "golden: postmap -q - hash:access.map < access.in" "$(head -20 "$T/golden.diff")"
elif [ -s "$T/golden.err" ]; then
	t_fail "golden: postmap -q - hash:access.map < access.in" "stderr: $(head -3 "$T/golden.err")"
else
	t_ok "golden: postmap -q - hash:access.map < access.in"
fi

# --- folding, -q -, -s --------------------------------------------------------
printf 'KEY Value Kept\nzeta z\nAlpha a\n' >"$T/fold"
"$PM" "$T/fold"
expect_rc "fold: KEY is stored folded; -q key finds it" 0 "Value Kept" "$PM" -q key "$T/fold"
expect_rc "fold: -q KEY is folded too" 0 "Value Kept" "$PM" -q KEY "$T/fold"
expect_rc "fold: -s lists folded keys in key order" 0 $'alpha\ta\nkey\tValue Kept\nzeta\tz' \
	"$PM" -s "$T/fold"
"$PM" -f "$T/fold"
expect_rc "fold: -f keeps case: -f -q KEY finds it" 0 "Value Kept" "$PM" -f -q KEY "$T/fold"
expect_rc "fold: -f keeps case: -f -q key does not" 1 "" "$PM" -f -q key "$T/fold"
expect_rc "fold: -f -s lists the keys as written" 0 $'Alpha\ta\nKEY\tValue Kept\nzeta\tz' \
	"$PM" -f -s "$T/fold"
"$PM" "$T/fold"
expect_rc "-q -: key<TAB>value for found keys only, in input order" 0 \
	$'zeta\tz\nKEY\tValue Kept' "$PM" -q - "$T/fold" < <(printf 'zeta\nmissing\nKEY\n')
expect_rc "-q -: nothing found exits 1" 1 "" "$PM" -q - "$T/fold" < <(printf 'x\ny\n')
expect_rc "-q -: CRLF input keys" 0 $'zeta\tz' "$PM" -q - "$T/fold" < <(printf 'zeta\r\n')
expect_rc "-q: first table that has the key wins" 0 a \
	"$PM" -q alpha "$T/fold" "hash:$T/access"
expect_rc "-q: later tables are searched" 0 OK "$PM" -q 1.2.3.4 "$T/fold" "hash:$T/access"

# --- -d and -i ---------------------------------------------------------------
printf 'a 1\nb 2\nc 3\n' >"$T/edit"
"$PM" "$T/edit"
expect_rc "-d: deleting a key exits 0" 0 "" "$PM" -d B "$T/edit"
expect_rc "-d: the key is gone" 1 "" "$PM" -q b "$T/edit"
expect_rc "-d: the others stay" 0 $'a\t1\nc\t3' "$PM" -s "$T/edit"
ino=$(stat -c %i "$T/edit.lmdb")
expect_rc "-d: a missing key exits 1" 1 "" "$PM" -d nothere "$T/edit"
if [ "$(stat -c %i "$T/edit.lmdb")" = "$ino" ]; then t_ok "-d: a missing key leaves the table file alone"
else t_fail "-d: a missing key leaves the table file alone" "inode changed"; fi
expect_rc "-d: a missing table exits 2" 2 "" "$PM" -d a "$T/nosuch"
t_expect_err "-d: a missing table is named" "$T/nosuch.lmdb: No such file" "$PM" -d a "$T/nosuch"
if ls "$T" | grep -q nosuch; then t_fail "-d: a missing table is not created" "$(ls "$T")"
else t_ok "-d: a missing table is not created"; fi
expect_rc "-d -: keys from stdin, one found is enough" 0 "" \
	"$PM" -d - "$T/edit" < <(printf 'a\nnothere\n')
expect_rc "-d -: deleted" 0 $'c\t3' "$PM" -s "$T/edit"
expect_rc "-i: adds entries from stdin" 0 "" "$PM" -i "$T/edit" < <(printf 'D 4\ne five  5\n')
expect_rc "-i: keeps the old ones; new keys folded" 0 $'c\t3\nd\t4\ne\tfive  5' "$PM" -s "$T/edit"
t_expect_err "-i: a bad line on stdin refuses the update" "-, line 2: expected format" \
	"$PM" -i "$T/edit" < <(printf 'f 6\nnovalue\n')
expect_rc "-i: ... and nothing was added" 1 "" "$PM" -q f "$T/edit"
expect_warn "-i: an existing key warns (exit 0) and keeps its value" "edit.lmdb: duplicate entry" \
	"$PM" -i "$T/edit" < <(printf 'c 33\n')
expect_rc "-i: ... c is still 3" 0 3 "$PM" -q c "$T/edit"
expect_rc "-i -r: replaces" 0 33 sh -c "printf 'c 33\n' | '$PM' -r -i '$T/edit' && '$PM' -q c '$T/edit'"

# --- duplicates ----------------------------------------------------------------
printf 'a first\nA second\nb x\na third\n' >"$T/dup"
expect_warn "dups: default warns FILE.lmdb: duplicate entry, exit 0" "$T/dup.lmdb: duplicate entry" \
	"$PM" "$T/dup"
expect_rc "dups: default keeps the first value" 0 first "$PM" -q a "$T/dup"
"$PM" -r "$T/dup" 2>"$T/dup.err"
expect_rc "dups: -r keeps the last value" 0 third "$PM" -q a "$T/dup"
if [ -s "$T/dup.err" ]; then t_fail "dups: -r is quiet" "$(head -2 "$T/dup.err")"; else t_ok "dups: -r is quiet"; fi
"$PM" -w "$T/dup" 2>"$T/dup.err"
expect_rc "dups: -w keeps the first value" 0 first "$PM" -q a "$T/dup"
if [ -s "$T/dup.err" ]; then t_fail "dups: -w is quiet" "$(head -2 "$T/dup.err")"; else t_ok "dups: -w is quiet"; fi
if [ -x /usr/sbin/postmap ]; then
	mkdir "$T/pf" && echo "default_database_type = hash" >"$T/pf/main.cf"
	cp "$T/dup" "$T/pfdup"
	for opt in "" -r -w; do
		/usr/sbin/postmap -c "$T/pf" $opt "$T/pfdup" 2>/dev/null
		"$PM" $opt "$T/dup" 2>/dev/null
		want=$(/usr/sbin/postmap -c "$T/pf" -s "$T/pfdup" | sort)
		expect_rc "dups: postmap ${opt:-(default)} gives what Postfix's postmap gives" 0 "$want" \
			sh -c "'$PM' -s '$T/dup' | sort"
	done
else
	t_ok "dups: compare with Postfix's postmap # SKIP /usr/sbin/postmap not installed"
fi

# --- sizes ---------------------------------------------------------------------------
# 7920 entries with 100-byte values fill LMDB's first 1 MiB map exactly at
# the final commit (it once failed with MDB_MAP_FULL); 60000 grow it 8 times
v100=$(printf '%0100d' 1)
awk -v v="$v100" 'BEGIN { for (i = 0; i < 7920; i++) printf "key%08d %s\n", i, v }' >"$T/edge"
t_check "size: a table that fills the map at the final commit is built" "$PM" "$T/edge"
expect_rc "size: ... and has its last entry" 0 "$v100" "$PM" -q key00007919 "$T/edge"
awk 'BEGIN { for (i = 0; i < 60000; i++) printf "k%06d value %d\n", i, i }' >"$T/large"
t_check "size: 60000 entries are built" "$PM" "$T/large"
expect_rc "size: -s lists all 60000" 0 60000 sh -c "'$PM' -s '$T/large' | wc -l"

# --- a bad source line ---------------------------------------------------------
printf 'good 1\nother 2\n' >"$T/bad"
"$PM" "$T/bad"
cp "$T/bad.lmdb" "$T/bad.before"
ino=$(stat -c %i "$T/bad.lmdb")
printf 'good 1\n# comment\n\nnovalue\nnew 3\n' >"$T/bad"
t_expect_err "bad line: FILE, line N: expected format: key whitespace value" \
	"$T/bad, line 4: expected format: key whitespace value" "$PM" "$T/bad"
t_check_fail "bad line: exit non-zero" "$PM" "$T/bad"
same_file "bad line: the old FILE.lmdb has the same content" "$T/bad.before" "$T/bad.lmdb"
if [ "$(stat -c %i "$T/bad.lmdb")" = "$ino" ]; then t_ok "bad line: the old FILE.lmdb is the same inode"
else t_fail "bad line: the old FILE.lmdb is the same inode" "inode changed"; fi
expect_rc "bad line: the old table still answers" 0 2 "$PM" -q other "$T/bad"
left=$(ls "$T" | grep -c '\.lmdb\.tmp\.' || true)
if [ "$left" = 0 ]; then t_ok "bad line: no NAME.lmdb.tmp.* left"; else t_fail "bad line: no NAME.lmdb.tmp.* left" "$(ls "$T")"; fi
long=$(printf '%0600d' 7)
printf 'good 1\n%s toolong\n' "$long" >"$T/bad"
t_expect_err "bad line: a key over 511 bytes: FILE, line N, refused" \
	"$T/bad, line 2: cannot store" "$PM" "$T/bad"
same_file "bad line: ... the old FILE.lmdb has the same content" "$T/bad.before" "$T/bad.lmdb"
expect_rc "bad line: -q of a key over 511 bytes: not found" 1 "" "$PM" -q "$long" "$T/bad"
t_expect_err "bad line: a missing source is an error naming it" "$T/nosource" "$PM" "$T/nosource"

# --- mode and owner --------------------------------------------------------------
printf 'k v\n' >"$T/mode"
chmod 0640 "$T/mode"
"$PM" "$T/mode"
t_expect "mode: a 0640 source gives a 0640 table" 640 fmode "$T/mode.lmdb"
chmod 0600 "$T/mode"
"$PM" "$T/mode"
t_expect "mode: a 0600 source gives a 0600 table" 600 fmode "$T/mode.lmdb"
"$PM" -p "$T/mode"
t_expect "mode: -p gives 0644" 644 fmode "$T/mode.lmdb"
expect_rc "mode: -p gives 0644 under umask 077 too" 0 644 \
	sh -c "umask 077 && '$PM' -p '$T/mode' && stat -c %a '$T/mode.lmdb'"
expect_rc "mode: -i -p gives 0644" 0 644 \
	sh -c "umask 077 && printf 'x y\n' | '$PM' -p -i '$T/mode' && stat -c %a '$T/mode.lmdb'"
chmod 0640 "$T/mode"
"$PM" "$T/mode"
expect_rc "mode: -i keeps the table's mode" 0 640 sh -c "printf 'x y\n' | '$PM' -i '$T/mode' && stat -c %a '$T/mode.lmdb'"
expect_rc "mode: -d keeps the table's mode" 0 640 sh -c "'$PM' -d x '$T/mode' && stat -c %a '$T/mode.lmdb'"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	ng=$(id -gn nobody)
	chown nobody:"$ng" "$T/mode"
	"$PM" "$T/mode"
	t_expect "owner: as root the table's owner follows the source" "nobody:$ng" fowner "$T/mode.lmdb"
	"$PM" -o "$T/mode"
	t_expect "owner: -o keeps root as the owner" "root:$(id -gn root)" fowner "$T/mode.lmdb"
	"$PM" "$T/mode"
	expect_rc "owner: -i keeps the table's owner" 0 "nobody:$ng" \
		sh -c "printf 'x y\n' | '$PM' -i '$T/mode' && stat -c %U:%G '$T/mode.lmdb'"
else
	t_ok "owner: follows the source as root # SKIP not root or no user nobody"
fi
