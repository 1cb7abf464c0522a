/* daemon_names - known program names; see daemon_names.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon_names.h"

static const char *const known[] = {
	/* Postfix's daemons */
	"anvil", "bounce", "cleanup", "discard", "dnsblog", "error", "flush", "lmtp",
	"local", "oqmgr", "pickup", "pipe", "postlogd", "postscreen", "proxymap",
	"qmgr", "qmqpd", "scache", "showq", "smtp", "smtpd", "spawn", "tlsmgr",
	"tlsproxy", "trivial-rewrite", "verify", "virtual",
	/* hato's mail access side */
	"authd", "imapd", "pop3d", "pop3mail",
};

/* daemon_is_skippable - whether a missing program is only a warning */
bool daemon_is_skippable(const char *command)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i], command) == 0)
			return true;
	return false;
}

/* daemon_is_unavailable - whether hato skips entry e (see daemon_names.h) */
bool daemon_is_unavailable(const struct master_cf_entry *e, const char *daemon_dir)
{
	char path[4096];

	if (e->type == MASTER_CF_PASS || e->type == MASTER_CF_UNIX_DGRAM)
		return true;
	if (e->command[0] == '/' || !daemon_is_skippable(e->command))
		return false;
	snprintf(path, sizeof(path), "%s/%s", daemon_dir, e->command);
	return access(path, X_OK) < 0;
}

/* daemon_unavailable_names - see daemon_names.h */
size_t daemon_unavailable_names(const struct master_cf *mcf, const char *daemon_dir,
				struct buf *names)
{
	size_t n = 0;

	for (size_t i = 0; i < mcf->len; i++)
		if (daemon_is_unavailable(&mcf->entries[i], daemon_dir))
			buf_printf(names, "%s%s", n++ ? " " : "", mcf->entries[i].service);
	return n;
}
