/* sendmail - private interface of the Sendmail-compatible submission
 * command.
 *   sendmail_args.c    the command line into struct sendmail_opts
 *   sendmail_msg.c     the message text into content records: lines (CRLF
 *                      or LF), the lone "." (unless -i), long lines in
 *                      pieces, the header block held back to add From:
 *                      and to find -t recipients, the size limit
 *   sendmail_submit.c  the envelope, postdrop as a child, its exit status
 *   sendmail_modes.c   -bp, -bi, -q: run the tool that does the job
 *   sendmail_smtp.c    -bs: an SMTP dialog on stdin and stdout, each
 *                      message through postdrop as above
 * Trust: sendmail runs with the caller's rights only; everything it
 * writes is checked again by postdrop (set-group-ID) and by pickup.
 * Exit status (sysexits): 0 queued; EX_USAGE bad arguments or no
 * recipients; EX_DATAERR message too large; postdrop's status when it
 * failed with a sysexits code; EX_TEMPFAIL otherwise.
 */
#ifndef HATO_SENDMAIL_H
#define HATO_SENDMAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "params.h"
#include "strv.h"

enum sendmail_mode {
	SENDMAIL_SEND,			/* -bm, the default */
	SENDMAIL_NEWALIASES,		/* -bi, -I */
	SENDMAIL_MAILQ,			/* -bp */
	SENDMAIL_FLUSH,			/* -q */
	SENDMAIL_SMTP,			/* -bs */
	SENDMAIL_UNSUPPORTED,		/* -bd, -bv, ... */
};

struct sendmail_opts {
	enum sendmail_mode mode;
	const char *mode_name;		/* "-bd" for SENDMAIL_UNSUPPORTED */
	const char *config_dir;		/* -C, NULL: $HATO_CONFIG or the default */
	const char *sender;		/* -f / -r, NULL: the login name */
	const char *full_name;		/* -F */
	const char *notify;		/* -N, NULL: none */
	const char *ret;		/* -R: "full" or "hdrs" */
	const char *envid;		/* -V */
	bool extract;			/* -t */
	bool ignore_dots;		/* -i, -oi */
	struct strv *rcpts;		/* the arguments after the options */
};

/* sendmail_args.c: 0, or -1 with a message in why */
int sendmail_args_parse(int argc, char **argv, struct sendmail_opts *o, struct buf *why);
void sendmail_args_free(struct sendmail_opts *o);

/* sendmail_msg.c */
typedef void sendmail_emit_fn(void *ctx, int type, const char *p, size_t len);

struct sendmail_msg_opts {
	bool ignore_dots;		/* -i: a lone "." is content */
	const char *from_line;		/* added when the headers have no From:; NULL none */
	long size_limit;		/* content bytes with "\n" line ends; 0 none */
};

enum sendmail_msg_status { SENDMAIL_MSG_MORE, SENDMAIL_MSG_DOT, SENDMAIL_MSG_TOO_BIG };

struct sendmail_msg;
struct sendmail_msg *sendmail_msg_new(const struct sendmail_msg_opts *o, sendmail_emit_fn *emit,
				      void *ctx);
enum sendmail_msg_status sendmail_msg_input(struct sendmail_msg *m, const char *p, size_t len);
enum sendmail_msg_status sendmail_msg_end(struct sendmail_msg *m);
/* addresses in To:, Cc:, Bcc: (for -t) */
size_t sendmail_msg_header_rcpts(const struct sendmail_msg *m);
void sendmail_msg_free(struct sendmail_msg **mp);

/* sendmail_submit.c: the exit status */
int sendmail_submit(const struct sendmail_opts *o, const struct params *cf);
void sendmail_find_program(const struct params *cf, const char *name, struct buf *out);
/* authorized_submit_users: returns when the caller may submit, else exits */
void sendmail_check_submit_users(const struct params *cf);
/* one message of -bs: see sendmail_submit.c */
struct sendmail_tx;
struct sendmail_tx *sendmail_tx_begin(const struct sendmail_opts *o, const struct params *cf,
				      const char *sender, const struct strv *rcpts);
bool sendmail_tx_write(struct sendmail_tx *tx, const char *p, size_t len);
int sendmail_tx_end(struct sendmail_tx **txp, bool commit);

/* sendmail_smtp.c: -bs, SMTP on stdin and stdout; the exit status.
 * sendmail_smtp_session - the dialog alone: each message to q (begin
 * with MAIL's and RCPT's addresses, write its content lines, end: 0
 * queued, EX_DATAERR too big, else a temporary failure) */
struct sendmail_smtp_queue {
	void *(*begin)(void *ctx, const char *sender, const struct strv *rcpts);
	bool (*write)(void *tx, const char *p, size_t len);
	int (*end)(void *tx, bool commit);
	void *ctx;
};
int sendmail_smtp(const struct sendmail_opts *o, const struct params *cf);
void sendmail_smtp_session(const struct params *cf, int in_fd, int out_fd,
			   const struct sendmail_smtp_queue *q);
void sendmail_from_line(const char *full_name, const char *sender, const char *origin,
			struct buf *out);

/* sendmail_modes.c: the exit status */
int sendmail_run_mode(const struct sendmail_opts *o, const struct params *cf);

#endif
