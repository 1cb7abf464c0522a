/* pop3_uidl - expand a pop3_uidl_format template the way Dovecot 2.3's
 * var-expand does for the variables pop3 gives it (see pop3_uidl.h):
 * each "%..." is a field "[-][0]W" or "[-]O.[0][-]W", up to ten modifier
 * letters, then a variable; the modifiers run left to right on the
 * value, then the offset and the width cut or pad it. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pop3_uidl.h"

enum { MODS_MAX = 10, WIDTH_MAX = 999 };

/* one "%..." of the template */
struct field {
	int offset, width;
	bool zero;			/* pad with '0' up to width */
	char mods[MODS_MAX + 1];
	char var[16];			/* "u", "uidvalidity", "%"... */
};

/* number - decimal digits at *sp, at most WIDTH_MAX; false past it */
static bool number(const char **sp, int *n)
{
	for (*n = 0; **sp >= '0' && **sp <= '9'; (*sp)++)
		if ((*n = *n * 10 + (**sp - '0')) > WIDTH_MAX)
			return false;
	return true;
}

/* field_size - "[-][0]W" or "[-]O.[0][-]W"; the sign of a lone width is
 * dropped, as Dovecot drops it */
static const char *field_size(const char *s, struct field *f)
{
	int sign = 1;

	if (*s == '-')
		sign = -1, s++;
	if (*s == '0')
		f->zero = true, s++;
	if (!number(&s, &f->width))
		return NULL;
	if (*s != '.')
		return s;
	f->offset = sign * f->width;
	sign = 1;
	f->zero = false;
	s++;
	if (*s == '0')
		f->zero = true, s++;
	if (*s == '-')
		sign = -1, s++;
	if (!number(&s, &f->width))
		return NULL;
	f->width *= sign;
	return s;
}

/* field_var - the variable after the modifiers: a letter or "{name}" */
static const char *field_var(const char *s, struct field *f, struct buf *why)
{
	const char *end;

	if (*s == '\0') {
		buf_cat(why, "pop3_uidl_format ends in '%'");
		return NULL;
	}
	if (*s != '{') {
		f->var[0] = *s;
		return s + 1;
	}
	end = strchr(s, '}');
	if (end == NULL || (size_t)(end - s - 1) >= sizeof(f->var)) {
		buf_printf(why, "pop3_uidl_format: bad %%{...} at \"%.20s\"", s);
		return NULL;
	}
	memcpy(f->var, s + 1, (size_t)(end - s - 1));
	return end + 1;
}

/* field_parse - one field after its '%'; the rest of the template */
static const char *field_parse(const char *s, struct field *f, struct buf *why)
{
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	if ((s = field_size(s, f)) == NULL) {
		buf_printf(why, "pop3_uidl_format: width or offset above %d", WIDTH_MAX);
		return NULL;
	}
	while (n < MODS_MAX && *s != '\0' && strchr("LUEXRHNMDT", *s) != NULL)
		f->mods[n++] = *s++;
	if (strpbrk(f->mods, "HNMD") != NULL) {
		buf_printf(why, "pop3_uidl_format: modifier %c not supported",
			   *strpbrk(f->mods, "HNMD"));
		return NULL;
	}
	return field_var(s, f, why);
}

/* is_var - f names the variable given by letter or long name */
static bool is_var(const struct field *f, const char *letter, const char *name)
{
	return strcmp(f->var, letter) == 0 || strcmp(f->var, name) == 0;
}

/* value - the variable's text into val; false with why */
static bool value(const struct field *f, const struct pop3_uidl_vars *v,
		  struct buf *val, struct buf *why)
{
	const char *s;

	buf_reset(val);
	if (is_var(f, "u", "uid"))
		buf_printf(val, "%u", v->uid);
	else if (is_var(f, "v", "uidvalidity"))
		buf_printf(val, "%u", v->uidvalidity);
	else if (is_var(f, "%", "%"))
		buf_cat(val, "%");
	else if (is_var(f, "f", "filename") || is_var(f, "g", "guid")) {
		s = f->var[0] == 'f' ? v->filename : v->guid;
		if (s == NULL || *s == '\0') {
			buf_printf(why, "pop3_uidl_format: no value for %%%s", f->var);
			return false;
		}
		buf_cat(val, s);
	} else if (is_var(f, "m", "md5")) {
		buf_cat(why, "pop3_uidl_format: %m (MD5 of the header) is not supported");
		return false;
	} else {
		buf_printf(why, "pop3_uidl_format: unknown variable %%%s%s%s",
			   f->var[1] ? "{" : "", f->var, f->var[1] ? "}" : "");
		return false;
	}
	return true;
}

