/* cleanup - private interface of the cleanup service.
 *
 * cleanup is the only program that writes queue files into incoming/.
 * One process serves one client (smtpd or pickup) at a time: it creates
 * the queue file, answers with the queue ID, reads the client's record
 * stream (cleanup_session.c), rewrites the envelope (cleanup_envelope.c:
 * canonical_maps, virtual_alias_maps, always_bcc), passes the content
 * through the header/body pass (cleanup_message.c), commits the file
 * durably and only then answers 250; finally it wakes the queue manager.
 */
#ifndef HATO_CLEANUP_H
#define HATO_CLEANUP_H

#include <stdbool.h>

#include "buf.h"
#include "config.h"
#include "maps.h"
#include "params.h"
#include "strv.h"

struct cleanup_global {
	const struct params *cf;
	struct config *config;
	struct maps *header_checks, *mime_header_checks, *nested_header_checks, *body_checks;
	struct maps *canonical, *sender_canonical, *recipient_canonical, *virtual_alias;
	struct strv *mydestination;
};

/* cleanup_envelope.c: 0 done, -1 temporary failure (why says which table) */
int cleanup_rewrite_sender(struct cleanup_global *g, const char *in, struct buf *out,
			   struct buf *why);
int cleanup_expand_rcpt(struct cleanup_global *g, const char *rcpt, struct strv *out,
			struct buf *why);
void cleanup_envelope_init(struct cleanup_global *g);

/* cleanup_maildrop.c: the queue file for pickup's maildrop/NAME */
enum maildrop_claim {
	MAILDROP_NEW,		/* *qf_r is incoming/NAME */
	MAILDROP_QUEUED,	/* queued already: answer 250, make nothing */
	MAILDROP_FAILED,	/* why says; answer 4xx */
};
struct qfile_out;
enum maildrop_claim cleanup_maildrop_claim(const char *name, struct qfile_out **qf_r,
					   int *lock_r, struct buf *why);

/* cleanup_session.c */
void cleanup_session(struct cleanup_global *g, int fd);

#endif
