/* hato_check_chroot - "hato check" warnings for chrooted services whose
 * tables cannot work in the chroot.
 *
 * A chrooted smtpd (master.cf chroot column "y", as in Debian's stock
 * file) cannot read /etc/passwd: local_recipient_maps must say
 * proxy:unix:passwd.byname (Postfix's default), and a proxy: table needs
 * the proxymap service in master.cf.  Both are warnings naming the file,
 * the line and the fix; hato still starts (lookups then fail with a 451,
 * never a false "User unknown").
 */
#include <string.h>

#include "hato.h"
#include "log.h"
#include "master_cf.h"
#include "strv.h"

/* has_direct_unix - list names a unix: table without proxy: */
static bool has_direct_unix(const char *list)
{
	struct strv *v = strv_split(list, ", \t\r\n");
	bool found = false;

	for (size_t i = 0; i < v->len; i++)
		found |= strncmp(v->items[i], "unix:", 5) == 0;
	strv_free(&v);
	return found;
}

/* hato_check_chroot - warn about what a chrooted smtpd cannot look up */
void hato_check_chroot(struct hato_ctx *ctx, struct config *c)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	const char *lrm = config_get(c, "local_recipient_maps");
	const struct master_cf_entry *smtpd = NULL;
	bool proxymap = false;
	struct master_cf *m;

	buf_printf(path, "%s/master.cf", ctx->dir);
	if ((m = master_cf_parse_file(buf_str(path), why)) == NULL)
		goto out;	/* master -t reported it */
	for (size_t i = 0; i < m->len; i++) {
		const struct master_cf_entry *e = &m->entries[i];

		proxymap |= strcmp(e->command, "proxymap") == 0 && strcmp(e->service, "proxymap") == 0;
		if (smtpd == NULL && e->chroot && strcmp(e->command, "smtpd") == 0)
			smtpd = e;
	}
	if (smtpd && lrm && has_direct_unix(lrm))
		log_warn("%s, line %d: service %s is chrooted, where local_recipient_maps = %s cannot "
			 "read /etc/passwd: use proxy:unix:passwd.byname", buf_str(path), smtpd->line,
			 smtpd->service, lrm);
	else if (smtpd && lrm && strstr(lrm, "proxy:") && !proxymap)
		log_warn("%s, line %d: service %s is chrooted and local_recipient_maps uses proxy: "
			 "tables, but master.cf has no proxymap service: add "
			 "\"proxymap unix - - n - - proxymap\"", buf_str(path), smtpd->line, smtpd->service);
	master_cf_free(&m);
out:
	buf_free(&path);
	buf_free(&why);
}
