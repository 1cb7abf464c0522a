/* hato_import - private interface of "hato import": the files that merge
 * an existing Postfix and Dovecot configuration into hato's.
 *
 * hato_import.c parses the command, runs the steps below into a plan and
 * then shows it (--dry-run: a unified diff, nothing written) or writes it
 * (hato_import_write.c: atomic replace, a backup of each replaced file,
 * postmap/postalias for indexed tables).  hato_import_postfix.c merges
 * Postfix's main.cf into hato's (hato's own installation settings kept,
 * /etc/postfix paths rewritten, unknown parameters listed) and collects
 * the files its values name; hato_import_master.c builds the new master.cf;
 * hato_import_dovecot.c translates dovecot.conf (dovecot_conf.c reads it)
 * into main.cf settings and master.cf services; hato_import_auth.c its
 * passdb and userdb sections.  What cannot be translated is a problem
 * "FILE, line N: what" (printed, not fatal); what is refused (a file that
 * does not parse, an include loop) fails the import before anything is
 * written.  Runs as root on root's files: the config directory is never
 * written through a symbolic link (fsutil_replace, O_NOFOLLOW).
 */
#ifndef HATO_HATO_IMPORT_H
#define HATO_HATO_IMPORT_H

#include <stdbool.h>

#include "buf.h"
#include "cfgedit.h"
#include "config.h"
#include "strv.h"

/* a file of the config directory the import writes */
struct import_file {
	char *name;		/* relative to the config directory */
	struct buf *text;
	unsigned mode;
	char *build;		/* "postmap" or "postalias" then, or NULL */
	char *map;		/* its "type:path" */
};

struct import {
	const char *dir;		/* hato's config directory */
	const char *postfix, *dovecot;	/* what is imported, NULL: not */
	bool dry_run;
	struct config *hato;		/* hato's main.cf as it was */
	struct cfgedit *main_cf;	/* the new main.cf */
	struct buf *master_cf;		/* the new master.cf */
	struct buf *services;		/* master.cf lines for IMAP, POP3, authd */
	bool imported_master;		/* Postfix's master.cf was read */
	struct strv *headers;		/* origins whose header main.cf has */
	struct strv *problems;		/* "FILE, line N: not translated ..." */
	struct strv *notes;		/* what was kept or changed on purpose */
	struct import_file *files;	/* copies for the config directory */
	size_t nfiles;
};

/* hato_import.c */
void import_problem(struct import *im, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void import_note(struct import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* import_set - name's definition in the new main.cf becomes text ("name =
 * value", maybe over lines); a new name goes under a header naming origin */
void import_set(struct import *im, const char *origin, const char *name, const char *text);
/* import_add_file - a file for the config directory; the plan owns text */
struct import_file *import_add_file(struct import *im, const char *name, struct buf *text,
				    unsigned mode);

/* hato_import_postfix.c */
int import_postfix_main(struct import *im);
/* import_rewrite - text with /etc/postfix and the imported directory
 * replaced by the config directory */
void import_rewrite(const struct import *im, const char *text, struct buf *out);
/* import_copy_named - copy each file of the imported Postfix directory
 * that text names (after import_rewrite) into the plan */
void import_copy_named(struct import *im, const char *param, const char *text, const char *file,
		       int line);

/* hato_import_master.c */
int import_master(struct import *im);

/* hato_import_dovecot.c */
struct dovecot_node;
int import_dovecot(struct import *im);
/* import_dovecot_tree - the translation of a tree read from origin */
void import_dovecot_tree(struct import *im, const struct dovecot_node *root, const char *origin);

/* hato_import_auth.c: passdb and userdb sections into main.cf */
void import_dovecot_auth(struct import *im, const struct dovecot_node *root, const char *origin);

/* hato_import_write.c */
int import_show(struct import *im);
int import_write(struct import *im);

#endif
