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

/* in_list - whether command is one of the n names of list */
static bool in_list(const char *const *list, size_t n, const char *command)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], command) == 0)
			return true;
	return false;
}

/* daemon_is_skippable - whether a missing program is only a warning */
bool daemon_is_skippable(const char *command)
{
	return in_list(known, sizeof(known) / sizeof(known[0]), command);
}

/* hato's own daemons: one of them missing means a partial build */
static const char *const own[] = {
	"cleanup", "local", "pickup", "qmgr", "showq", "smtp", "smtpd", "virtual",
	"authd", "imapd", "pop3d",
};

/* daemon_is_hato - whether hato itself provides command (else a skippable
 * name is a Postfix program that hato does without) */
bool daemon_is_hato(const char *command)
{
	return in_list(own, sizeof(own) / sizeof(own[0]), command);
}
