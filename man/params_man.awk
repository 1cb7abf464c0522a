# params_man.awk - main.cf(5)'s parameter list, made from global/params.def
# at build time, so the page names exactly the parameters hato has.
#
#   awk -v prefix=/usr/local -v version=0.1 -f man/params_man.awk \
#       global/params.def man/main.cf.5.in > build/man/main.cf.5
#
# The first file is params.def: each "/* area */" comment line opens a
# subsection, each PSTR/PRAW/PINT/PBOOL/PTIME call (on one line or more,
# its strings concatenated as C does) becomes an entry: the name, its
# meaning, its default, its type and range.  The second file is the page's
# hand-written text; its line "@PARAMETERS@" is replaced by the list,
# "@VERSION@" by the version and "@COUNT@" by the number of parameters.
# An entry this script cannot read stops the build, and tests/hato/man.sh
# compares the page with postconf -d both ways, so an entry skipped
# silently fails there.

# roff - text made safe for roff: backslashes and hyphen-minus escaped,
# a leading dot or quote neutralised
function roff(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}

# cstring - the value of a C string literal's body (between the quotes)
function cstring(s,    out, i, c) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\") {
			i++
			c = substr(s, i, 1)
			if (c == "n")
				c = "\n"
			else if (c == "t")
				c = "\t"
		}
		out = out c
	}
	return out
}

# value - one macro argument: string literals and the build's names
# (HATO_PREFIX, HATO_VERSION) concatenated; NULL stays "NULL"; a bare
# number or ${...} stays as written
function value(arg,    out, rest, m) {
	out = ""
	rest = arg
	while (rest != "") {
		sub(/^[ \t]+/, "", rest)
		if (rest == "")
			break
		if (substr(rest, 1, 1) == "\"") {
			if (!match(rest, /^"([^"\\]|\\.)*"/))
				fail("unterminated string")
			out = out cstring(substr(rest, 2, RLENGTH - 2))
		} else if (match(rest, /^HATO_PREFIX/)) {
			out = out prefix
		} else if (match(rest, /^HATO_VERSION/)) {
			out = out version
		} else {
			match(rest, /^[^ \t"]+/)
			out = out substr(rest, 1, RLENGTH)
		}
		rest = substr(rest, RLENGTH + 1)
	}
	return out
}

# split_args - the comma-separated arguments of a macro call into a[],
# commas inside strings and braces kept; their number
function split_args(s, a,    n, i, c, q, depth, cur) {
	n = 0; q = 0; depth = 0; cur = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (q && c == "\\") {
			cur = cur c substr(s, i + 1, 1)
			i++
			continue
		}
		if (c == "\"")
			q = !q
		else if (!q && c == "{")
			depth++
		else if (!q && c == "}")
			depth--
		if (c == "," && !q && depth == 0) {
			a[++n] = cur
			cur = ""
			continue
		}
		cur = cur c
	}
	a[++n] = cur
	return n
}

# complete - whether a macro call ends here: its strings closed, its last
# character a ")"
function complete(s,    i, c, q) {
	q = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (q && c == "\\")
			i++
		else if (c == "\"")
			q = !q
	}
	return !q && s ~ /\)[ \t]*$/
}

function fail(why) {
	printf("params_man.awk: %s, line %d: %s\n", FILENAME, FNR, why) > "/dev/stderr"
	failed = 1
	exit 1
}

