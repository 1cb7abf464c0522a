/* master_config - main.cf and master.cf into the list of services.
 *
 * Every problem is reported with the file and line (or service): an
 * unknown service type, a bad maxproc, a bad -o override, a missing
 * program.  A program that Postfix has but hato does not provide (or has
 * not built) is skipped, every such service named in one line, so a
 * Postfix master.cf copied verbatim starts quietly; any other missing
 * program is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon_names.h"
#include "log.h"
#include "master.h"
#include "master_cf.h"
#include "mem.h"
#include "restriction.h"

/* check_overrides - the -o values must load on top of main.cf */
static int check_overrides(const struct master_cf_entry *e, const char *path, struct buf *why)
{
	struct buf *err = buf_new(0);
	struct config *tmp = config_read(master.dir, CONFIG_QUIET, err);
	int rc = tmp ? 0 : -1;

	for (size_t i = 0; rc == 0 && i < e->overrides->len; i++)
		rc = config_override(tmp, e->overrides->items[i], err);
	if (rc == 0)
		rc = config_validate(tmp, err);
	if (rc < 0) {
		buf_printf(why, "%s, line %d: service %s: %s", path, e->line, e->service, buf_str(err));
	} else {		/* a typo in -o smtpd_*_restrictions is a warning */
		buf_reset(err);
		buf_printf(err, "%s, line %d: service %s", path, e->line, e->service);
		restriction_warn(tmp, buf_str(err));
	}
	config_free(&tmp);
	buf_free(&err);
	return rc;
}

/* program_path - the program of an entry: absolute, or in daemon_directory */
static char *program_path(struct config *c, const char *command)
{
	struct buf *p = buf_new(64);

	if (command[0] == '/')
		buf_cat(p, command);
	else
		buf_printf(p, "%s/%s", config_get(c, "daemon_directory"), command);
	return buf_steal(&p);
}

/* build_argv - COMMAND -n NAME -t TYPE [-u] [-c] [-o n=v]... [args] */
static struct strv *build_argv(const struct master_cf_entry *e, const char *type)
{
	struct strv *v = strv_new();

	strv_add(v, e->command);
	strv_add(v, "-n");
	strv_add(v, e->service);
	strv_add(v, "-t");
	strv_add(v, type);
	if (e->unpriv)
		strv_add(v, "-u");
	if (e->chroot)
		strv_add(v, "-c");
	for (size_t i = 0; i < e->overrides->len; i++) {
		strv_add(v, "-o");
		strv_add(v, e->overrides->items[i]);
	}
	for (size_t i = 0; i < e->args->len; i++)
		strv_add(v, e->args->items[i]);
	return v;
}

/* is_mail_process - prog is a mail process (imapmail, pop3mail): one
 * per session, started for each login unless kept waiting */
static bool is_mail_process(const char *prog)
{
	const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;

	return strcmp(base, "imapmail") == 0 || strcmp(base, "pop3mail") == 0;
}

/* make_service - one service from one entry; NULL when skipped (log_skipped
 * names it) or bad */
