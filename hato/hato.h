/* hato - private interface between the control command's files.
 * main.c dispatches; hato_init.c creates an instance; hato_cert.c makes
 * its self-signed certificate; hato_control.c starts, stops, reloads and
 * reports on master; hato_check.c validates an instance, with
 * hato_reach.c (can mail_owner reach the queue?), hato_check_tables.c
 * (missing or stale .lmdb) and hato_check_services.c (SASL, required TLS,
 * logging); hato_services.c names the master.cf services hato lacks;
 * hato_perms.c is set-permissions; hato_pw.c makes password hashes;
 * hato_log.c prints one message's log lines (maillog_line.c reads them);
 * hato_logrotate.c moves maillog_file away; hato_import*.c merge a Postfix
 * and Dovecot configuration (hato_import.h, dovecot_conf.h). */
#ifndef HATO_HATO_H
#define HATO_HATO_H

#include <stdbool.h>
#include <sys/stat.h>

#include "buf.h"
#include "config.h"

struct hato_ctx {
	const char *dir;	/* config directory */
	bool dev;		/* init --dev */
	bool keep_existing;	/* init --keep-existing: make only what is missing */
	const char *destdir;	/* init --destdir: stage main.cf, master.cf there */
	char **args;		/* after the command word */
};

int hato_init(struct hato_ctx *ctx);
/* hato_init_options - init's options from ctx->args (--dev, --keep-existing,
 * --destdir D), -1 for an unknown one or --dev with --destdir */
int hato_init_options(struct hato_ctx *ctx);
/* hato_init_service - the master.cf line hato init writes for a service,
 * after its name, and its "-o" lines (hato_init.c) */
const char *hato_init_service(const char *name, const char **options_r);
int hato_import(struct hato_ctx *ctx);
/* hato_run - argv[0] (looked for in PATH unless it has a '/') in a child,
 * waited for: 0 when it exited 0 (hato_run.c) */
int hato_run(char *const argv[]);
int hato_cert_create(const char *cert_path, const char *key_path, const char *cn,
		     struct buf *why);
int hato_start(struct hato_ctx *ctx, bool foreground);
int hato_stop(struct hato_ctx *ctx, bool abort_now);
int hato_reload(struct hato_ctx *ctx);
int hato_status(struct hato_ctx *ctx);
int hato_flush(struct hato_ctx *ctx);
int hato_check(struct hato_ctx *ctx);
int hato_pw(struct hato_ctx *ctx);
int hato_log(struct hato_ctx *ctx);
int hato_logrotate(struct hato_ctx *ctx);
int hato_set_permissions(struct hato_ctx *ctx);
/* hato_check_quiet - hato_check without the "ok" line; used by start (which
 * leaves master.cf to master itself, so each warning shows once) and reload */
int hato_check_quiet(struct hato_ctx *ctx, bool skip_master_cf);
/* hato_unsafe_owner - why st could be changed by someone other than root
 * (or a --dev instance's user), else NULL */
const char *hato_unsafe_owner(const struct stat *st);
/* hato_check_chroot - warnings for tables a chrooted smtpd cannot use */
void hato_check_chroot(struct hato_ctx *ctx, struct config *c);
/* hato_pid_path - queue_directory/pid/master.pid for the instance, also
 * when main.cf no longer parses (broken says what is wrong with it) */
char *hato_pid_path(const char *dir, struct buf *broken);
/* hato_services_unavailable - log one line naming master.cf's services
 * that this hato has no program for (hato_services.c) */
void hato_services_unavailable(const char *dir);
/* hato_check_reach - -1 with an error when mail_owner cannot search its way
 * to queue_directory or data_directory (hato_reach.c) */
int hato_check_reach(struct config *c);
/* hato_check_tables - warn about missing or stale NAME.lmdb of every
 * hash:/btree:/lmdb: table the configuration names (hato_check_tables.c) */
void hato_check_tables(struct config *c, const char *dir);
/* hato_check_more - warnings about tables, SASL, required TLS and logging
 * (hato_check_services.c) */
void hato_check_more(struct config *c, const char *dir);

/* hato_as.c */
int hato_as_user(const char *user, gid_t extra_gid, int (*probe)(const char *arg),
		 const char *arg);

#endif
