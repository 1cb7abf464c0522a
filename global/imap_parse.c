/* imap_parse - the IMAP command reader (see imap_parse.h): a tokenizer
 * over the command's bytes (its lines, each literal's bytes inline after
 * its "{n}\r\n"), resumable at each literal, and two drivers: one that
 * reads lines and literals from a stream, one over memory.
 * Errors: IMAP_CMD_BAD or IMAP_CMD_CLOSE with c->error in Dovecot 2.3's
 * words (lib-imap/imap-parser.c's texts, "Error in IMAP command received
 * by server." where its login process says only that).
 * Trust: every byte comes from an unauthenticated client.  What is kept
 * is bounded by the limits: the command's line bytes (line_max in all,
 * literals not counted, as Dovecot counts imap_max_line_length), its
 * literal bytes (command_max), its arguments (args_max) and the list
 * stack (depth_max).  Quoted strings: "\x" is taken as x, as Dovecot
 * unescapes (only '"' and '\' need it).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_parse.h"
#include "mem.h"

static const char generic_error[] = "Error in IMAP command received by server.";
static const char too_long[] = "Too long argument.";
static const char literal_too_large[] = "Literal size too large";

enum step { STEP_DONE, STEP_BAD, STEP_CLOSE, STEP_LITERAL, STEP_EOF };
enum { TAIL_MAX = 32, SKIP_CHUNK = 4096 };
enum stage { STAGE_TAG, STAGE_NAME, STAGE_ARGS };

struct frame {			/* a list being read (frames[0]: the command's) */
	struct imap_arg *items;
	size_t len, cap;
};

struct imap_cmd_int {
	struct buf *data;	/* the command's bytes so far */
	size_t pos;		/* the next byte to parse */
	size_t line_bytes;	/* bytes of the command's lines (not literals) */
	enum stage stage;
	struct frame *frames;
	size_t depth, frames_cap;	/* frames[0..depth] are open */
	size_t nargs, literal_bytes;
	uint64_t lit_size;	/* STEP_LITERAL: the literal that follows */
	bool lit_sync, lit8;
	bool need_line;		/* a literal was read: a line must follow */
	char tail[TAIL_MAX + 1];	/* the end of the last line read */
};

/* args_free - an argument array and everything under it */
static void args_free(struct imap_arg *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i].type == IMAP_ARG_LIST)
			args_free(a[i].list, a[i].list_len);
		if (a[i].str) {
			explicit_bzero(a[i].str, a[i].len);	/* a password */
			free(a[i].str);
		}
	}
	free(a);
}

/* reset - forget the previous command */
static void reset(struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;

	for (size_t i = 0; i <= in->depth; i++)
		args_free(in->frames[i].items, in->frames[i].len);
	args_free(c->args, c->args_len);
	c->args = NULL;
	c->args_len = 0;
	memset(in->frames, 0, in->frames_cap * sizeof(*in->frames));
	explicit_bzero(in->data->data, buf_len(in->data));
	buf_reset(in->data);
	in->pos = in->line_bytes = in->depth = in->nargs = in->literal_bytes = 0;
	in->stage = STAGE_TAG;
	in->need_line = false;
	in->tail[0] = '\0';
	c->tag[0] = c->name[0] = '\0';
	c->error = NULL;
}

/* imap_cmd_new - an empty command */
struct imap_cmd *imap_cmd_new(void)
{
	struct imap_cmd *c = xmalloc(sizeof(*c));

	c->in = xmalloc(sizeof(*c->in));
	c->in->data = buf_new(256);
	c->in->frames_cap = 4;
	c->in->frames = xcalloc(c->in->frames_cap, sizeof(*c->in->frames));
	return c;
}

/* imap_cmd_free - the command and its arguments */
void imap_cmd_free(struct imap_cmd **cp)
{
	struct imap_cmd *c = *cp;

	if (c == NULL)
		return;
	reset(c);
	free(c->in->frames);
	buf_free(&c->in->data);
	free(c->in);
	free(c);
	*cp = NULL;
}

/* bad - end the command with an error */
static enum step bad(struct imap_cmd *c, const char *error)
{
	c->error = error;
	return STEP_BAD;
}

/* add_arg - a new argument in the innermost open list, or NULL when
 * there are too many */
