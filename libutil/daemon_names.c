/* daemon_names - known program names; see daemon_names.h. */
#include <string.h>

#include "daemon_names.h"

static const char *const known[] = {
	/* Postfix's daemons */
	"anvil", "bounce", "cleanup", "discard", "dnsblog", "error", "flush", "lmtp",
	"local", "oqmgr", "pickup", "pipe", "postlogd", "postscreen", "proxymap",
	"qmgr", "qmqpd", "scache", "showq", "smtp", "smtpd", "spawn", "tlsmgr",
	"tlsproxy", "trivial-rewrite", "verify", "virtual",
	/* hato's mail access side */
	"authd", "imapd", "pop3d",
};

/* daemon_is_skippable - whether a missing program is only a warning */
bool daemon_is_skippable(const char *command)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i], command) == 0)
			return true;
	return false;
}