static struct master_service *make_service(struct config *c, const struct master_cf_entry *e,
					   const char *path, struct buf *why)
{
	static const char *const type_names[] = { [MT_INET] = "inet", [MT_UNIX] = "unix", [MT_FIFO] = "fifo" };
	struct master_service *svc;
	enum master_type type = MT_UNIX;
	char *prog;

	if (daemon_is_unavailable(e, config_get(c, "daemon_directory")))
		return NULL;
	switch (e->type) {
	case MASTER_CF_INET: type = MT_INET; break;
	case MASTER_CF_FIFO: type = MT_FIFO; break;
	default: break;		/* unix; the others are unavailable */
	}
	prog = program_path(c, e->command);
	if (access(prog, X_OK) < 0) {
		buf_printf(why, "%s, line %d: service %s/%s: program %s: %m", path, e->line,
			   e->service, type_names[type], prog);
		free(prog);
		return NULL;
	}
	if (check_overrides(e, path, why) < 0) {
		free(prog);
		return NULL;
	}
	svc = xmalloc(sizeof(*svc));
	svc->name = xstrdup(e->service);
	svc->type = type;
	svc->type_name = xstrdup(type_names[type]);
	svc->line = e->line;
	svc->unpriv = e->unpriv;
	svc->chroot = e->chroot;
	svc->wakeup = e->wakeup;
	svc->wakeup_if_used = e->wakeup_if_used;
	svc->maxproc = e->maxproc < 0 ? (int)atol(config_get(c, "default_process_limit")) : e->maxproc;
	svc->min_avail = is_mail_process(prog) ? (int)atol(config_get(c, "mail_process_min_avail")) : 0;
	svc->path = prog;
	svc->argv = build_argv(e, type_names[type]);
	return svc;
}

/* set_listen_key - what identifies the sockets of svc across reloads */
static void set_listen_key(struct config *c, struct master_service *svc, const char *dir)
{
	struct buf *k = buf_new(64);

	if (svc->type == MT_INET) {
		buf_printf(k, "inet %s|%s|", svc->name, config_get(c, "inet_interfaces"));
		buf_cat(k, config_get(c, "inet_protocols"));
	} else {
		buf_printf(k, "%s/%s/%s", config_get(c, "queue_directory"), dir,
			   strchr(svc->name, '/') ? strchr(svc->name, '/') + 1 : svc->name);
		svc->sock_path = xstrdup(buf_str(k));
	}
	svc->listen_key = buf_steal(&k);
}

/* log_skipped - one line for every service hato has no program for: a
 * Postfix master.cf copied verbatim names a dozen (tlsmgr, anvil, ...) */
static void log_skipped(struct config *c, const char *path, const struct master_cf *mcf)
{
	struct buf *names = buf_new(128);
	size_t n = daemon_unavailable_names(mcf, config_get(c, "daemon_directory"), names);

	if (n)
		log_info("%s: skipped %zu Postfix service%s that hato does not provide or need: %s",
			 path, n, n == 1 ? "" : "s", buf_str(names));
	buf_free(&names);
}

/* master_config_load - the services of master.cf under main.cf c (possibly
 * none); -1 with why filled on error */
int master_config_load(struct config *c, struct master_service **list_r, struct buf *why)
{
	struct master_service *list = NULL, **tail = &list;
	struct buf *path = buf_new(64);
	struct master_cf *mcf = NULL;

	buf_printf(path, "%s/master.cf", master.dir);
	if ((mcf = master_cf_parse_file(buf_str(path), why)) == NULL)
		goto fail;
	for (size_t i = 0; i < mcf->len; i++) {
		struct master_service *svc = make_service(c, &mcf->entries[i], buf_str(path), why);

		if (buf_len(why))
			goto fail;
		if (svc == NULL)
			continue;
		set_listen_key(c, svc, master_cf_socket_dir(&mcf->entries[i]));
		*tail = svc;
		tail = &svc->next;
	}
	log_skipped(c, buf_str(path), mcf);
	master_cf_free(&mcf);
	buf_free(&path);
	if (list == NULL)
		log_warn("%s/master.cf: no service that this hato build can run", master.dir);
	*list_r = list;
	return 0;
fail:
	master_service_free_list(&list);
	master_cf_free(&mcf);
	buf_free(&path);
	return -1;
}

/* master_service_free_list - release services (sockets must be closed) */
void master_service_free_list(struct master_service **listp)
{
	struct master_service *svc = *listp, *next;

	for (; svc; svc = next) {
		next = svc->next;
		free(svc->name);
		free(svc->type_name);
		free(svc->path);
		free(svc->listen_key);
		free(svc->sock_path);
		strv_free(&svc->argv);
		free(svc);
	}
	*listp = NULL;
}
