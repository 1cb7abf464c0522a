/* dovecot_uidlist - read what Dovecot left in a Maildir folder, so that a
 * user moved from Dovecot keeps UIDVALIDITY, UIDs and keywords.
 *
 *   struct dovecot_uidlist *ul;
 *   if (dovecot_uidlist_read(folder_fd, NULL, &ul, why) > 0)
 *       for (size_t i = 0; i < ul->count; i++)
 *           use(ul->entries[i].uid, ul->entries[i].base);
 *   dovecot_uidlist_free(&ul);
 *
 * dovecot-uidlist, version 3 (Dovecot 1.1 and later):
 *   "3 V<uidvalidity> N<nextuid> G<mailbox guid>[ <key><value>...]"
 *   "<uid>[ <K><value>...] :<file name base>"   (K in A-Z: S size,
 *   W virtual size, P POP3 UIDL, O POP3 order, G message GUID)
 * version 1 (Courier's courierimapuiddb): "1 <uidvalidity> <nextuid>",
 * then "<uid> <file name>".  The base is the name before ":2,FLAGS".
 * UIDs are strictly increasing, 1 to 2^32-2.  Dovecot appends new lines
 * to a version 3 file without rewriting its header, so there N may be at
 * or below the last UID: NEXTUID is then raised past it, as Dovecot does;
 * in version 1 that is an error.  An unterminated last line is a write
 * in progress and is ignored, as Dovecot ignores it.
 * Each entry keeps its extension fields as written (ext), so that a
 * rewrite (mail_index_uidlist.c) passes them on.
 * (dovecot-keywords is read by dovecot_keywords.h.)
 * Trust: the files are in the user's Maildir, written by anyone.  A file
 * that breaks a rule or a limit is refused as a whole (-1) with
 * "PATH, line N: problem" in why; the caller then assigns fresh UIDs.
 */
#ifndef HATO_DOVECOT_UIDLIST_H
#define HATO_DOVECOT_UIDLIST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct dovecot_uidlist_limits {
	size_t max_size;		/* bytes in the file */
	size_t max_line;		/* bytes in one line, without the newline */
	size_t max_entries;		/* message lines */
};

struct dovecot_uidlist_entry {
	uint32_t uid;
	char *base;			/* file name before ":2,", never empty */
	char *pop3_uidl;		/* 'P' extension, or NULL; see below */
	char *guid;			/* 'G' extension, or NULL */
	uint64_t size;			/* 'S' extension, 0 when absent */
	uint64_t vsize;			/* 'W' extension, 0 when absent */
	char *ext;			/* every extension field as written
					 * ("K<value>[ K<value>...]"), or NULL:
					 * what a rewrite keeps (version 3 only) */
};

struct dovecot_uidlist {
	int version;			/* 1 or 3 */
	uint32_t uidvalidity;		/* never 0 */
	uint32_t nextuid;		/* above every entry's uid */
	char guid[33];			/* mailbox GUID in hex, "" when absent */
	char *hdr_ext;			/* version 3 header fields other than
					 * V, N, G, as written, or NULL */
	size_t count;
	struct dovecot_uidlist_entry *entries;	/* in increasing uid order */
};

/* dovecot_uidlist_default_limits - 64 MB, 4096-byte lines, 1M entries */
const struct dovecot_uidlist_limits *dovecot_uidlist_default_limits(void);

/* dovecot_uidlist_parse - text (len bytes, from the file path) into *ulp;
 * lim NULL for the defaults.  0, or -1 with why */
int dovecot_uidlist_parse(const char *text, size_t len, const char *path,
			  const struct dovecot_uidlist_limits *lim,
			  struct dovecot_uidlist **ulp, struct buf *why);
/* dovecot_uidlist_read - "dovecot-uidlist" below dir_fd: 1 read, 0 no
 * such file, -1 refused or unreadable (why) */
int dovecot_uidlist_read(int dir_fd, const struct dovecot_uidlist_limits *lim,
			 struct dovecot_uidlist **ulp, struct buf *why);
void dovecot_uidlist_free(struct dovecot_uidlist **ulp);

/* dovecot_uidlist_saved_uidl - the POP3 UIDL Dovecot saved for e, which
 * it gives instead of pop3_uidl_format's: the 'P' value, the base for an
 * empty 'P' value; NULL when e has none */
const char *dovecot_uidlist_saved_uidl(const struct dovecot_uidlist_entry *e);

#endif
