/* imapmail_search - IMAP SEARCH (RFC 9051 6.4.4, RFC 3501 6.4.4) and its
 * ESEARCH results (RFC 4731): the search program parsed from a
 * command's arguments, evaluated per message, and the answer written.
 *
 *   struct imapmail_search *s;
 *   rc = imapmail_search_parse(c->args, c->args_len, &s, why);
 *        // -1: "TAG BAD <why>"; -2: "TAG NO <why>" ([BADCHARSET ...])
 *   for each message (seq 1..n):
 *       m.fd = imapmail_search_needs_file(s) ? open(...) : -1;
 *       if (imapmail_search_match(s, &m, n, last_uid) == 1) hits[k++] = uid or seq;
 *   imapmail_search_result(s, tag, uid_cmd, rev2, hits, k, out);  // untagged lines
 *   imapmail_search_free(&s);
 *
 * The arguments are what follows SEARCH (or UID SEARCH): "[RETURN (...)]
 * [CHARSET name] key...".  Every key of RFC 9051 and RFC 3501 is taken,
 * with parenthesised groups, OR, NOT, sequence and UID sets, '$' (the
 * saved result, RFC 5182, given with imapmail_search_set_saved),
 * MODSEQ (RFC 7162, matched against m->modseq), and OLDER / YOUNGER
 * (WITHIN, RFC 5032: the internal date before, or at or after, that many
 * seconds before the command, as Dovecot compares them).  CHARSET is UTF-8 or
 * US-ASCII; another gives -2 and "[BADCHARSET (UTF-8 US-ASCII)] ...".
 * Errors for BAD use Dovecot 2.3's words (it adds "Error in IMAP
 * command SEARCH: " before them; the caller may too).
 * Evaluation: flags, keywords, sizes, internal dates, sets and MODSEQ
 * decide first; then, when the caller gave m->envelope (the index's
 * cached Date, Subject, From, Sender, Reply-To, To, Cc, Bcc,
 * In-Reply-To and Message-ID fields), the HEADER keys on those fields
 * (SUBJECT, FROM ...) and SENT* dates; only a message still left open
 * has its file read (m->fd, from offset 0, once for all its text keys
 * and SENT* dates).  The envelope's fields are read exactly as the
 * file's header would be, so the answer is the same either way.
 * match gives 1 (hit), 0 (no) or -1: the file was needed and could
 * not be read (m->fd -1 or a read error); the caller counts it as no
 * hit (Dovecot does the same for a message expunged under it), or,
 * having given no fd, opens the file and asks again:
 *       m.envelope = imapmail_search_envelope_helps(s) ? cached : NULL;
 *       if ((rc = match(s, &m, ...)) < 0 && needs_file) { m.fd = open(...); rc = match(...); }
 * Text keys match substrings without case (Unicode simple upper case,
 * Latin letters also without their accents, as Dovecot's
 * i;unicode-casemap) on MIME-decoded UTF-8: RFC 2047 words in header
 * values, base64 / quoted-printable text parts in their charset.  As in
 * Dovecot, SUBJECT reads runs of white space as one space, FROM/TO/CC/
 * BCC read the field without comments' parentheses and with white space
 * squeezed, HEADER reads the value as it is, TEXT sees "Name: value" of
 * every header block and BODY only text and message parts.
 * Dates: BEFORE/ON/SINCE take the internal date's day in the server's
 * zone, SENT* the Date: field's day in its own zone (RFC 9051 6.4.4).
 * Trust: the arguments come from the logged-in client, the files from
 * anyone who sent mail; nesting is bounded by the command reader's
 * depth limit and again here (IMAPMAIL_SEARCH_DEPTH_MAX).
 */
#ifndef HATO_IMAPMAIL_SEARCH_H
#define HATO_IMAPMAIL_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "imap_parse.h"

enum { IMAPMAIL_SEARCH_DEPTH_MAX = 100 };

/* RETURN options (RFC 4731, RFC 5182, RFC 5267 section 4) */
enum imapmail_search_return {
	IMAPMAIL_SEARCH_RET_MIN = 1 << 0,
	IMAPMAIL_SEARCH_RET_MAX = 1 << 1,
	IMAPMAIL_SEARCH_RET_ALL = 1 << 2,
	IMAPMAIL_SEARCH_RET_COUNT = 1 << 3,
	IMAPMAIL_SEARCH_RET_SAVE = 1 << 4,
	IMAPMAIL_SEARCH_RET_PARTIAL = 1 << 5,
	IMAPMAIL_SEARCH_RET_UPDATE = 1 << 6,
	IMAPMAIL_SEARCH_RET_CONTEXT = 1 << 7,
};

/* the RETURN list as parsed (imapmail_search_return.c) */
struct imapmail_return {
	unsigned ret;			/* enum imapmail_search_return */
	int64_t partial[2];		/* PARTIAL's range as given: both > 0, or
					 * both < 0 (RFC 9394: from the end) */
};

