/* dovecot_conf - a Dovecot 2.3 configuration (dovecot.conf and what it
 * includes) read into a tree, for hato import.
 *
 *   struct dovecot_conf *dc = dovecot_conf_read("/etc/dovecot/dovecot.conf", why);
 *   dovecot_conf_get(dc->root, "mail_location")     // last value, or NULL
 *   for (n = dc->root->child; n; n = n->next) ...   // file order
 *
 * Syntax: "key = value" (quotes removed, "<path" kept as written, a value
 * that starts with "$name" gets name's earlier value in the same section,
 * or nothing);
 * "type [name] {" ... "}" sections; "!include PATH" and "!include_try
 * PATH" (globs, relative to the including file's directory; include_try
 * skips what is missing); '#' outside quotes starts a comment; a line
 * ending in '\' continues on the next.  Every node keeps its file and
 * line.  Limits: lines of DOVECOT_MAX_LINE bytes, files of
 * DOVECOT_MAX_FILE bytes, DOVECOT_MAX_INCLUDE levels of includes,
 * DOVECOT_MAX_NEST levels of sections, DOVECOT_MAX_NODES nodes.
 * Errors (NULL, why): "FILE, line N: problem" for a syntax error, an
 * include loop, a missing include, a section that is not closed in its
 * file.  The input is the administrator's files, read by root: parsed
 * under limits, never executed; the fuzz target is fuzz_dovecot_conf.c.
 */
#ifndef HATO_DOVECOT_CONF_H
#define HATO_DOVECOT_CONF_H

#include <stddef.h>

#include "buf.h"
#include "strv.h"

enum {
	DOVECOT_MAX_LINE = 8192,
	DOVECOT_MAX_FILE = 1 << 20,
	DOVECOT_MAX_INCLUDE = 16,
	DOVECOT_MAX_NEST = 16,
	DOVECOT_MAX_NODES = 100000,
};

enum dovecot_node_kind { DOVECOT_SETTING, DOVECOT_SECTION };

struct dovecot_node {
	enum dovecot_node_kind kind;
	char *key;		/* setting name, or section type ("service") */
	char *name;		/* section name ("imap-login"), NULL if none */
	char *value;		/* setting value; NULL for a section */
	const char *file;	/* owned by the dovecot_conf */
	int line;
	struct dovecot_node *parent, *child, *last_child, *next;
};

struct dovecot_conf {
	struct dovecot_node *root;	/* a section with key "" */
	struct strv *files;		/* every file read, in order */
};

/* where the text of files comes from (tests and the fuzz target give
 * their own) */
struct dovecot_conf_ops {
	/* the files pattern names, in order (an absent file may be
	 * returned as is): 0, or -1 with why */
	int (*expand)(void *ctx, const char *pattern, struct strv *paths, struct buf *why);
	/* the text of path: 1, 0 when absent, -1 with why */
	int (*load)(void *ctx, const char *path, struct buf *text, struct buf *why);
	void *ctx;
};

struct dovecot_conf *dovecot_conf_read(const char *path, struct buf *why);
struct dovecot_conf *dovecot_conf_read_with(const char *path, const struct dovecot_conf_ops *ops,
					    struct buf *why);
/* dovecot_conf_read_memory - files given as names[i] with texts[i], the
 * first one read first (unit tests, the fuzz target) */
struct dovecot_conf *dovecot_conf_read_memory(const struct strv *names, const struct strv *texts,
					      struct buf *why);
void dovecot_conf_free(struct dovecot_conf **dcp);
/* dovecot_conf_find - the last setting key directly in section, or NULL */
const struct dovecot_node *dovecot_conf_find(const struct dovecot_node *section, const char *key);
/* dovecot_conf_get - its value, or NULL */
const char *dovecot_conf_get(const struct dovecot_node *section, const char *key);

#endif
