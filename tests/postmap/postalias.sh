#!/usr/bin/env bash
# postmap/postalias - postalias ("name: value", quoted names, -q, -s as
# "name:<TAB>value", bad lines), newaliases -c DIR building every table of
# alias_database, and the tables postmap -q reads without building:
# texthash:FILE, inline:{...} and static:.
source "$HATO_TOP/tests/lib.sh"
PM=$B/bin/postmap PA=$B/bin/postalias NA=$B/bin/newaliases
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

for p in "$PM" "$PA" "$NA"; do
	if [ ! -x "$p" ]; then
		t_fail "postmap, postalias and newaliases built" "$p missing"
		exit 1
	fi
done

# --- postalias -----------------------------------------------------------------
cat >"$T/aliases" <<'ALIASES'
# comment
postmaster: root
MAILER-DAEMON:	postmaster
"with space": joe
"q\"x": bob
"a:b": colon
list: ann,
	bob,  carl
tight:x
ALIASES
t_check "postalias: builds FILE.lmdb" "$PA" "$T/aliases"
expect_rc "postalias: -q name" 0 root "$PA" -q postmaster "$T/aliases"
expect_rc "postalias: names are folded" 0 postmaster "$PA" -q Mailer-Daemon "$T/aliases"
expect_rc "postalias: quoted name with a space" 0 joe "$PA" -q "with space" "$T/aliases"
expect_rc "postalias: quoted name with an escaped quote" 0 bob "$PA" -q 'q"x' "$T/aliases"
expect_rc "postalias: quoted name with a colon" 0 colon "$PA" -q a:b "$T/aliases"
expect_rc "postalias: continued value" 0 $'ann,\tbob,  carl' "$PA" -q list "$T/aliases"
expect_rc "postalias: no blank after the colon" 0 x "$PA" -q tight "$T/aliases"
expect_rc "postalias: a missing name exits 1" 1 "" "$PA" -q nobody "$T/aliases"
expect_rc "postalias: -s prints name:<TAB>value in key order" 0 \
	"$(printf '%s:\t%s\n' 'a:b' colon list $'ann,\tbob,  carl' mailer-daemon postmaster \
		postmaster root 'q"x' bob tight x 'with space' joe)" "$PA" -s "$T/aliases"
expect_rc "postalias: -q - prints name:<TAB>value" 0 $'postmaster:\troot\nwith space:\tjoe' \
	"$PA" -q - "$T/aliases" < <(printf 'postmaster\nnone\nwith space\n')
expect_rc "postalias: postmap -q reads the same table" 0 root "$PM" -q postmaster "$T/aliases"

cp "$T/aliases.lmdb" "$T/aliases.before"
printf 'ok: a\nno colon here\n: empty\nroot:\n' >"$T/aliases"
"$PA" "$T/aliases" 2>"$T/pa.err"
rc=$?
for want in "$T/aliases, line 2: need name:value pair" \
	"$T/aliases, line 3: missing name before \":\"" \
	"$T/aliases, line 4: missing value after \":\""; do
	if grep -qF -- "$want" "$T/pa.err"; then t_ok "postalias: bad line: $want"; else
		t_fail "postalias: bad line: $want" "stderr: $(head -4 "$T/pa.err")"; fi
done
if [ $rc != 0 ] && cmp -s "$T/aliases.before" "$T/aliases.lmdb"; then
	t_ok "postalias: bad lines: exit non-zero, the old table stays"
else
	t_fail "postalias: bad lines: exit non-zero, the old table stays" "exit $rc"
fi
if [ -x /usr/sbin/postalias ]; then
	mkdir "$T/pf" && echo "default_database_type = hash" >"$T/pf/main.cf"
	printf 'postmaster: root\n"With Space": joe\n"q\\"x": bob\nMixed: a\n' >"$T/pfa"
	cp "$T/pfa" "$T/hta"
	/usr/sbin/postalias -c "$T/pf" "$T/pfa" && "$PA" "$T/hta"
	want=$(/usr/sbin/postalias -c "$T/pf" -s "$T/pfa" | grep -v '^@:\|^YP_' | sort)
	expect_rc "postalias: the same entries as Postfix's postalias" 0 "$want" \
		sh -c "'$PA' -s '$T/hta' | sort"
else
	t_ok "postalias: compare with Postfix's postalias # SKIP /usr/sbin/postalias not installed"
fi

# --- newaliases ----------------------------------------------------------------------
mkdir "$T/cf"
printf 'postmaster: root\n' >"$T/aliases"
printf 'Extra: "with space"\n' >"$T/aliases2"
rm -f "$T"/aliases.lmdb
printf 'alias_database = hash:%s, hash:%s\n' "$T/aliases" "$T/aliases2" >"$T/cf/main.cf"
t_check "newaliases -c DIR: exit 0" "$NA" -c "$T/cf"
expect_rc "newaliases: built the first alias_database table" 0 root \
	"$PA" -q postmaster "hash:$T/aliases"
expect_rc "newaliases: ... and the second" 0 '"with space"' "$PA" -q extra "hash:$T/aliases2"
printf 'postmaster: root\nbroken\n' >"$T/aliases2"
t_expect_err "newaliases: a bad line is named and fails the run" "$T/aliases2, line 2:" \
	"$NA" -c "$T/cf"
t_expect_err "newaliases: takes no table arguments" "usage:" "$NA" -c "$T/cf" "$T/aliases"

# --- tables read without building -------------------------------------------------------
printf 'Key Value One\n# c\nother\tv2\n' >"$T/th"
expect_rc "texthash: -q without building" 0 "Value One" "$PM" -q key "texthash:$T/th"
expect_rc "texthash: -f keeps case" 1 "" "$PM" -f -q key "texthash:$T/th"
expect_rc "texthash: -s lists in file order" 0 $'key\tValue One\nother\tv2' "$PM" -s "texthash:$T/th"
if [ -e "$T/th.lmdb" ]; then t_fail "texthash: no FILE.lmdb made" "$T/th.lmdb exists"
else t_ok "texthash: no FILE.lmdb made"; fi
printf 'a b\nbad\nc d\n' >"$T/thbad"
expect_rc "texthash: a bad line: the rest answers, exit 2" 2 d "$PM" -q c "texthash:$T/thbad"
t_expect_err "texthash: a bad line names file and line" "$T/thbad, line 2: expected format" \
	"$PM" -q c "texthash:$T/thbad"
t_expect_err "texthash: postmap refuses to build it" "is not built by postmap" "$PM" "texthash:$T/th"
expect_rc "inline: -q" 0 b "$PM" -q a 'inline:{a=b, c=d}'
expect_rc "inline: keys are folded" 0 d "$PM" -q C 'inline:{a=b, c=d}'
expect_rc "inline: a missing key exits 1" 1 "" "$PM" -q x 'inline:{a=b, c=d}'
expect_rc "static: any key gives the value" 0 x "$PM" -q anything static:x
expect_rc "static: with braces and spaces" 0 "two words" "$PM" -q k 'static:{two words}'
expect_rc "-q: an inline table before an lmdb one wins" 0 inline \
	"$PM" -q postmaster 'inline:{postmaster=inline}' "hash:$T/aliases"
