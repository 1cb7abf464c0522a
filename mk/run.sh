#!/bin/sh
# mk/run.sh - "make run": a private hato instance in ./run, in the foreground.
# The first run makes it with "hato init --dev ./run"; later runs reuse it.
# Stop it with Ctrl-C (or "build/bin/hato -c ./run stop" from elsewhere).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
hato=$top/build/bin/hato
dir=$top/run
[ -f "$dir/main.cf" ] || "$hato" init --dev "$dir"
echo
echo "hato instance in $dir (configuration: $dir/main.cf, $dir/master.cf; log: $dir/maillog)"
echo "services (postconf -M):"
"$top/build/bin/postconf" -c "$dir" -M | sed 's/^/  /'
echo
echo "Ports: SMTP 2525, submission 2587, submissions 2465, IMAP 2143, IMAPS 2993,"
echo "POP3 2110, POP3S 2995 on 127.0.0.1 - each answers once its daemon is part"
echo "of this build (the master log says which services were skipped)."
echo "Send a message:        swaks --server 127.0.0.1:2525 --to root@localhost"
echo "Look at the queue:      ls $dir/queue/incoming; $top/build/bin/postcat -c $dir -q ID"
echo "(delivery to mailboxes is not built yet: queued mail stays in the queue)"
echo "Status from another shell:  $hato -c $dir status"
echo
exec "$hato" -c "$dir" start-fg
