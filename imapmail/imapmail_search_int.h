/* imapmail_search_int - the search program's tree, shared by the parser
 * (imapmail_search_parse.c), the evaluator (imapmail_search.c) and the
 * message reader (imapmail_search_text.c).  Private to those three.
 * A program is an AND of keys; OR has two children, NOT one, a group
 * any number.  Text values are kept folded (imapmail_search_fold), as
 * the message's text is, so matching is a plain substring search.
 */
#ifndef HATO_IMAPMAIL_SEARCH_INT_H
#define HATO_IMAPMAIL_SEARCH_INT_H

#include "imap_seqset.h"
#include "imapmail_search.h"

enum search_key_type {
	SK_ALL, SK_AND, SK_OR, SK_NOT,
	SK_SEQSET, SK_UIDSET, SK_SAVED,
	SK_FLAG,		/* flag: a Maildir letter, set or not (want) */
	SK_RECENT, SK_KEYWORD,
	SK_LARGER, SK_SMALLER, SK_MODSEQ,
	SK_BEFORE, SK_ON, SK_SINCE,
	SK_OLDER, SK_YOUNGER,	/* WITHIN: day is the cut, seconds since 1970 */
	SK_SENTBEFORE, SK_SENTON, SK_SENTSINCE,
	SK_HEADER,		/* name; value "" = has the field */
	SK_BODY, SK_TEXT,
};

/* how a header key reads its field (as Dovecot's header search types) */
enum search_hdr_mode {
	SH_PLAIN,		/* HEADER: the decoded value */
	SH_LWSP,		/* SUBJECT: white space runs as one space */
	SH_ADDRESS,		/* FROM TO CC BCC: comments and runs of space gone */
	SH_MODES,
};

struct search_key {
	enum search_key_type type;
	struct search_key *kids;	/* AND, OR, NOT */
	size_t n_kids;
	struct imap_seqset *set;	/* SEQSET, UIDSET */
	char flag;			/* FLAG: D F R S T */
	bool want;			/* FLAG, RECENT, KEYWORD: set or not */
	char *name;			/* KEYWORD; HEADER's field name */
	enum search_hdr_mode mode;	/* HEADER */
	struct buf *value;		/* HEADER, BODY, TEXT: folded */
	uint64_t num;			/* LARGER, SMALLER, MODSEQ */
	int64_t day;			/* dates */
	bool hit;			/* text keys, while a message is read */
	bool env;			/* HEADER on a field the envelope has */
};

struct imapmail_search {
	struct search_key root;		/* an AND */
	struct imapmail_return r;	/* RETURN (...) */
	bool ret_given;
	struct search_key **text;	/* the text keys, for the reader */
	size_t n_text;
	bool needs_date;		/* a SENT* key */
	bool uses_saved;
	bool uses_modseq;
	bool needs_size;
	bool volatile_keys;		/* imapmail_search_volatile */
	bool env_keys;			/* some HEADER key has env set */
	uint32_t *saved;
	size_t n_saved;
	struct reader *env_reader;	/* search_envelope_read's, kept */
};

/* what reading a message found, for the second evaluation */
struct search_file {
	int64_t sent_day;		/* the Date: field's day in its own zone
					 * (0, 1-Jan-1970, if none parsed) */
};

/* search_text_read - read fd's message once, setting hit on s->text keys
 * and filling f: 0, or -1 on a read error */
int search_text_read(struct imapmail_search *s, int fd, struct search_file *f);
/* search_envelope_read - the same from the cached envelope fields (len
 * bytes of "Name: value\n" lines), for the keys with env set */
void search_envelope_read(struct imapmail_search *s, const char *env, size_t len,
			  struct search_file *f);
/* search_reader_free - what search_envelope_read kept in s */
void search_reader_free(struct imapmail_search *s);
/* search_envelope_field - name is one of the envelope's fields */
bool search_envelope_field(const char *name);
/* search_fold - UTF-8 text folded for matching, appended to out */
void search_fold(const char *s, size_t len, struct buf *out);
void search_key_clear(struct search_key *k);

#endif
