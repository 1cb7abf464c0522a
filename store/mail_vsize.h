/* mail_vsize - a message's virtual size: its bytes with every LF that is
 * not preceded by CR counted as CRLF, the size POP3 LIST/RETR and IMAP
 * RFC822.SIZE report for a file stored with bare LF line ends (what
 * Dovecot writes as ",W=<vsize>" in a Maildir file name).
 *
 *   struct mail_vsize v = { 0 };
 *   mail_vsize_add(&v, data, len);      // as the bytes are written
 *   ... v.size, v.vsize
 *   mail_vsize_fd(fd, limit, &vsize);   // a stored file, read again
 *
 * The counter carries whether the last byte seen was CR, so a CR at the
 * end of one piece and LF at the start of the next is one CRLF.
 * mail_vsize_fd reads the file from offset 0 with pread through a fixed
 * buffer (never the whole file in memory) and leaves the file offset
 * alone.  Errors: -1 with errno (EFBIG: the file has more than limit
 * bytes, a limit of 0 meaning none).  Trust: the file is the user's;
 * only its length matters, bounded by limit.
 */
#ifndef HATO_MAIL_VSIZE_H
#define HATO_MAIL_VSIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum { MAIL_VSIZE_BUF = 16 * 1024 };	/* bytes read at a time */

/* a running count */
struct mail_vsize {
	off_t size;			/* bytes seen */
	off_t vsize;			/* the same with bare LF as CRLF */
	bool last_cr;			/* the last byte seen was CR */
};

void mail_vsize_add(struct mail_vsize *v, const void *data, size_t len);
int mail_vsize_fd(int fd, off_t limit, off_t *vsize_r);

#endif
