/* dovecot_uidlist - parse a Maildir folder's dovecot-uidlist (versions 1
 * and 3) into UIDVALIDITY, NEXTUID and (uid, file name base) entries;
 * the format and the rules are in dovecot_uidlist.h.  A parse builds
 * the whole list or nothing: the first broken line refuses the file. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dovecot_file.h"
#include "dovecot_uidlist.h"
#include "htable.h"
#include "mem.h"

enum { BASE_MAX = 255 };	/* NAME_MAX: a longer name is no file's */

/* parse state: the list being built and where we are */
struct parse {
	struct dovecot_uidlist *ul;
	struct dovecot_lines ln;
	const struct dovecot_uidlist_limits *lim;
	struct htable *names;	/* base -> entry index + 1 */
	size_t alloc;
	struct buf *why;
};

static const struct dovecot_uidlist_limits default_limits = {
	.max_size = 64 << 20, .max_line = 4096, .max_entries = 1000000,
};

/* dovecot_uidlist_default_limits - the limits a NULL lim stands for */
const struct dovecot_uidlist_limits *dovecot_uidlist_default_limits(void)
{
	return &default_limits;
}

/* bad - "PATH, line N: problem"; always -1 */
__attribute__((format(printf, 2, 3)))
static int bad(struct parse *ps, const char *fmt, ...)
{
	va_list ap;

	buf_printf(ps->why, "%s, line %d: ", ps->ln.path, ps->ln.lineno);
	va_start(ap, fmt);
	buf_vprintf(ps->why, fmt, ap);
	va_end(ap);
	return -1;
}

/* parse_u64 - decimal digits up to a space or the end, at most max */
static bool parse_u64(const char **sp, uint64_t max, uint64_t *v)
{
	const char *s = *sp;

	*v = 0;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (*v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	*sp = s;
	return *s == ' ' || *s == '\0';
}

/* parse_u32 - parse_u64 for 32-bit values */
static bool parse_u32(const char **sp, uint32_t *v)
{
	uint64_t w;

	if (!parse_u64(sp, UINT32_MAX, &w))
		return false;
	*v = (uint32_t)w;
	return true;
}

/* is_hex32 - 32 hex digits, as Dovecot writes a GUID */
static bool is_hex32(const char *s, size_t len)
{
	if (len != 32)
		return false;
	for (size_t i = 0; i < len; i++)
		if (strchr("0123456789abcdefABCDEF", s[i]) == NULL || s[i] == '\0')
			return false;
	return true;
}

/* is_printable - every byte of s[0..len) in 0x21-0x7e */
static bool is_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* keep_hdr_ext - one more header field s[0..len), for a rewrite */
static void keep_hdr_ext(struct dovecot_uidlist *ul, const char *s, size_t len)
{
	size_t old = ul->hdr_ext ? strlen(ul->hdr_ext) : 0;

	ul->hdr_ext = xrealloc(ul->hdr_ext, old + len + 2);
	if (old)
		ul->hdr_ext[old++] = ' ';
	memcpy(ul->hdr_ext + old, s, len);
	ul->hdr_ext[old + len] = '\0';
}

/* header_v3 - "V<n> N<n> G<hex> ..." after "3 " */
static int header_v3(struct parse *ps, const char *s)
{
	while (*s == ' ')
		s++;
	while (*s != '\0') {
		const char *v = s + 1, *end = strchrnul(v, ' ');

		if (!is_printable(s, (size_t)(end - s)))
			return bad(ps, "header field with a control byte");
		if ((*s == 'V' && !parse_u32(&v, &ps->ul->uidvalidity))
		    || (*s == 'N' && !parse_u32(&v, &ps->ul->nextuid)))
			return bad(ps, "header field %c: not a 32-bit number", *s);
		if (*s == 'G' && !is_hex32(v, (size_t)(end - v)))
			return bad(ps, "header field G: not a 128-bit hex GUID");
		if (*s == 'G')
			memcpy(ps->ul->guid, v, 32);
		else if (*s != 'V' && *s != 'N')
			keep_hdr_ext(ps->ul, s, (size_t)(end - s));
		for (s = end; *s == ' '; s++)
			;
	}
	return 0;
}

/* header - the first line: version, UIDVALIDITY, NEXTUID */
static int header(struct parse *ps, const char *s)
{
	struct dovecot_uidlist *ul = ps->ul;

	if (s[0] == '3' && s[1] == ' ') {
		ul->version = 3;
		if (header_v3(ps, s + 2) < 0)
			return -1;
	} else if (s[0] == '1' && s[1] == ' ') {
		ul->version = 1;
		s += 2;
		if (!parse_u32(&s, &ul->uidvalidity) || *s++ != ' '
		    || !parse_u32(&s, &ul->nextuid) || *s != '\0')
			return bad(ps, "version 1 header is not \"1 UIDVALIDITY NEXTUID\"");
	} else {
		return bad(ps, "not a dovecot-uidlist header (version 1 or 3)");
	}
	if (ul->uidvalidity == 0 || ul->nextuid == 0)
		return bad(ps, "UIDVALIDITY or NEXTUID missing or zero");
	return 0;
}

/* extension - one "<K><value>" field of a version 3 line into e */
static int extension(struct parse *ps, const char *s, size_t len,
		     struct dovecot_uidlist_entry *e)
{
	char *value = xstrndup(s + 1, len - 1);
	const char *v = value;
	int rc = 0;

	if (*s < 'A' || *s > 'Z' || !is_printable(s, len))
		rc = bad(ps, "bad extension field");
	else if ((*s == 'S' && !parse_u64(&v, UINT64_MAX, &e->size))
		 || (*s == 'W' && !parse_u64(&v, UINT64_MAX, &e->vsize)))
		rc = bad(ps, "extension %c: not a number", *s);
	else if (*s == 'P' && e->pop3_uidl == NULL)
		e->pop3_uidl = value, value = NULL;
	else if (*s == 'G' && e->guid == NULL)
		e->guid = value, value = NULL;
	free(value);
	return rc;
}

/* keep_ext - the fields s[0..len) as written, one space apart, for a
 * rewrite */
static void keep_ext(struct dovecot_uidlist_entry *e, const char *s, size_t len)
{
	size_t n = 0;

	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 0)
		return;
	e->ext = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' || s[i + 1] != ' ')
			e->ext[n++] = s[i];
	e->ext[n] = '\0';
}

