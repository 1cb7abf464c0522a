/* pop3mail - the POP3 mail process: one logged-in session, as the user
 * (docs/mail-access.md).
 *
 * master starts it as root for each connection on login/pop3.  It takes
 * the client from pop3d (login_handoff.h), has authd exchange the login
 * token for the user's record, counts the session against
 * mail_max_userip_connections, switches to the user (privdrop_login)
 * and only then reads the client: the TRANSACTION and UPDATE states of
 * RFC 1939 over the user's Maildir INBOX.
 *
 * main.c: the skeleton call.  pop3mail_login.c: the handoff, the token,
 * the switch.  pop3mail_box.c: the mailbox (lock, index, sizes, UIDLs,
 * the update at QUIT).  pop3mail_cmd.c: the commands.  pop3mail_copy.c:
 * a message with CRLF line ends and dot-stuffing, whole or TOP's part.
 */
#ifndef HATO_POP3MAIL_H
#define HATO_POP3MAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "params.h"
#include "stream.h"

/* --- pop3mail_box.c --- */
enum { POP3_BOX_IN_USE = 1 };

struct pop3_msg {
	uint32_t uid;
	char *name;			/* in cur/ */
	size_t base_len;
	off_t vsize;			/* with CRLF line ends; -1 until known */
	char *saved_uidl;		/* Dovecot's saved UIDL ('P'), or NULL */
	char *guid;			/* Dovecot's message GUID ('G'), or NULL */
	bool deleted, retrieved;
};

struct pop3_box {
	int dir_fd;			/* the Maildir (INBOX) */
	int lock_fd;
	struct mail_index *idx;
	uint32_t uidvalidity;
	size_t len;
	struct pop3_msg *msgs;		/* in UID order */
};

int pop3_box_open(const char *path, struct pop3_box **bp, struct buf *why);
int pop3_box_vsize(struct pop3_box *b, size_t i, off_t *vsize_r, struct buf *why);
int pop3_box_open_msg(struct pop3_box *b, size_t i, struct buf *why);
int pop3_box_uidl(struct pop3_box *b, size_t i, const char *format, struct buf *out,
		  struct buf *why);
int pop3_box_update(struct pop3_box *b, size_t *deleted_r, struct buf *why);
void pop3_box_close(struct pop3_box **bp);

/* --- pop3mail_copy.c: a message file as RETR and TOP send it --- */
struct pop3_copy {
	bool line_start, cr, in_header;
	long body_lines;		/* TOP's lines still to send; -1: all */
	bool stop;			/* TOP has sent its lines */
};

void pop3_copy_init(struct pop3_copy *cp, long body_lines);
void pop3_copy_bytes(struct pop3_copy *cp, const char *p, size_t n, struct buf *out);
void pop3_copy_end(struct pop3_copy *cp, struct buf *out);

/* --- pop3mail_cmd.c --- */
struct pop3mail {
	const struct params *cf;
	struct stream *s;
	struct pop3_box *box;
	const char *user;
	bool done;
	unsigned long top_n, retr_n, dele_n;
	off_t top_bytes, retr_bytes;
};

void pop3mail_serve(struct pop3mail *m);

/* --- pop3mail_login.c --- */
struct server_info;
void pop3mail_login_init(const struct server_info *si);
void pop3mail_login(int fd);

#endif