static struct imap_arg *add_arg(struct imap_cmd *c, const struct imap_limits *lim,
				enum imap_arg_type type, const char *s, size_t n)
{
	struct imap_cmd_int *in = c->in;
	struct frame *f = &in->frames[in->depth];
	struct imap_arg *a;

	if (++in->nargs > lim->args_max)
		return NULL;
	if (f->len == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		f->items = xrealloc(f->items, f->cap * sizeof(*f->items));
	}
	a = &f->items[f->len++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	if (type != IMAP_ARG_LIST) {
		a->str = xmalloc(n + 1);
		memcpy(a->str, s, n);
		a->len = n;
	}
	return a;
}

/* open_list - "(" */
static enum step open_list(struct imap_cmd *c, const struct imap_limits *lim)
{
	struct imap_cmd_int *in = c->in;

	if (in->depth + 1 > lim->depth_max)
		return bad(c, "Too many '('");
	if (add_arg(c, lim, IMAP_ARG_LIST, NULL, 0) == NULL)
		return bad(c, "Too many arguments.");
	if (in->depth + 1 >= in->frames_cap) {
		in->frames = xrealloc(in->frames, 2 * in->frames_cap * sizeof(*in->frames));
		memset(in->frames + in->frames_cap, 0, in->frames_cap * sizeof(*in->frames));
		in->frames_cap *= 2;
	}
	in->depth++;
	memset(&in->frames[in->depth], 0, sizeof(in->frames[in->depth]));
	return STEP_DONE;
}

/* close_list - ")": the list becomes its parent's last member */
static enum step close_list(struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;
	struct frame *f, *parent;

	if (in->depth == 0)
		return bad(c, "Unexpected ')'");
	f = &in->frames[in->depth];
	parent = &in->frames[in->depth - 1];
	parent->items[parent->len - 1].list = f->items;
	parent->items[parent->len - 1].list_len = f->len;
	memset(f, 0, sizeof(*f));
	in->depth--;
	return STEP_DONE;
}

/* is_tag_char - ASTRING-CHAR but '+' (RFC 9051 "tag") */
static bool is_tag_char(unsigned char ch)
{
	return ch > ' ' && ch < 0x7f && strchr("(){%*\"\\+", ch) == NULL;
}

/* is_atom_stop - where an atom ends (Dovecot takes ']', '%', '*' and
 * '\' in atoms: FETCH sections, LIST patterns, flags) */
static bool is_atom_stop(unsigned char ch)
{
	return ch <= ' ' || ch == 0x7f || ch == '(' || ch == ')' || ch == '{' || ch == '"';
}

/* read_tag - the tag and its space */
static enum step read_tag(struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;
	const unsigned char *p = (const unsigned char *)buf_str(in->data) + in->pos;
	size_t n = 0;

	while (in->pos + n < buf_len(in->data) && is_tag_char(p[n]))
		n++;
	if (n == 0 || n > IMAP_TAG_MAX)
		return bad(c, generic_error);
	if (in->pos + n < buf_len(in->data) && !strchr(" \r\n", p[n] ? p[n] : 'x'))
		return bad(c, generic_error);	/* no tag: "*" answers */
	memcpy(c->tag, p, n);
	c->tag[n] = '\0';
	in->pos += n;
	if (in->pos == buf_len(in->data) || p[n] != ' ')
		return bad(c, generic_error);
	in->pos++;
	in->stage = STAGE_NAME;
	return STEP_DONE;
}

/* read_name - the command name, upper case */
static enum step read_name(struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;
	const unsigned char *p = (const unsigned char *)buf_str(in->data) + in->pos;
	size_t n = 0;

	while (in->pos + n < buf_len(in->data) && !is_atom_stop(p[n]) && p[n] < 0x80)
		n++;
	if (n == 0 || n > IMAP_NAME_MAX)
		return bad(c, generic_error);
	for (size_t i = 0; i < n; i++)
		c->name[i] = (char)toupper(p[i]);
	c->name[n] = '\0';
	in->pos += n;
	if (in->pos < buf_len(in->data) && p[n] != ' ' && p[n] != '\r' && p[n] != '\n')
		return bad(c, generic_error);
	in->stage = STAGE_ARGS;
	return STEP_DONE;
}

/* read_quoted - a "quoted" string */
static enum step read_quoted(struct imap_cmd *c, const struct imap_limits *lim)
{
	struct imap_cmd_int *in = c->in;
	const char *data = buf_str(in->data);
	size_t end = buf_len(in->data), i = in->pos + 1, n = 0;
	char *out = xmalloc(end - in->pos);
	struct imap_arg *a;

