/* pickup - private interface of the local-submission daemon.
 *
 * pickup takes the files postdrop leaves in maildrop/ and hands each to
 * cleanup, like smtpd hands a network message, as a local submission
 * (CLEANUP_F_LOCAL, plus CLEANUP_F_EXTRACT when sendmail -t asked).
 *   pickup_scan.c    a walk over all of maildrop/: which entries to take,
 *                    which to move to corrupt/, what to do with cleanup's
 *                    answer
 *   pickup_backoff.c when to try again a file that cleanup deferred
 *   pickup_file.c    one file: the validating pass, then the copy to
 *                    cleanup with the uid of the file's owner
 *   pickup_bounce.c  the notice to the sender when cleanup refuses (5xx)
 * Trust: a maildrop file comes from any local user (through postdrop) or
 * from root; nothing in it is trusted.  The submitter is the file's
 * owner, never a record in the file; only the record types and the few
 * attributes sendmail writes are passed on, never cleanup's control
 * attributes (hold=, discard=, prepend=) or flags other than -t.
 */
#ifndef HATO_PICKUP_H
#define HATO_PICKUP_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "cleanup_client.h"
#include "htable.h"
#include "params.h"

enum {
	PICKUP_BATCH = 256,			/* names read from maildrop/ at a time */
	PICKUP_BACKOFF_MIN = 60,		/* first wait after a deferral, seconds */
	PICKUP_ENVELOPE_MAX = 16 << 20,		/* = postdrop's POSTDROP_ENVELOPE_MAX */
	PICKUP_TMP_MAX_AGE = 24 * 3600,		/* an older tmp.* file is left over */
};

struct pickup_global {
	const struct params *cf;
	struct htable *retry;		/* file name -> when to try again (pickup_backoff.c) */
	unsigned long walk;		/* which walk of maildrop/ this is */
};

/* what the validating pass learned about a file */
struct pickup_info {
	uid_t uid;			/* the file's owner: the submitter */
	int flags;			/* CLEANUP_F_EXTRACT or 0 */
	char *sender;
	size_t nrcpt;			/* envelope recipients */
};

/* pickup_file.c: 0 fine, -1 malformed (why), -2 I/O error (why) */
int pickup_file_check(int fd, struct pickup_info *info_r, struct buf *why);
/* 0 with cleanup's answer in res, -1 cleanup could not be reached or failed (why) */
int pickup_file_send(int fd, const char *name, const struct pickup_info *info,
		     struct cleanup_result *res, struct buf *id_r, struct buf *why);
void pickup_file_info_free(struct pickup_info *info);

/* pickup_bounce.c: 0 sent (or nobody to tell), -1 try again later */
int pickup_bounce(const struct params *cf, int fd, const struct pickup_info *info,
		  const char *id, const struct cleanup_result *res);

/* pickup_backoff.c */
bool pickup_backoff_due(struct pickup_global *g, const char *name, time_t now);
long pickup_backoff_failed(struct pickup_global *g, const char *name, time_t now);
void pickup_backoff_sweep(struct pickup_global *g);

/* pickup_scan.c */
void pickup_scan(struct pickup_global *g);

#endif
