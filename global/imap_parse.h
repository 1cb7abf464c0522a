/* imap_parse - one IMAP command, read from a stream with its literals
 * (RFC 9051 and RFC 3501 section 9, RFC 7888 LITERAL+ and LITERAL-,
 * RFC 3516 literal8), for imapd (before login) and imapmail (after it).
 *
 *   struct imap_cmd *c = imap_cmd_new();
 *   switch (imap_cmd_read(s, &limits, c)) {
 *   case IMAP_CMD_OK:    c->tag, c->name (upper case), c->args[0..args_len)
 *   case IMAP_CMD_BAD:   answer "<c->tag> BAD <c->error>" ("*" when no tag
 *                        was read), then read the next command
 *   case IMAP_CMD_CLOSE: answer "* BYE <c->error>" and close
 *   case IMAP_CMD_EOF:   the stream ended (stream_error() says how)
 *   }
 *   imap_cmd_free(&c);
 *
 * Reading: a line, and when it ends in a literal's "{n}" (or "{n+}",
 * "~{n}"), the literal's n bytes, then the rest of the command on the
 * next line, and so on.  A synchronising literal within the limits gets
 * "+ OK\r\n" (flushed) before its bytes are read; one over the limit gets
 * the command's BAD and nothing is read of it (the client waits for the
 * continuation it will not get).  A non-synchronising literal over 4096
 * bytes where only LITERAL- is announced, or over literal_max, cannot be
 * skipped safely: IMAP_CMD_CLOSE.
 * Grammar (what a server must take): tag = 1*<ASTRING-CHAR except "+">;
 * the command name an atom; arguments separated by single spaces (runs
 * of spaces are taken, as Dovecot takes them): atoms, "quoted" strings
 * (backslash escapes only '"' and '\'), literals, NIL, and parenthesised
 * lists, nested.  An atom that holds '[' runs to its matching ']' and
 * may hold spaces and parentheses there (FETCH's
 * "BODY[HEADER.FIELDS (From To)]<0.100>" is one atom).  Quoted strings
 * hold no CR, LF or NUL; 8-bit bytes are taken (UTF-8 mailbox names).
 * Limits (imap_limits): bytes of one line, bytes of one literal, bytes
 * of all literals of a command, arguments (counting list members),
 * nesting depth.  Input is hostile: nothing is allocated beyond them.
 */
#ifndef HATO_IMAP_PARSE_H
#define HATO_IMAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "stream.h"

enum {
	IMAP_TAG_MAX = 64,
	IMAP_NAME_MAX = 32,
	IMAP_LITERAL_MINUS_MAX = 4096,	/* RFC 7888 LITERAL- */
};

struct imap_limits {
	size_t line_max;		/* bytes of one line, with CRLF */
	size_t literal_max;		/* bytes of one literal */
	size_t command_max;		/* bytes of all the literals of one command */
	size_t args_max;		/* arguments, list members counted */
	unsigned depth_max;		/* nested lists */
	bool literal_plus;		/* LITERAL+ announced (else LITERAL-) */
};

enum imap_arg_type {
	IMAP_ARG_ATOM,
	IMAP_ARG_STRING,		/* quoted */
	IMAP_ARG_LITERAL,
	IMAP_ARG_NIL,
	IMAP_ARG_LIST,
};

struct imap_arg {
	enum imap_arg_type type;
	char *str;			/* ATOM, STRING, LITERAL: NUL-terminated */
	size_t len;			/* bytes of str (a literal may hold NULs) */
	bool literal8;			/* ~{n} */
	struct imap_arg *list;		/* LIST: its members */
	size_t list_len;
};

enum imap_cmd_rc { IMAP_CMD_OK, IMAP_CMD_BAD, IMAP_CMD_CLOSE, IMAP_CMD_EOF };

struct imap_cmd_int;

struct imap_cmd {
	char tag[IMAP_TAG_MAX + 1];	/* "" until read */
	char name[IMAP_NAME_MAX + 1];	/* upper case */
	struct imap_arg *args;
	size_t args_len;
	const char *error;		/* IMAP_CMD_BAD, IMAP_CMD_CLOSE */
	struct imap_cmd_int *in;	/* the parser's own */
};

struct imap_cmd *imap_cmd_new(void);
void imap_cmd_free(struct imap_cmd **cp);
/* imap_cmd_read - the next command from s (see above); the previous
 * command's arguments are freed */
enum imap_cmd_rc imap_cmd_read(struct stream *s, const struct imap_limits *lim,
			       struct imap_cmd *c);
/* imap_cmd_parse_line - the same on a whole command in memory, literals
 * inline after their "{n}\r\n" (tests, fuzzing, AUTHENTICATE lines) */
enum imap_cmd_rc imap_cmd_parse_line(const char *data, size_t len, const struct imap_limits *lim,
				     struct imap_cmd *c);

/* imap_arg_astring - an atom, quoted string or literal without NUL: its
 * text in *s_r (true), else false */
bool imap_arg_astring(const struct imap_arg *a, const char **s_r);
/* imap_arg_nstring - the same, or NIL (*s_r NULL) */
bool imap_arg_nstring(const struct imap_arg *a, const char **s_r);
/* imap_arg_atom_is - a is the atom word, compared without case */
bool imap_arg_atom_is(const struct imap_arg *a, const char *word);
/* imap_arg_number - an atom of digits that fits in 32 bits (nz: not 0) */
bool imap_arg_number(const struct imap_arg *a, bool nz, uint32_t *n_r);
/* imap_arg_number64 - an atom of digits up to 2^63-1 (MODSEQ) */
bool imap_arg_number64(const struct imap_arg *a, uint64_t *n_r);

#endif