	for (; i < end && data[i] != '"'; i++) {
		if (data[i] == '\\' && i + 1 < end && data[i + 1] != '\r' && data[i + 1] != '\n')
			i++;
		if (data[i] == '\0' || data[i] == '\r' || data[i] == '\n')
			break;
		out[n++] = data[i];
	}
	if (i < end && data[i] == '\0') {
		free(out);
		return bad(c, "NULs not allowed in strings");
	}
	if (i == end || data[i] != '"') {
		free(out);
		return bad(c, "Missing '\"'");
	}
	in->pos = i + 1;
	a = add_arg(c, lim, IMAP_ARG_STRING, out, n);
	explicit_bzero(out, n);
	free(out);
	return a ? STEP_DONE : bad(c, "Too many arguments.");
}

/* read_atom - an atom; "[" runs to its "]" (FETCH's BODY[...]) */
static enum step read_atom(struct imap_cmd *c, const struct imap_limits *lim)
{
	struct imap_cmd_int *in = c->in;
	const unsigned char *p = (const unsigned char *)buf_str(in->data);
	size_t end = buf_len(in->data), i = in->pos;
	bool bracket = false;

	for (; i < end; i++) {
		if (bracket) {
			if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
				break;
			bracket = p[i] != ']';
		} else if (p[i] == '[') {
			bracket = true;
		} else if (is_atom_stop(p[i])) {
			break;
		}
	}
	if (i == in->pos || bracket)
		return bad(c, generic_error);
	if (i - in->pos == 3 && strncasecmp((const char *)p + in->pos, "NIL", 3) == 0) {
		if (add_arg(c, lim, IMAP_ARG_NIL, "NIL", 3) == NULL)
			return bad(c, "Too many arguments.");
	} else if (add_arg(c, lim, IMAP_ARG_ATOM, (const char *)p + in->pos, i - in->pos) == NULL) {
		return bad(c, "Too many arguments.");
	}
	in->pos = i;
	return STEP_DONE;
}

/* read_literal_size - "{n}", "{n+}" or "~{n}" and the line end after it;
 * STEP_LITERAL with pos at the literal's first byte */
static enum step read_literal_size(struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;
	const char *p = buf_str(in->data);
	size_t end = buf_len(in->data), i = in->pos;
	uint64_t n = 0;
	bool digits = false;

	if ((in->lit8 = p[i] == '~') && (++i == end || p[i] != '{'))
		return bad(c, "Expected '{'");
	for (i++; i < end && p[i] >= '0' && p[i] <= '9'; i++, digits = true) {
		/* saturated: literal_allowed refuses it as any large one */
		n = n > (UINT64_MAX - 9) / 10 ? UINT64_MAX : n * 10 + (uint64_t)(p[i] - '0');
	}
	if (!digits)
		return bad(c, "Invalid literal size");
	in->lit_sync = true;
	if (i < end && p[i] == '+') {
		in->lit_sync = false;
		if (++i == end || p[i] != '}')
			return bad(c, "Expecting '}' after '+'");
	}
	if (i == end || p[i] != '}')
		return bad(c, "Invalid literal size");
	i++;
	if (i < end && p[i] == '\r')
		i++;
	if (i == end || p[i] != '\n')
		return bad(c, "Missing LF after literal size");
	in->pos = i + 1;
	in->lit_size = n;
	return STEP_LITERAL;
}

/* line_end - CRLF (or LF) ends the command */
static enum step line_end(struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;
	const char *p = buf_str(in->data) + in->pos;

	if (in->pos < buf_len(in->data) && *p == '\r' && (in->pos + 1 == buf_len(in->data) || p[1] != '\n'))
		return bad(c, "CR sent without LF");
	if (in->depth > 0)
		return bad(c, "Missing ')'");
	c->args = in->frames[0].items;
	c->args_len = in->frames[0].len;
	memset(&in->frames[0], 0, sizeof(in->frames[0]));
	in->pos = buf_len(in->data);
	return STEP_DONE;
}

/* one_arg - the next argument, a list bracket or the end */
static enum step one_arg(struct imap_cmd *c, const struct imap_limits *lim, bool *end_r)
{
	struct imap_cmd_int *in = c->in;
	const char *p = buf_str(in->data);