/* extensions - the fields between the uid and ":name"; the name's start */
static const char *extensions(struct parse *ps, const char *s,
			      struct dovecot_uidlist_entry *e)
{
	while (*s == ' ')
		s++;
	for (const char *start = s;;) {
		const char *end;

		while (*s == ' ')
			s++;
		if (*s == ':') {
			keep_ext(e, start, (size_t)(s - start));
			return s + 1;
		}
		if (*s == '\0') {
			bad(ps, "no \":\" before the file name");
			return NULL;
		}
		end = strchrnul(s, ' ');
		if (extension(ps, s, (size_t)(end - s), e) < 0)
			return NULL;
		s = end;
	}
}

/* check_name - a file name base that is one file in this folder */
static int check_name(struct parse *ps, const char *name, size_t len)
{
	if (len == 0)
		return bad(ps, "empty file name");
	if (len > BASE_MAX)
		return bad(ps, "file name longer than %d bytes", BASE_MAX);
	if (memchr(name, '/', len) != NULL)
		return bad(ps, "file name with '/'");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return bad(ps, "file name with control byte 0x%02x",
				   (unsigned char)name[i]);
	if ((len == 1 && name[0] == '.') || (len == 2 && memcmp(name, "..", 2) == 0))
		return bad(ps, "file name \"%.*s\"", (int)len, name);
	return 0;
}

/* check_uid - strictly increasing, 1 to 2^32-2; NEXTUID as the version says */
static int check_uid(struct parse *ps, uint32_t uid)
{
	struct dovecot_uidlist *ul = ps->ul;

	if (uid == 0 || uid == UINT32_MAX)
		return bad(ps, "uid %u out of range", uid);
	if (ul->count > 0 && uid <= ul->entries[ul->count - 1].uid)
		return bad(ps, "uid %u not above the previous %u", uid,
			   ul->entries[ul->count - 1].uid);
	if (uid >= ul->nextuid && ul->version == 1)
		return bad(ps, "uid %u not below NEXTUID %u", uid, ul->nextuid);
	if (uid >= ul->nextuid)
		ul->nextuid = uid + 1;	/* appended after the header was written */
	return 0;
}

/* entry_clear - free what an entry holds */
static void entry_clear(struct dovecot_uidlist_entry *e)
{
	XFREE(e->base);
	XFREE(e->pop3_uidl);
	XFREE(e->guid);
	XFREE(e->ext);
}

/* add - keep e; a name seen before loses its earlier uid, as in Dovecot */
static void add(struct parse *ps, struct dovecot_uidlist_entry *e)
{
	struct dovecot_uidlist *ul = ps->ul;
	void *old;

	if (ul->count == ps->alloc) {
		ps->alloc = ps->alloc ? mem_mul_size(ps->alloc, 2) : 64;
		ul->entries = xrealloc(ul->entries, mem_mul_size(ps->alloc, sizeof(*e)));
	}
	old = htable_put(ps->names, e->base, (void *)(uintptr_t)(ul->count + 1));
	if (old != NULL)
		entry_clear(&ul->entries[(uintptr_t)old - 1]);	/* base NULL: dropped */
	ul->entries[ul->count++] = *e;
}

