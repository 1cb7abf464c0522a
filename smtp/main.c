/* smtp - the SMTP client delivery agent: the skeleton call only (see smtp.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "server.h"
#include "smtp.h"

static struct smtp_global global;

/* tls_init - smtp_tls_security_level and the client context.  The
 * levels that check the server's certificate (verify, secure, dane) are
 * not implemented: they count as "encrypt" without a context, which
 * defers all mail rather than send it with less protection than asked. */
static void tls_init(const struct params *cf)
{
	const char *level = cf->smtp_tls_security_level;

	if (*level == '\0' || strcmp(level, "none") == 0) {
		global.tls_level = SMTP_TLS_NONE;
		return;
	}
	global.tls_level = strcmp(level, "may") == 0 ? SMTP_TLS_MAY : SMTP_TLS_ENCRYPT;
	if (global.tls_level == SMTP_TLS_MAY || strcmp(level, "encrypt") == 0)
		global.tls_ctx = smtp_tls_ctx_new(cf);
	else
		log_warn("smtp_tls_security_level = %s is not supported: mail is deferred", level);
}

/* smtp_init - settings, TLS and the connection cache, once per process */
static void smtp_init(const struct server_info *si)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	srandom((unsigned)(tv.tv_usec ^ tv.tv_sec ^ getpid()));
	global.cf = si->cf;
	tls_init(si->cf);
	smtp_cache_init(&global);
}

/* smtp_service - one delivery request from qmgr */
static void smtp_service(const struct server_info *si, int fd)
{
	(void)si;
	smtp_agent_serve(&global, fd);
}

int main(int argc, char **argv)
{
	return server_main(argc, argv, &(struct server_opts){
		.kind = SERVER_SINGLE, .post_init = smtp_init, .service = smtp_service });
}