	while (in->pos < buf_len(in->data) && p[in->pos] == ' ')
		in->pos++;
	if (in->pos == buf_len(in->data) || p[in->pos] == '\r' || p[in->pos] == '\n') {
		*end_r = true;
		return line_end(c);
	}
	switch (p[in->pos]) {
	case '(':
		in->pos++;
		return open_list(c, lim);
	case ')':
		in->pos++;
		return close_list(c);
	case '"':
		return read_quoted(c, lim);
	case '{':
		return read_literal_size(c);
	case '~':
		if (in->pos + 1 < buf_len(in->data) && p[in->pos + 1] == '{')
			return read_literal_size(c);
		return read_atom(c, lim);
	default:
		return read_atom(c, lim);
	}
}

/* parse - go on from in->pos: STEP_DONE at the command's end,
 * STEP_LITERAL when a literal's bytes must follow at pos, or an error */
static enum step parse(struct imap_cmd *c, const struct imap_limits *lim)
{
	struct imap_cmd_int *in = c->in;
	enum step rc = STEP_DONE;
	bool end = false;

	if (in->stage == STAGE_TAG && (rc = read_tag(c)) != STEP_DONE)
		return rc;
	if (in->stage == STAGE_NAME && (rc = read_name(c)) != STEP_DONE)
		return rc;
	while (!end && rc == STEP_DONE)
		rc = one_arg(c, lim, &end);
	return rc;
}

/* take_literal - the literal's bytes (at pos, all there) as an argument */
static enum step take_literal(struct imap_cmd *c, const struct imap_limits *lim)
{
	struct imap_cmd_int *in = c->in;
	struct imap_arg *a;

	a = add_arg(c, lim, IMAP_ARG_LITERAL, buf_str(in->data) + in->pos, (size_t)in->lit_size);
	if (a == NULL)
		return bad(c, "Too many arguments.");
	a->literal8 = in->lit8;
	in->pos += (size_t)in->lit_size;
	return STEP_DONE;
}

/* literal_allowed - STEP_DONE when the announced literal may be read;
 * over a limit a synchronising one is the command's BAD, a
 * non-synchronising one (already on its way) ends the session */
static enum step literal_allowed(struct imap_cmd *c, const struct imap_limits *lim)
{
	struct imap_cmd_int *in = c->in;
	uint64_t n = in->lit_size;
	bool over = n > lim->literal_max || n > lim->command_max - in->literal_bytes ||
		    (!in->lit_sync && !lim->literal_plus && n > IMAP_LITERAL_MINUS_MAX);