/* imapmail_return_parse - RETURN's list (a: IMAP_ARG_LIST) into r: 0, or
 * -1 with why (Dovecot's words where it has them).  An empty list, or
 * one of only UPDATE / CONTEXT, is ALL (RFC 4731 3.1, RFC 5267 4.3);
 * PARTIAL with ALL, or twice, is refused (RFC 5267 4.4). */
int imapmail_return_parse(const struct imap_arg *a, struct imapmail_return *r, struct buf *why);
/* imapmail_return_slice - the places [*from, *to) of n results that
 * PARTIAL names (empty when none) */
void imapmail_return_slice(const struct imapmail_return *r, size_t n, size_t *from, size_t *to);
/* imapmail_return_answers - RETURN asks for an ESEARCH answer (not SAVE
 * alone, with or without UPDATE and CONTEXT) */
bool imapmail_return_answers(const struct imapmail_return *r);

struct imapmail_search_msg {
	uint32_t seq, uid;
	uint64_t modseq;
	const char *flags;		/* Maildir letters D F P R S T */
	const char *const *keywords;	/* names; n_keywords */
	size_t n_keywords;
	bool recent;
	off_t size;			/* RFC822.SIZE: CRLF-counted */
	time_t internal_date;		/* the file's mtime */
	int fd;				/* the message file, or -1 */
	const char *envelope;		/* or NULL: its envelope fields as */
	size_t envelope_len;		/* mime_parts.h keeps them (cached) */
};

struct imapmail_search;

/* imapmail_search_parse - 0 with *sp; -1 (BAD) or -2 (NO) with why */
int imapmail_search_parse(const struct imap_arg *args, size_t n, struct imapmail_search **sp,
			  struct buf *why);
/* imapmail_search_needs_file - some key may need the message file */
bool imapmail_search_needs_file(const struct imapmail_search *s);
/* imapmail_search_envelope_helps - some key may be answered from the
 * envelope fields (a HEADER key on one of them, a SENT* date) */
bool imapmail_search_envelope_helps(const struct imapmail_search *s);
/* imapmail_search_needs_size - some key compares m->size (LARGER,
 * SMALLER): the caller gives the true RFC822.SIZE, counting it from the
 * file if its index does not have it */
bool imapmail_search_needs_size(const struct imapmail_search *s);
/* imapmail_search_uses_saved - the program refers to '$' */
bool imapmail_search_uses_saved(const struct imapmail_search *s);
/* imapmail_search_set_saved - the saved result's UIDs for '$' (sorted
 * ascending; copied) */
void imapmail_search_set_saved(struct imapmail_search *s, const uint32_t *uids, size_t n);
/* imapmail_search_match - does m match: 1, 0, or -1 (file needed, unreadable) */
int imapmail_search_match(struct imapmail_search *s, const struct imapmail_search_msg *m,
			  uint32_t last_seq, uint32_t last_uid);
/* imapmail_search_return - the RETURN options (0: none given) */
unsigned imapmail_search_return(const struct imapmail_search *s);
/* imapmail_search_returns - the RETURN list (ret 0: none given) */
const struct imapmail_return *imapmail_search_returns(const struct imapmail_search *s);
/* imapmail_search_volatile - the program's answer for a message may
 * change though the message did not (sequence numbers, '*', \Recent,
 * OLDER / YOUNGER): CONTEXT's updates evaluate every message again */
bool imapmail_search_volatile(const struct imapmail_search *s);
/* imapmail_search_uses_modseq - the program has a MODSEQ key: the
 * caller enables CONDSTORE (RFC 7162 3.1) and gives the hits' highest
 * modseq to imapmail_search_result */
bool imapmail_search_uses_modseq(const struct imapmail_search *s);
/* imapmail_search_result - the untagged answer for hits (ascending):
 * "* SEARCH ..." unless RETURN was given or esearch (IMAP4rev2 enabled)
 * asks for "* ESEARCH (TAG "t") [UID] ..."; nothing for RETURN (SAVE)
 * alone.  With a MODSEQ key and hits, " (MODSEQ m)" ends SEARCH and
 * " MODSEQ m" ESEARCH (RFC 7162 3.1.5), m being highest_modseq.
 * Appended to out with CRLF. */
void imapmail_search_result(const struct imapmail_search *s, const char *tag, bool uid,
			    bool esearch, const uint32_t *hits, size_t n, uint64_t highest_modseq,
			    struct buf *out);
void imapmail_search_free(struct imapmail_search **sp);

/* imapmail_search_esearch - the ESEARCH line of hits (in their order),
 * for SEARCH and ESORT; PARTIAL (RFC 5267 4.4) sliced from them; MODSEQ
 * when modseq > 0 */
void imapmail_search_esearch(const struct imapmail_return *r, const char *tag, bool uid,
			     const uint32_t *hits, size_t n, uint64_t modseq, struct buf *out);
/* imapmail_search_tag - "* ESEARCH (TAG "t")" */
void imapmail_search_tag(const char *tag, struct buf *out);

#endif