/* to_hex - Dovecot's X: a decimal number (else 0) in lowercase hex */
static void to_hex(struct buf *val)
{
	unsigned long long n = 0;
	const char *s = buf_str(val);
	bool ok = *s != '\0';

	for (; ok && *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || n > (~0ULL - (unsigned)(*s - '0')) / 10)
			ok = false;
		else
			n = n * 10 + (unsigned)(*s - '0');
	}
	buf_reset(val);
	buf_printf(val, "%llx", ok ? n : 0ULL);
}

/* modify - one modifier letter on val */
static void modify(char m, struct buf *val, struct buf *tmp)
{
	char *s = val->data;
	size_t len = buf_len(val);

	if (m == 'X')
		to_hex(val);
	for (size_t i = 0; i < len && (m == 'L' || m == 'U'); i++)
		s[i] = (char)(m == 'L' ? tolower((unsigned char)s[i]) : toupper((unsigned char)s[i]));
	for (size_t i = 0; m == 'R' && i < len / 2; i++) {
		char c = s[i];
		s[i] = s[len - 1 - i], s[len - 1 - i] = c;
	}
	while (m == 'T' && buf_len(val) > 0 && isspace((unsigned char)val->data[buf_len(val) - 1]))
		buf_truncate(val, buf_len(val) - 1);
	if (m == 'E') {
		buf_reset(tmp);
		for (size_t i = 0; i < len; i++) {
			if (strchr("\\\"'", s[i]) != NULL && s[i] != '\0')
				buf_putc(tmp, '\\');
			buf_putc(tmp, s[i]);
		}
		buf_set(val, buf_str(tmp));
	}
}

/* place - val after offset and width into out */
static void place(const struct field *f, const struct buf *val, struct buf *out)
{
	const char *s = buf_str(val);
	size_t len = strlen(s);
	long width = f->width;

	if (f->offset < 0 && len > (size_t)-f->offset)
		s += len + (size_t)f->offset;
	else if (f->offset > 0)
		s += (size_t)f->offset < len ? (size_t)f->offset : len;
	len = strlen(s);
	if (width != 0 && !f->zero) {
		if (width < 0)
			width = (long)len + width;
		if (width >= 0 && (size_t)width < len)
			len = (size_t)width;	/* a width below 0 keeps it all */
	}
	for (long pad = f->zero ? width - (long)len : 0; pad > 0; pad--)
		buf_putc(out, '0');
	buf_add(out, s, len);
}

/* expand - the template into out; -1 with why */
static int expand(struct buf *out, const char *format, const struct pop3_uidl_vars *v,
		  struct buf *why)
{
	struct buf *val = buf_new(32), *tmp = buf_new(32);
	struct field f;
	int rc = 0;

	buf_reset(out);
	while (rc == 0 && *format != '\0') {
		if (*format != '%') {
			buf_putc(out, *format++);
			continue;
		}
		if ((format = field_parse(format + 1, &f, why)) == NULL || !value(&f, v, val, why)) {
			rc = -1;
			break;
		}
		for (const char *m = f.mods; *m != '\0'; m++)
			modify(*m, val, tmp);
		place(&f, val, out);
	}
	buf_free(&val);
	buf_free(&tmp);
	return rc;
}

/* pop3_uidl_format - expand, then hold the result to RFC 1939 */
int pop3_uidl_format(struct buf *out, const char *format, const struct pop3_uidl_vars *v,
		     struct buf *why)
{
	if (expand(out, format, v, why) < 0)
		return -1;
	if (buf_len(out) == 0 || buf_len(out) > POP3_UIDL_MAX) {
		buf_printf(why, "UIDL \"%.80s\" is not 1 to %d characters", buf_str(out),
			   POP3_UIDL_MAX);
		return -1;
	}
	for (size_t i = 0; i < buf_len(out); i++)
		if ((unsigned char)out->data[i] < 0x21 || (unsigned char)out->data[i] > 0x7e) {
			buf_printf(why, "UIDL has byte 0x%02x (only 0x21-0x7e may be in one)",
				   (unsigned char)out->data[i]);
			return -1;
		}
	return 0;
}

/* pop3_uidl_check - expand with sample values: does every field parse? */
int pop3_uidl_check(const char *format, struct buf *why)
{
	static const struct pop3_uidl_vars sample = {
		.uid = 1, .uidvalidity = 1, .filename = "f", .guid = "g",
	};
	struct buf *out = buf_new(64);
	int rc = expand(out, format, &sample, why);

	buf_free(&out);
	return rc;
}