	if (!over) {
		in->literal_bytes += (size_t)n;
		return STEP_DONE;
	}
	c->error = literal_too_large;
	return in->lit_sync ? STEP_BAD : STEP_CLOSE;
}

/* line_fits - the line starting at pos keeps the command's lines
 * within line_max (memory: the stream driver cut it already) */
static bool line_fits(struct imap_cmd *c, const struct imap_limits *lim)
{
	struct imap_cmd_int *in = c->in;
	const char *p = buf_str(in->data) + in->pos;
	const char *nl = memchr(p, '\n', buf_len(in->data) - in->pos);
	size_t n = nl ? (size_t)(nl - p) + 1 : buf_len(in->data) - in->pos;

	in->line_bytes += n;
	return in->line_bytes <= lim->line_max;
}

/* rc_of - the public result of a step */
static enum imap_cmd_rc rc_of(enum step rc)
{
	return rc == STEP_DONE ? IMAP_CMD_OK : rc == STEP_CLOSE ? IMAP_CMD_CLOSE :
	       rc == STEP_EOF ? IMAP_CMD_EOF : IMAP_CMD_BAD;
}

/* imap_cmd_parse_line - see imap_parse.h */
enum imap_cmd_rc imap_cmd_parse_line(const char *data, size_t len, const struct imap_limits *lim,
				     struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;
	enum step rc;

	reset(c);
	buf_add(in->data, data, len);
	if (!line_fits(c, lim))
		return rc_of(bad(c, too_long));
	while ((rc = parse(c, lim)) == STEP_LITERAL) {
		if ((rc = literal_allowed(c, lim)) != STEP_DONE)
			break;
		if (buf_len(in->data) - in->pos < in->lit_size) {
			rc = bad(c, generic_error);	/* cut short */
			break;
		}
		if ((rc = take_literal(c, lim)) != STEP_DONE)
			break;
		if (!line_fits(c, lim)) {
			rc = bad(c, too_long);
			break;
		}
	}
	return rc_of(rc);
}


/* keep_tail - remember how a line read ends (a literal announced there) */
static void keep_tail(struct imap_cmd_int *in, const struct buf *line)
{
	size_t n = buf_len(line) < TAIL_MAX ? buf_len(line) : TAIL_MAX;

	memcpy(in->tail, buf_str(line) + buf_len(line) - n, n);
	in->tail[n] = '\0';
	in->need_line = false;
}

/* skip_long - the rest of a line cut at the limit, thrown away */
static enum step skip_long(struct stream *s, struct imap_cmd_int *in, struct buf *line)
{
	int rc;

	while (stream_line_is_long(s))
		if ((rc = stream_getline(s, line, SKIP_CHUNK)) <= 0)
			return STEP_EOF;
	keep_tail(in, line);
	return STEP_DONE;
}

/* read_line - the command's next line onto data; a line over what is
 * left of line_max is read to its end and the command is BAD */
static enum step read_line(struct stream *s, const struct imap_limits *lim, struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;
	size_t room = lim->line_max > in->line_bytes ? lim->line_max - in->line_bytes : 0;
	struct buf *line = buf_new(256);
	enum step rc = STEP_DONE;

	if (stream_getline(s, line, room > 0 ? room : 1) <= 0) {
		rc = STEP_EOF;
	} else if (stream_line_is_long(s) || room == 0) {
		buf_add(in->data, buf_str(line), buf_len(line));
		if (in->stage == STAGE_TAG)
			read_tag(c);
		if ((rc = skip_long(s, in, line)) == STEP_DONE)
			rc = bad(c, too_long);
	} else if (buf_str(line)[buf_len(line) - 1] != '\n') {
		rc = STEP_EOF;		/* a last line without its end */
	} else {
		in->line_bytes += buf_len(line);
		buf_add(in->data, buf_str(line), buf_len(line));
		keep_tail(in, line);
	}
	explicit_bzero(line->data, buf_len(line));
	buf_free(&line);
	return rc;
}

/* read_bytes - n bytes from s onto data (or thrown away: data NULL) */
static enum step read_bytes(struct stream *s, struct buf *data, uint64_t n)
{
	char chunk[SKIP_CHUNK];
	ssize_t got;

	while (n > 0) {
		if ((got = stream_read(s, chunk, n < sizeof(chunk) ? (size_t)n : sizeof(chunk))) <= 0)
			return STEP_EOF;
		if (data)
			buf_add(data, chunk, (size_t)got);
		n -= (uint64_t)got;
	}
	explicit_bzero(chunk, sizeof(chunk));
	return STEP_DONE;
}

/* tail_literal - a non-synchronising literal announced at the end of the
 * last line (its size in *n_r) */
static bool tail_literal(const struct imap_cmd_int *in, uint64_t *n_r)
{
	const char *end = in->tail + strlen(in->tail), *p;

	if (end > in->tail && end[-1] == '\n')
		end--;
	if (end > in->tail && end[-1] == '\r')
		end--;
	if (end - in->tail < 4 || end[-1] != '}' || end[-2] != '+')
		return false;
	end -= 2;
	for (p = end; p > in->tail && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p == in->tail || p[-1] != '{' || p == end || end - p > 18)
		return false;
	*n_r = strtoull(p, NULL, 10);
	return true;
}

/* skip_rest - after a BAD, what the client sends of the command anyway:
 * the line after a literal read, and non-synchronising literals
 * announced (it waits for nothing before sending those) */
static enum step skip_rest(struct stream *s, const struct imap_limits *lim, struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;
	struct buf *line = buf_new(256);
	enum step rc = STEP_BAD;
	uint64_t n;

	for (size_t rounds = 0; rc == STEP_BAD && rounds <= lim->args_max; rounds++) {
		if (!in->need_line) {
			if (!tail_literal(in, &n))
				break;
			if (n > lim->literal_max || (!lim->literal_plus && n > IMAP_LITERAL_MINUS_MAX)) {
				c->error = literal_too_large;
				rc = STEP_CLOSE;
			} else if (read_bytes(s, NULL, n) != STEP_DONE) {
				rc = STEP_EOF;
			}
			in->need_line = true;
			continue;
		}
		if (stream_getline(s, line, SKIP_CHUNK) <= 0 || skip_long(s, in, line) != STEP_DONE)
			rc = STEP_EOF;
	}
	buf_free(&line);
	return rc;
}

/* literal_in - a literal's bytes after its "+ OK" (synchronising) */
static enum step literal_in(struct stream *s, struct imap_cmd *c)
{
	struct imap_cmd_int *in = c->in;
	enum step rc;

