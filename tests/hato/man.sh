#!/usr/bin/env bash
# hato/man.sh - the manual pages (man/*.N, and build/man/main.cf.5 made from
# global/params.def): groff renders each without a warning (-ww); each
# page's NAME section names its file and .TH its section; a ".so" page
# points at a page that names it; hato(8) describes every command hato's
# usage lists; the .TP tags of each command's OPTIONS section name exactly
# the options of its getopt() call (master(8) also those of the daemon
# skeleton, global/server.c); main.cf(5) describes exactly the parameters
# postconf -d prints, and the parameters the daemon pages name exist;
# every page a page refers to exists.  So a new command, option or
# parameter without its documentation fails here, and so does a page that
# describes one that is gone.
. "$HATO_TOP/tests/lib.sh"

pages=("$TOPDIR"/man/*.[1-8] "$B/man/main.cf.5")
t_check "main.cf(5) was made from params.def" test -s "$B/man/main.cf.5"

# section PAGE NAME - the lines of section NAME (.SH NAME up to the next .SH)
section() {
	awk -v want="$2" '/^\.SH / { s = $0; sub(/^\.SH "?/, "", s); sub(/"$/, "", s); on = s == want; next }
		on' "$1"
}

# so_target PAGE - the page a ".so" page stands for ("man1/postqueue.1"), or nothing
so_target() {
	sed -n '1s/^\.so \(man[1-8]\/[^ ]*\)$/\1/p' "$1"
}

# page_names PAGE - the names its NAME section gives, one a line
page_names() {
	section "$1" NAME | tr '\n' ' ' | sed 's/ \\-.*//; s/\\-/-/g; s/,/ /g' | tr -s ' ' '\n' | sed '/^$/d'
}

