/* qrec - typed queue records: one codec for queue files and for the
 * smtpd/pickup -> cleanup stream.  Format: docs/queue-format.md.
 *
 * A record is one type byte, the payload length as a base-128 varint (low
 * 7 bits first, high bit = more, 1 to 5 bytes, minimal, <= QREC_MAX_LEN),
 * then the payload (binary-safe).
 *   Writer:  qrec_put(out, QREC_SENDER, p, len); qrec_put_str(); qrec_putf();
 *            qrec_put_line(out, p, len, partial) splits long lines into 'P's.
 *   Reader:  r = qrec_reader_fd(fd, timeout_ms) or qrec_reader_mem(p, len);
 *            while ((rc = qrec_get(r, &type, payload, QREC_MAX_LEN, why)) > 0) ...
 *            qrec_get: 1 record, 0 clean EOF at a record boundary, -1 error
 *            (truncated, over-long, bad varint, timeout, I/O); why says which
 *            and at what offset.  A length is checked before any allocation.
 *   Checker: qrec_check_init/record/end validate record order and payloads
 *            (QREC_CHECK_FILE for queue files, QREC_CHECK_STREAM for the
 *            cleanup stream); qfile.c uses it when writing and when reading.
 * Everything read is untrusted: the stream comes from another process and a
 * queue file may have been damaged.
 */
#ifndef HATO_QREC_H
#define HATO_QREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

enum qrec_type {
	QREC_VERSION = 'V',	/* "hato-queue 1": first record of a file or stream */
	QREC_SIZE = 'C',	/* fixed-width sizes, see struct qrec_sizes */
	QREC_TIME = 'T',	/* arrival time "SEC.USEC" */
	QREC_FLAGS = 'F',	/* decimal flags */
	QREC_SENDER = 'S',	/* envelope sender, "" = null sender */
	QREC_ATTR = 'A',	/* "name=value" */
	QREC_ORCPT = 'O',	/* DSN ORCPT of the next recipient */
	QREC_NOTIFY = 'N',	/* DSN NOTIFY of the next recipient */
	QREC_RCPT = 'R',	/* recipient, pending */
	QREC_DONE = 'r',	/* recipient, done (the 'R' type byte rewritten) */
	QREC_MESG = 'M',	/* start of content */
	QREC_LINE = 'L',	/* content line without its line end */
	QREC_PART = 'P',	/* part of a line continued by the next L/P */
	QREC_XTRA = 'X',	/* end of content */
	QREC_EXTRACT = 'E',	/* start of the extracted-envelope section */
	QREC_WARN = 'W',	/* warning / information text */
	QREC_END = 'Z',		/* required last record */
};

enum {
	QREC_MAX_LEN = (1 << 20) + 4096,	/* largest payload of any record */
	QREC_LINE_CHUNK = 4096,			/* qrec_put_line splits longer lines */
	QREC_ADDR_MAX = 4096,			/* S, R, r, O payloads */
	QREC_VARINT_MAX = 5,			/* bytes of a length */
	QREC_SIZES_LEN = 63,			/* payload of 'C': "%15ld %15ld %15ld %15ld" */
};

#define QREC_VERSION_TEXT "hato-queue 1"

/* The 'C' record: fixed width so it can be rewritten in place. */
struct qrec_sizes {
	long content_offset;	/* file offset of the 'M' record */
	long content_size;	/* bytes of content with "\n" line ends */
	long xtra_offset;	/* file offset of the 'X' record */
	long rcpt_count;	/* 'R' + 'r' records, both sections */
};

/* writer */
int qrec_put(struct buf *out, int type, const void *p, size_t len);
int qrec_put_str(struct buf *out, int type, const char *s);
int qrec_putf(struct buf *out, int type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int qrec_put_line(struct buf *out, const void *p, size_t len, bool partial);
void qrec_put_sizes(struct buf *out, const struct qrec_sizes *s);
int qrec_sizes_parse(const char *p, size_t len, struct qrec_sizes *s_r);
size_t qrec_varint_put(unsigned char out[QREC_VARINT_MAX], uint32_t v);
/* qrec_varint_get - bytes used (1-5), 0 when more bytes are needed, -1 bad */
int qrec_varint_get(const unsigned char *p, size_t len, uint32_t *v_r);

/* reader */
struct qrec_reader;
struct qrec_reader *qrec_reader_fd(int fd, int timeout_ms);
struct qrec_reader *qrec_reader_mem(const void *p, size_t len);
void qrec_reader_free(struct qrec_reader **rp);
int qrec_get(struct qrec_reader *r, int *type_r, struct buf *payload, size_t max_len,
	     struct buf *why);
off_t qrec_reader_offset(const struct qrec_reader *r);
/* qrec_reader_is_io_error - the last -1 was I/O or a timeout, not bad data */
bool qrec_reader_is_io_error(const struct qrec_reader *r);
int qrec_reader_seek(struct qrec_reader *r, off_t offset, struct buf *why);

/* types */
bool qrec_type_known(int type);
const char *qrec_type_name(int type);

/* checker: record order and payload syntax */
enum qrec_check_mode {
	QREC_CHECK_FILE,	/* V C envelope(T S ...) M content X [E ...] Z, >= 1 rcpt */
	QREC_CHECK_STREAM,	/* V envelope(S ...) M content X [E ...] Z, no C/T/r */
};

struct qrec_check {
	enum qrec_check_mode mode;
	int section;		/* where we are in the file */
	int nsender, ntime, nflags;
	bool pending_orcpt, pending_notify;
	bool ended;			/* the end record was seen */
	struct qrec_sizes sizes;	/* as computed from the records seen */
	struct qrec_sizes claimed;	/* as the 'C' record says */
	long size_offset;		/* of the 'C' record, -1 if none */
	struct buf *attr_names;		/* "\0name\0name..." to find duplicates */
};

void qrec_check_init(struct qrec_check *c, enum qrec_check_mode mode);
void qrec_check_free(struct qrec_check *c);
int qrec_check_record(struct qrec_check *c, int type, const char *p, size_t len, off_t offset,
		      struct buf *why);
int qrec_check_end(struct qrec_check *c, struct buf *why);
int qrec_check_sizes(const struct qrec_check *c, struct buf *why);

#endif