	if (in->lit_sync) {
		stream_puts(s, "+ OK\r\n");
		if (stream_flush(s) < 0)
			return STEP_EOF;
	}
	if ((rc = read_bytes(s, in->data, in->lit_size)) == STEP_DONE)
		in->need_line = true;
	return rc;
}

/* imap_cmd_read - see imap_parse.h */
enum imap_cmd_rc imap_cmd_read(struct stream *s, const struct imap_limits *lim, struct imap_cmd *c)
{
	enum step rc;

	reset(c);
	if ((rc = read_line(s, lim, c)) != STEP_DONE)
		return rc_of(rc);
	while ((rc = parse(c, lim)) == STEP_LITERAL) {
		if ((rc = literal_allowed(c, lim)) != STEP_DONE)
			break;
		if ((rc = literal_in(s, c)) != STEP_DONE)
			break;
		if ((rc = take_literal(c, lim)) != STEP_DONE)
			break;
		if ((rc = read_line(s, lim, c)) != STEP_DONE)
			break;
	}
	if (rc == STEP_BAD && c->error != literal_too_large)
		rc = skip_rest(s, lim, c);
	return rc_of(rc);
}

/* imap_arg_astring - see imap_parse.h */
bool imap_arg_astring(const struct imap_arg *a, const char **s_r)
{
	if (a->type == IMAP_ARG_LIST || a->literal8 || strlen(a->str) != a->len)
		return false;
	*s_r = a->str;		/* NIL is the atom "NIL" here */
	return true;
}

/* imap_arg_nstring - see imap_parse.h */
bool imap_arg_nstring(const struct imap_arg *a, const char **s_r)
{
	if (a->type == IMAP_ARG_NIL) {
		*s_r = NULL;
		return true;
	}
	return a->type != IMAP_ARG_ATOM && imap_arg_astring(a, s_r);
}

/* imap_arg_atom_is - see imap_parse.h */
bool imap_arg_atom_is(const struct imap_arg *a, const char *word)
{
	return (a->type == IMAP_ARG_ATOM || a->type == IMAP_ARG_NIL) && strcasecmp(a->str, word) == 0;
}

/* digits - an atom of 1-19 digits as a number */
static bool digits(const struct imap_arg *a, uint64_t *n_r)
{
	uint64_t n = 0;

	if (a->type != IMAP_ARG_ATOM || a->len == 0 || a->len > 19)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		if (a->str[i] < '0' || a->str[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(a->str[i] - '0');
	}
	*n_r = n;
	return true;
}

/* imap_arg_number - see imap_parse.h */
bool imap_arg_number(const struct imap_arg *a, bool nz, uint32_t *n_r)
{
	uint64_t n;

	if (!digits(a, &n) || n > UINT32_MAX || (nz && n == 0))
		return false;
	*n_r = (uint32_t)n;
	return true;
}

/* imap_arg_number64 - see imap_parse.h */
bool imap_arg_number64(const struct imap_arg *a, uint64_t *n_r)
{
	uint64_t n;

	if (!digits(a, &n) || n > INT64_MAX)
		return false;
	*n_r = n;
	return true;
}