/* entry - one message line */
static int entry(struct parse *ps, const char *s)
{
	struct dovecot_uidlist_entry e = { 0 };
	const char *name;
	size_t len;

	if (ps->ul->count >= ps->lim->max_entries)
		return bad(ps, "more than %zu messages", ps->lim->max_entries);
	if (!parse_u32(&s, &e.uid) || *s != ' ')
		return bad(ps, "not \"UID ...\"");
	if (check_uid(ps, e.uid) < 0)
		return -1;
	while (*s == ' ')
		s++;
	name = ps->ul->version == 3 ? extensions(ps, s, &e) : s;
	len = name ? strcspn(name, ":") : 0;
	if (name == NULL || check_name(ps, name, len) < 0) {
		entry_clear(&e);
		return -1;
	}
	e.base = xstrndup(name, len);
	add(ps, &e);
	return 0;
}

/* compact - drop the entries a later line of the same name replaced */
static void compact(struct dovecot_uidlist *ul)
{
	size_t n = 0;

	for (size_t i = 0; i < ul->count; i++)
		if (ul->entries[i].base != NULL)
			ul->entries[n++] = ul->entries[i];
	ul->count = n;
}

/* parse_lines - the header, then every message line */
static int parse_lines(struct parse *ps)
{
	struct buf *line = buf_new(128);
	int rc = dovecot_lines_next(&ps->ln, line, ps->why);

	if (rc == 0) {
		buf_printf(ps->why, "%s: empty, no header line", ps->ln.path);
		rc = -1;
	}
	else if (rc > 0)
		rc = header(ps, buf_str(line));
	while (rc >= 0 && (rc = dovecot_lines_next(&ps->ln, line, ps->why)) > 0)
		rc = entry(ps, buf_str(line));
	buf_free(&line);
	return rc < 0 ? -1 : 0;
}

/* dovecot_uidlist_parse - all of text, or nothing */
int dovecot_uidlist_parse(const char *text, size_t len, const char *path,
			  const struct dovecot_uidlist_limits *lim,
			  struct dovecot_uidlist **ulp, struct buf *why)
{
	struct parse ps = {
		.ul = xcalloc(1, sizeof(*ps.ul)), .lim = lim ? lim : &default_limits,
		.names = htable_new(64), .why = why,
	};
	int rc = 0;

	ps.ln = (struct dovecot_lines){ .p = text, .end = text + len,
					.max = ps.lim->max_line, .path = path };
	*ulp = NULL;
	if (len > ps.lim->max_size) {
		buf_printf(why, "%s: longer than %zu bytes", path, ps.lim->max_size);
		rc = -1;
	}
	if (rc == 0)
		rc = parse_lines(&ps);
	htable_free(&ps.names, NULL);
	if (rc < 0) {
		dovecot_uidlist_free(&ps.ul);
		return -1;
	}
	compact(ps.ul);
	*ulp = ps.ul;
	return 0;
}

/* dovecot_uidlist_read - load dovecot-uidlist below dir_fd and parse it */
int dovecot_uidlist_read(int dir_fd, const struct dovecot_uidlist_limits *lim,
			 struct dovecot_uidlist **ulp, struct buf *why)
{
	struct buf *text = buf_new(4096);
	int rc;

	*ulp = NULL;
	if (lim == NULL)
		lim = &default_limits;
	rc = fsutil_load_at(dir_fd, "dovecot-uidlist", lim->max_size, text, why);
	if (rc > 0 && dovecot_uidlist_parse(buf_str(text), buf_len(text), "dovecot-uidlist",
					    lim, ulp, why) < 0)
		rc = -1;
	buf_free(&text);
	return rc;
}

/* dovecot_uidlist_free - the list and every entry */
void dovecot_uidlist_free(struct dovecot_uidlist **ulp)
{
	struct dovecot_uidlist *ul = *ulp;

	if (ul == NULL)
		return;
	for (size_t i = 0; i < ul->count; i++)
		entry_clear(&ul->entries[i]);
	free(ul->entries);
	free(ul->hdr_ext);
	free(ul);
	*ulp = NULL;
}

/* dovecot_uidlist_saved_uidl - 'P', where an empty value means the base */
const char *dovecot_uidlist_saved_uidl(const struct dovecot_uidlist_entry *e)
{
	if (e->pop3_uidl == NULL)
		return NULL;
	return e->pop3_uidl[0] != '\0' ? e->pop3_uidl : e->base;
}
