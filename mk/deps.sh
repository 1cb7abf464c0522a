#!/bin/sh
# mk/deps.sh - install the Debian packages hato's build and tests need.
# As root: apt-get update, then install what is missing.  Otherwise print
# the command to run.  Debian's postfix package is installed for its test
# tools (smtp-source, smtp-sink) and as a reference for differential tests;
# its service is never started (policy-rc.d refuses it, and its debconf
# answer is "No configuration").  mutt (driven in tmux) is the stock
# Maildir reader the delivery tests use.  libcrypt-dev (crypt_r, crypt_gensalt)
# and libargon2-dev (ARGON2I/ARGON2ID: OpenSSL 3.0 has no Argon2) are
# authd's password hashing.
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev libssl-dev libsasl2-dev
liblmdb-dev lmdb-utils libpcre2-dev python3 iproute2 procps netbase swaks postfix
mutt tmux curl sasl2-bin libsasl2-modules libcrypt-dev libargon2-dev
libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl"

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
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# installed by hato make deps: do not start services\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends $missing </dev/null