# starts_with_value - whether s starts with a word that must keep its
# case: a parameter name, or a value such as "ipv4, ..." or "authd (...)"
function starts_with_value(s,    w) {
	match(s, /^[^ ,:]*/)
	w = substr(s, 1, RLENGTH)
	s = substr(s, RLENGTH + 1)
	return w ~ /[_(]/ || w ~ /^(yes|no|hato|authd|proxymap)$/ || s ~ /^(,| \()/
}

# sentence - the doc string as a sentence: a leading "hato:" or "Dovecot:"
# becomes a note at the end, the first letter goes up unless it starts a
# parameter name (a word with "_"), and a full stop ends it
function sentence(s,    note) {
	note = ""
	if (s ~ /^hato: /) {
		s = substr(s, 7)
		note = " (hato's own: neither Postfix nor Dovecot has it.)"
	} else if (s ~ /^Dovecot: /) {
		s = substr(s, 10)
		note = " (Dovecot's name.)"
	}
	if (!starts_with_value(s))
		s = toupper(substr(s, 1, 1)) substr(s, 2)
	if (s !~ /[.]$/)
		s = s "."
	return s note
}

# unit_word - what a bare number means for a PTIME default like "300s"
function unit_word(def,    u) {
	u = substr(def, length(def), 1)
	if (u == "s") return "seconds"
	if (u == "m") return "minutes"
	if (u == "h") return "hours"
	if (u == "d") return "days"
	if (u == "w") return "weeks"
	return "seconds"
}

# entry - one parameter as a .TP paragraph
function entry(type, a, n,    name, def, doc, lo, hi, out) {
	name = a[1]; gsub(/[ \t]/, "", name)
	if (name !~ /^[a-zA-Z][a-zA-Z0-9_]*$/)
		fail("bad parameter name \"" name "\"")
	def = value(a[2])
	doc = value(a[n])
	if (type == "PINT" || type == "PTIME") {
		lo = a[3]; hi = a[4]
		gsub(/[ \t]/, "", lo); gsub(/[ \t]/, "", hi)
	}
	out = ".TP\n\\fB" name "\\fR\n" roff(sentence(doc)) "\n"
	if (def == "NULL")
		out = out "Default: computed (see \\fBCOMPUTED DEFAULTS\\fR).\n"
	else if (def == "")
		out = out "Default: empty.\n"
	else
		out = out "Default: \\fB" roff(def) "\\fR" (def ~ /[.]$/ ? "" : ".") "\n"
	if (type == "PBOOL")
		out = out "A boolean: \\fByes\\fR or \\fBno\\fR.\n"
	else if (type == "PINT" && hi == "9223372036854775807")
		out = out "A number, at least " lo ".\n"
	else if (type == "PINT")
		out = out "A number from " lo " to " hi ".\n"
	else if (type == "PTIME")
		out = out "A time from " lo " to " hi " seconds" \
			(unit_word(def) == "seconds" ? "" : "; a bare number means " unit_word(def)) ".\n"
	else if (type == "PRAW")
		out = out "Its \\fB$\\fIname\\fR references are expanded for each message, not when main.cf is read.\n"
	list = list out
	count++
}

FNR == 1 { file++ }

# params.def: an area
file == 1 && /^\/\* [^*]*\*\/$/ {
	area = $0
	sub(/^\/\* /, "", area); sub(/ \*\/$/, "", area)
	list = list ".SS \"" roff(toupper(substr(area, 1, 1)) substr(area, 2)) "\"\n"
	next
}

# params.def: a parameter
file == 1 && /^P(STR|RAW|INT|BOOL|TIME)\(/ {
	type = $0; sub(/\(.*/, "", type)
	body = $0
	while (!complete(body)) {
		if ((getline more) <= 0)
			fail("a parameter that does not end with \")\"")
		body = body " " more
	}
	sub(/^P[A-Z]*\(/, "", body)
	sub(/\)[ \t]*$/, "", body)
	n = split_args(body, args)
	if (n != ((type == "PINT" || type == "PTIME") ? 5 : 3))
		fail(type " with " n " arguments")
	entry(type, args, n)
	next
}

file == 1 && /^P/ { fail("unknown macro") }
file == 1 { next }

# the page: the list goes where @PARAMETERS@ is
file == 2 && $0 == "@PARAMETERS@" {
	printf("%s", list)
	next
}
file == 2 {
	gsub(/@VERSION@/, version)
	gsub(/@COUNT@/, count)
	print
}

END {
	if (!failed && count == 0) {
		print "params_man.awk: no parameters found" > "/dev/stderr"
		exit 1
	}
}
