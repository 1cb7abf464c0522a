/* imapmail_sort - the message keys of SORT and THREAD (RFC 5256) and the
 * two threading algorithms, apart from the session (testable alone).
 *
 *   imapmail_sort_base_subject(raw, len, out, &reply); // section 2.1
 *   imapmail_sort_address(raw, len, display, out);     // FROM / DISPLAYFROM
 *   imapmail_sort_msgids(raw, len, ids);               // "<a@b>" ids
 *   imapmail_thread_write(msgs, n, references, out);   // "(1 2)(3 (4)(5))"
 *   imapmail_sortkeys_compute(env, len, hdr, out);     // a message's keys,
 *   imapmail_sortkeys_decode(data, len, &k);           //   as the cache keeps them
 *   imapmail_sortcache_order(m, key, &rank);           // the session's order
 *
 * Keys are compared with strcmp: the base subject and the address keys
 * are RFC 2047-decoded and folded as Dovecot 2.3 folds them (Unicode
 * upper case, Latin letters decomposed: i;unicode-casemap, which the
 * RFC allows in place of its i;ascii-casemap).  The base subject
 * follows section 2.1's steps exactly; reply is set when a "Re:",
 * "Fwd:", "(fwd)" or "[fwd: ...]" was removed (section 2.1 and the
 * REFERENCES step of merging by subject).  Address keys: the first
 * address's mailbox (local part) for FROM/TO/CC (section 3), its
 * display name, else "mailbox@domain", for DISPLAYFROM/DISPLAYTO (RFC
 * 5957); a group's name when the field starts with a group.
 * Threads: msgs in sequence order, each with its sent date (section
 * 2.2: the Date: field in UTC, else the internal date), base subject,
 * Message-ID and references; ties of dates go by sequence number.
 * ORDEREDSUBJECT and REFERENCES are section 3's algorithms; every walk
 * over the trees is iterative (a hostile References chain may be
 * 100,000 deep).  Input is the sender's: nothing is trusted, no
 * recursion, every loop bounded by the input.
 */
#ifndef HATO_IMAPMAIL_SORT_H
#define HATO_IMAPMAIL_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "strv.h"

struct imapmail_thread_msg {
	uint32_t seq;			/* 1-based; ties of dates */
	uint32_t id;			/* what the answer shows: seq or UID */
	time_t sent;
	const char *subject;		/* base subject */
	bool reply;			/* the subject was a reply or forward */
	const char *msgid;		/* "" or NULL: none */
	const struct strv *refs;	/* References, else In-Reply-To's first */
};

/* the string keys a message's sort keys hold (imapmail_sortkeys.c) */
enum imapmail_sort_str {
	IMAPMAIL_SORT_SUBJECT, IMAPMAIL_SORT_FROM, IMAPMAIL_SORT_TO, IMAPMAIL_SORT_CC,
	IMAPMAIL_SORT_DISPLAYFROM, IMAPMAIL_SORT_DISPLAYTO, IMAPMAIL_SORT_STRS,
	IMAPMAIL_SORT_DATE = IMAPMAIL_SORT_STRS,	/* orders: the sent date too, */
	IMAPMAIL_SORT_ARRIVAL,				/* and the internal date */
	IMAPMAIL_SORT_KEYS
};

/* one message's keys, as decoded: pointers into the entry */
struct imapmail_sortkeys {
	int64_t sent;			/* Date: in UTC; INT64_MIN: none */
	bool reply;			/* the base subject dropped a Re:/Fwd: */
	const char *str[IMAPMAIL_SORT_STRS];	/* folded keys */
	const char *msgid;		/* "": none */
	const char *refs;		/* n_refs ids, each after the other's NUL */
	uint32_t n_refs;		/* References, else In-Reply-To's first */
};

void imapmail_sortkeys_compute(const char *env, size_t env_len, const char *hdr,
			       struct buf *out);
bool imapmail_sortkeys_decode(const char *data, size_t len, struct imapmail_sortkeys *k);
void imapmail_sort_header_refs(const char *hdr, struct strv *ids);

/* imapmail_sortcache.c: the keys of every message of the selected
 * folder, kept by the session while its messages are the same (k[seq -
 * 1]); the order of the messages by one key (a string key, the sent or
 * the internal date: the places, 0-based, by the key then by place) and each one's
 * rank in it (equal keys, equal ranks).  Valid until the next call. */
struct imapmail;
struct imapmail_sortcache;
const struct imapmail_sortkeys *imapmail_sortcache_keys(struct imapmail *m);
const uint32_t *imapmail_sortcache_order(struct imapmail *m, enum imapmail_sort_str s,
					 const uint32_t **rank_r);
/* imapmail_sortcache_sent - message i's sent date: the Date: field, else
 * its internal date */
int64_t imapmail_sortcache_sent(const struct imapmail *m, const struct imapmail_sortkeys *k,
				size_t i);
void imapmail_sortcache_free(struct imapmail_sortcache **cp);

void imapmail_sort_base_subject(const char *raw, size_t len, struct buf *out, bool *reply_r);
void imapmail_sort_address(const char *raw, size_t len, bool display, struct buf *out);
void imapmail_sort_addresses(const char *raw, size_t len, struct buf *box_key,
			     struct buf *display);
/* imapmail_sort_msgids - the message ids of a References or
 * In-Reply-To value ("local@domain", without the angle brackets and
 * white space) added to ids; how many */
size_t imapmail_sort_msgids(const char *raw, size_t len, struct strv *ids);
/* imapmail_thread_write - the THREAD answer's threads (without "*
 * THREAD ") of msgs, by REFERENCES (else ORDEREDSUBJECT) */
void imapmail_thread_write(const struct imapmail_thread_msg *msgs, size_t n, bool references,
			   struct buf *out);

#endif
