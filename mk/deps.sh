#!/bin/sh
# mk/deps.sh - install the Debian packages hato's build and tests need.
# As root: apt-get update, then install what is missing.  Otherwise print
# the command to run.  Debian's postfix package is installed for its test
# tools (smtp-source, smtp-sink) and as a reference for differential tests,
# and dovecot-imapd and dovecot-pop3d as the reference for IMAP and POP3
# (tests start private instances of both); their services are not
# started: for the install only, a policy-rc.d refuses to start postfix,
# dovecot and prometheus (and nothing else), and it is removed afterwards - only
# if this script created it, so a policy-rc.d of the machine's (Docker's)
# stays.  A file left by an older make deps ("installed by hato make deps",
# which refused every service to every later apt install) is removed.  The
# debconf answer for postfix is "No configuration".  mutt (driven in tmux)
# is the stock Maildir reader the delivery tests use.  libcrypt-dev
# (crypt_r, crypt_gensalt) and libargon2-dev (ARGON2I/ARGON2ID: OpenSSL 3.0
# has no Argon2) are authd's password hashing.  systemd is for
# systemd-analyze (tests/master/notify.sh verifies hato.service with it);
# nothing here makes it the machine's init.  logrotate rotates a test
# instance's maillog_file with logrotate/hato (tests/master/logrotate.sh).
# groff-base renders the manual pages (tests/hato/man.sh).
# dpkg-dev and debhelper build the Debian package (make deb), lintian
# checks it, mmdebstrap makes the Debian 12 root tests/deb/package.sh
# installs it into (never into this machine's own dpkg database).
# prometheus is for its promtool ("promtool check metrics" checks
# metricsd's text format, tests/metrics/metrics.sh; its service is not
# started either) and python3-prometheus-client for its strict
# OpenMetrics parser (the same test, for the OpenMetrics format).
# HATO_POLICY_RC_D names another policy-rc.d path (tests).
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev libssl-dev libsasl2-dev
liblmdb-dev lmdb-utils libpcre2-dev python3 iproute2 procps netbase swaks postfix
mutt tmux curl sasl2-bin libsasl2-modules libcrypt-dev libargon2-dev
libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl strace
dovecot-imapd dovecot-pop3d fetchmail isync zlib1g-dev systemd logrotate groff-base
dpkg-dev debhelper lintian mmdebstrap prometheus python3-prometheus-client"
policy=${HATO_POLICY_RC_D:-/usr/sbin/policy-rc.d}
mark="installed by hato make deps"

# is_ours - the policy-rc.d at $policy was written by a make deps
is_ours() { [ -f "$policy" ] && [ ! -L "$policy" ] && grep -q "$mark" "$policy"; }

# block_references - a policy-rc.d that refuses to start postfix,
# dovecot and prometheus, if there is none
block_references() {
	[ -e "$policy" ] && return 0
	printf '#!/bin/sh\n# %s, for its apt-get install only: postfix, dovecot and prometheus are not started\ncase "$1" in postfix|dovecot|prometheus) exit 101 ;; esac\nexit 0\n' \
		"$mark" >"$policy"
	chmod 755 "$policy"
	created_policy=yes
}

# unblock - remove the policy-rc.d block_references made
unblock() { [ -n "${created_policy:-}" ] && is_ours && rm -f "$policy"; return 0; }

if [ "$(id -u)" = 0 ] && is_ours && [ -z "${created_policy:-}" ]; then
	rm -f "$policy"
	echo "make deps: removed $policy left by an earlier make deps"
fi
missing=""
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing packages; as root run: apt-get install$missing" >&2
	exit 1
fi
echo "make deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
trap unblock EXIT
trap 'exit 1' INT TERM HUP
block_references
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends $missing </dev/null
