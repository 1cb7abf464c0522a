#!/usr/bin/env bash
# deps.sh - mk/deps.sh ("make deps") with a fake apt-get, dpkg and
# debconf-set-selections first on PATH and HATO_POLICY_RC_D pointing into
# the scratch directory: during the install postfix and dovecot are
# refused and any other service allowed; afterwards the policy-rc.d it made is gone; one
# it did not make stays; one left by an older make deps is removed.
. "$HATO_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { t_ok "make deps tests skipped: they need root # SKIP"; exit 0; }
P=$T/policy-rc.d
mkdir "$T/bin"
cat >"$T/bin/apt-get" <<SH
#!/bin/sh
[ "\$1" = install ] || exit 0
if [ -x "$P" ]; then for s in postfix dovecot cron; do "$P" \$s start; echo "\$s \$?"; done; else echo none; fi >"$T/during"
exit \${FAIL:-0}
SH
printf '#!/bin/sh\nexit ${DPKG_RC:-1}\n' >"$T/bin/dpkg"
printf '#!/bin/sh\ncat >/dev/null\n' >"$T/bin/debconf-set-selections"
chmod 755 "$T/bin/"*
deps() { env PATH="$T/bin:$PATH" HATO_POLICY_RC_D="$P" "$@" sh "$TOPDIR/mk/deps.sh" >"$T/deps.out" 2>&1; }

deps
t_expect "during the install, postfix and dovecot may not start and cron may" "postfix 101 dovecot 101 cron 0" \
	bash -c "tr '\n' ' ' <'$T/during' | sed 's/ \$//'"
t_check "afterwards no policy-rc.d is left" test ! -e "$P"
deps FAIL=100 || true
t_check "...also when apt-get fails" test ! -e "$P"
printf '#!/bin/sh\n# the machine'"'"'s own\nexit 101\n' >"$P"; chmod 755 "$P"
deps
t_check "a policy-rc.d the script did not make is used and kept" grep -q "the machine's own" "$P"
t_expect "...as it is (apt-get saw it)" "postfix 101 dovecot 101 cron 101" bash -c "tr '\n' ' ' <'$T/during' | sed 's/ \$//'"
printf '#!/bin/sh\n# installed by hato make deps: do not start services\nexit 101\n' >"$P"
deps DPKG_RC=0
t_check "one left by an older make deps is removed, even with nothing to install" test ! -e "$P"
t_check "...and it says so" grep -q "removed $P left by an earlier make deps" "$T/deps.out"
