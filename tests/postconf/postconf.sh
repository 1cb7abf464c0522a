#!/usr/bin/env bash
# postconf.sh - postconf against the VPS guide's main.cf and master.cf:
# -n, -d, -h, -x, -e (comments kept), -X, -#, -M, -m, and bad input.
# Where Debian's Postfix is installed, outputs are also compared with its
# /usr/sbin/postconf on the same files.
. "$HATO_TOP/tests/lib.sh"
PC=$B/bin/postconf
mkdir -p "$T/g"
cp "$EXAMPLES/main.cf" "$EXAMPLES/master.cf" "$T/g/"
HERE=$TOPDIR/tests/postconf

t_expect "postconf -n prints exactly what the guide's main.cf sets" \
	"$(cat "$HERE/guide-n.ref")" "$PC" -c "$T/g" -n
t_expect "postconf -d message_size_limit is Postfix's default" \
	"message_size_limit = 10240000" "$PC" -d message_size_limit
t_expect "postconf -h -x expands \$myhostname and \$mydomain" \
	"$("$PC" -c "$T/g" -h myhostname), localhost.acompass.net, localhost, acompass.net" \
	"$PC" -c "$T/g" -h -x mydestination
t_expect "postconf with -o override" "smtpd_timeout = 10s" "$PC" -c "$T/g" -o smtpd_timeout=10s smtpd_timeout
t_expect "postconf -m lists every table type" \
	"lmdb hash btree texthash regexp pcre cidr inline static unix proxy" \
	bash -c "'$PC' -m | tr '\n' ' ' | sed 's/ \$//'"

if [ -x /usr/sbin/postconf ]; then
	# Postfix lists config_directory when given -c, and does not know the
	# Dovecot-side parameters; otherwise the output must be the same.
	filter='^(config_directory|protocols|disable_plaintext_auth|auth_mechanisms|mail_location) ='
	t_expect "postconf -n matches Postfix's postconf -n" \
		"$(/usr/sbin/postconf -c "$T/g" -n 2>/dev/null | grep -Ev "$filter")" \
		bash -c "'$PC' -c '$T/g' -n | grep -Ev '$filter'"
	t_expect "postconf -M matches Postfix's postconf -M" \
		"$(/usr/sbin/postconf -c "$T/g" -M 2>/dev/null)" "$PC" -c "$T/g" -M
	t_expect "postconf -d message_size_limit matches Postfix" \
		"$(/usr/sbin/postconf -d message_size_limit)" "$PC" -d message_size_limit
fi

# -e keeps every comment and every other line byte for byte
cp "$T/g/main.cf" "$T/orig.cf"
t_check "postconf -e edits two values and adds one" \
	"$PC" -c "$T/g" -e message_size_limit=1000 "smtpd_client_restrictions = permit_mynetworks, reject" new_thing=1
t_expect "postconf -e result" "message_size_limit = 1000" "$PC" -c "$T/g" message_size_limit
t_expect "postconf -e replaced a multi-line value" \
	"smtpd_client_restrictions = permit_mynetworks, reject" "$PC" -c "$T/g" smtpd_client_restrictions
t_expect "postconf -e kept every comment" "$(grep '^#' "$T/orig.cf")" grep '^#' "$T/g/main.cf"
t_expect "postconf -e changed only the edited lines" \
	"$(printf '%s\n' '< message_size_limit = 5242880' '> message_size_limit = 1000')" \
	bash -c "diff '$T/orig.cf' '$T/g/main.cf' | grep -E '^[<>] message_size_limit'"
t_expect "postconf -e appended the new parameter last" "new_thing = 1" tail -1 "$T/g/main.cf"
t_expect "postconf -e left no temporary file" "main.cf master.cf" bash -c "ls '$T/g' | tr '\n' ' ' | sed 's/ \$//'"
t_check "postconf -X removes a parameter" "$PC" -c "$T/g" -X new_thing smtpd_helo_restrictions
t_expect "postconf -X result" "" bash -c "grep -E '^(new_thing|smtpd_helo_restrictions)|check_helo_access' '$T/g/main.cf'"
t_check "postconf -# comments a parameter out" "$PC" -c "$T/g" -# home_mailbox
t_expect "postconf -# result" "#home_mailbox = Maildir/" grep home_mailbox "$T/g/main.cf"

# bad input: one message naming file and line, non-zero exit
mkdir -p "$T/bad"
printf 'a = 1\nb = ${a\n' > "$T/bad/main.cf"
t_expect_err "unterminated \${ names file and line" "$T/bad/main.cf, line 2: parameter \"b\": unmatched '{'" "$PC" -c "$T/bad" -n
printf '# loop\na = $a\n' > "$T/bad/main.cf"
t_expect_err "self-referencing \$a names file and line" "$T/bad/main.cf, line 2: parameter \"a\" refers to itself" "$PC" -c "$T/bad" a
printf 'message_size_limit = big\n' > "$T/bad/main.cf"
t_expect_err "a bad number names file and line" "$T/bad/main.cf, line 1: bad numerical value for message_size_limit" "$PC" -c "$T/bad"
printf 'no equals sign\n' > "$T/bad/main.cf"
t_expect_err "a line without = names file and line" "$T/bad/main.cf, line 1: missing '='" "$PC" -c "$T/bad" -n
t_check "postconf -e repairs a broken main.cf" "$PC" -c "$T/bad" -X no
printf 'mydomain = x.org\nfrobnicate = 1\n' > "$T/bad/main.cf"
t_expect_err "an unknown parameter is a warning naming file and line" "$T/bad/main.cf, line 2: unknown parameter \"frobnicate\"" \
	bash -c "'$PC' -c '$T/bad' -n >/dev/null && exit 1"
t_expect_err "postconf -e without = is refused" "bad -e name=value argument" "$PC" -c "$T/bad" -e foo
t_expect_err "postconf of an unknown name fails" "nosuch: unknown parameter" "$PC" -c "$T/bad" nosuch
