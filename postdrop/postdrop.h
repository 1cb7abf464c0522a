/* postdrop - private interface of the set-group-ID gate into maildrop/.
 *
 * postdrop reads one submission from stdin (the record stream sendmail
 * writes: V F A S [O N] R ... M L/P ... X Z, global/qrec.h), checks it
 * record by record, writes it to maildrop/tmp.ID (mode 0444, owned by the
 * invoking user: pickup takes the submitter's uid from the file owner),
 * fsyncs, renames it to maildrop/ID and wakes pickup through public/pickup.
 *   postdrop_env.c   a clean process: fds, umask, environment, signals;
 *                    which configuration directory a caller may name
 *   postdrop_copy.c  stdin -> maildrop/ID, the checks and the commit
 * Trust: stdin, argv and the environment belong to the invoking user, who
 * may be anyone on the host; postdrop runs with the setgid_group's rights.
 * Exit status: 0 queued; EX_USAGE bad arguments; EX_DATAERR a malformed
 * or over-sized submission; EX_TEMPFAIL everything else (configuration,
 * privileges, disk): the caller keeps the message and may try again.
 */
#ifndef HATO_POSTDROP_H
#define HATO_POSTDROP_H

#include <stdbool.h>

#include "config.h"
#include "params.h"

enum {
	/* envelope bytes (everything but content) a submission may carry;
	 * pickup/pickup.h PICKUP_ENVELOPE_MAX must be at least this */
	POSTDROP_ENVELOPE_MAX = 16 << 20,
};

/* postdrop_env.c */
void postdrop_sanitize(char **config_env_r);
bool postdrop_is_setid(void);
struct config *postdrop_config(const char *dir);
void postdrop_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void postdrop_set_tmp(int dirfd, const char *name);

/* postdrop_copy.c */
void postdrop_copy(const struct params *cf);

#endif