# check_page PAGE - what is wrong with the page's name, section and NAME line
check_page() {
	local page=$1 file base sect target th

	file=${page##*/}
	base=${file%.*}
	sect=${file##*.}
	target=$(so_target "$page")
	if [ -n "$target" ]; then
		[ -f "$TOPDIR/man/${target#*/}" ] || { echo "$file: .so $target: no such page in man/"; return; }
		page_names "$TOPDIR/man/${target#*/}" | grep -qxF "$base" ||
			echo "$file: $target's NAME section does not name $base"
		return
	fi
	th=$(sed -n 's/^\.TH \([^ ]*\) \([^ ]*\) .*/\1 \2/p' "$page" | head -1)
	[ "$th" = "${base^^} $sect" ] || echo "$file: .TH says \"$th\", not \"${base^^} $sect\""
	page_names "$page" | grep -qxF "$base" ||
		echo "$file: its NAME section does not name $base: $(page_names "$page" | tr '\n' ' ')"
}

for page in "${pages[@]}"; do
	[ -n "$(so_target "$page")" ] && continue	# rendered through the page it names
	t_expect "${page##*/} renders without a warning" "" \
		bash -c "groff -man -ww -z -Tutf8 '$page' 2>&1"
done
for page in "${pages[@]}"; do
	t_expect "${page##*/}: NAME and .TH match the file name" "" check_page "$page"
done

"$B/bin/hato" >/dev/null 2>"$T/usage" || true
cmds=$(sed -n 's/^  \([a-z-]*\)  .*/\1/p' "$T/usage")
t_check "hato's usage lists its commands" test "$(wc -w <<<"$cmds")" -ge 10
missing=""
for c in $cmds; do
	grep -q "^\.B ${c//-/\\\\-}\( \|$\)" "$TOPDIR/man/hato.8" || missing="$missing $c"
done
t_expect "hato(8) has an entry for every command of hato's usage" "" echo "$missing"

# getopt_letters FILE... - the option letters of the one getopt() call in FILEs
getopt_letters() {
	local s
	s=$(cat "$@" | grep -o 'getopt(argc, argv, "[^"]*")' | sed 's/.*"\(.*\)".*/\1/')
	if [ -z "$s" ] || [ "$(wc -l <<<"$s")" != 1 ]; then
		echo "?"
		return
	fi
	tr -d '+:' <<<"$s" | fold -w1
}

# page_options PAGE SECTION - the letters the section's .TP tags describe
page_options() {
	section "$1" "$2" | awk 'tag { print } { tag = $0 == ".TP" }' |
		grep -o '\\-[A-Za-z#]' | cut -c3 | sort -u
}

# check_options PAGE SECTION FILE... - options of the getopt() call in
# FILEs that no .TP tag of the page's SECTION names, and options those
# tags name that the call does not take
check_options() {
	local page=$1 sect=$2 letters described l missing="" extra=""

	shift 2
	letters=$(getopt_letters "$@")
	[ "$letters" = "?" ] && { echo "not exactly one getopt() call in $*"; return; }
	described=$(page_options "$page" "$sect")
	for l in $letters; do
		grep -qxF -- "$l" <<<"$described" || missing="$missing -$l"
	done
	for l in $described; do
		grep -qxF -- "$l" <<<"$letters" || extra="$extra -$l"
	done
	[ -z "$missing" ] || echo "${page##*/} $sect lacks$missing"
	[ -z "$extra" ] || echo "${page##*/} $sect describes$extra, which $* does not take"
}

for cmd in sendmail postqueue postsuper postcat postconf postmap postdrop; do
	srcs=()
	for f in "$TOPDIR/$cmd"/*.c; do
		[[ $f == *_test.c ]] || srcs+=("$f")
	done
	t_expect "$cmd(1) describes exactly the options $cmd takes" "" \
		check_options "$TOPDIR/man/$cmd.1" OPTIONS "${srcs[@]}"
done
t_expect "master(8) describes exactly the options master takes" "" \
	check_options "$TOPDIR/man/master.8" OPTIONS "$TOPDIR/master/main.c"
t_expect "master(8) describes exactly the options every daemon takes" "" \
	check_options "$TOPDIR/man/master.8" "DAEMON ARGUMENTS" "$TOPDIR/global/server.c"

# refs PAGE - the pages it refers to as ".BR name (N)", as name.N
refs() {
	grep -oE '^\.B[RI]? [A-Za-z0-9._\\-]+ \([1-8]\)' "$1" | sed 's/^\.B[RI]* //; s/\\-/-/g; s/ (\(.\))/.\1/'
}

# Postfix's and the system's pages the pages refer to
external="aliases.5 master.5 postconf.5 gethostname.2"
bad=""
for page in "${pages[@]}"; do
	for r in $(refs "$page"); do
		[ -f "$TOPDIR/man/$r" ] || [ -f "$B/man/$r" ] || [[ " $external " == *" $r "* ]] ||
			bad="$bad ${page##*/}:$r"
	done
done
t_expect "every page another page refers to exists" "" echo "$bad"

# main.cf(5) against the parameter table, both ways
mkdir "$T/conf" && : >"$T/conf/main.cf"
"$B/bin/postconf" -c "$T/conf" -d 2>/dev/null | sed 's/ = .*//; s/ =$//' | sort >"$T/params"
section "$B/man/main.cf.5" PARAMETERS | awk 'tag { print } { tag = $0 == ".TP" }' |
	sed -n 's/^\\fB\([A-Za-z0-9_]*\)\\fR$/\1/p' | sort >"$T/described"
t_check "postconf -d prints the parameters" test "$(wc -l <"$T/params")" -ge 200
t_expect "main.cf(5) describes every parameter postconf -d prints, and no other" "" \
	comm -3 "$T/params" "$T/described"

# the parameters the daemon pages name must exist (a renamed or removed
# parameter fails here)
unknown=""
for page in "$TOPDIR"/man/*.8; do
	for p in $(section "$page" PARAMETERS | sed -n 's/^\.BR\{0,1\} \([A-Za-z0-9_]*\)\( [,.]\)\{0,1\}$/\1/p'); do
		grep -qxF "$p" "$T/params" || unknown="$unknown ${page##*/}:$p"
	done
done
t_check "the daemon pages name parameters" test "$(cat "$TOPDIR"/man/*.8 | grep -c '^\.BR [a-z_]* ,$')" -ge 50
t_expect "every parameter a daemon page names exists" "" echo "$unknown"
