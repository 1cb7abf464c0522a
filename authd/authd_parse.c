/* authd_parse - the pure parsers of authd: request lines (fields, IDs,
 * named fields, flags) and SASL responses (PLAIN, CRAM-MD5), login names,
 * and the auth_failure_delay value.  Nothing here allocates more than its
 * input or keeps state; fuzz_auth.c drives all of it.  Input comes from
 * the network through smtpd/imapd/pop3d. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "authd.h"

/* authd_line_ok - printable ASCII (and TAB) only: no CR, NUL or controls */
bool authd_line_ok(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if ((ch < 0x20 && ch != '\t') || ch >= 0x7f)
			return false;
	}
	return true;
}

/* authd_split - cut line at TABs into at most max fields; -1 if more */
int authd_split(char *line, char **fields, int max)
{
	int n = 0;

	for (char *p = line;; p++) {
		if (n == max)
			return -1;
		fields[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			return n;
		*p = '\0';
	}
}

/* authd_parse_id - decimal 1..4294967295, no sign, no leading zero */
bool authd_parse_id(const char *s, uint32_t *id_r)
{
	uint64_t v = 0;
	size_t len = strlen(s);

	if (len == 0 || len > 10 || s[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*id_r = (uint32_t)v;
	return true;
}

/* authd_field - the value of "name=value" among fields[from..n), or NULL */
const char *authd_field(char **fields, int n, int from, const char *name)
{
	size_t len = strlen(name);

	for (int i = from; i < n; i++)
		if (strncmp(fields[i], name, len) == 0 && fields[i][len] == '=')
			return fields[i] + len + 1;
	return NULL;
}

/* authd_flag - a bare "name" among fields[from..n) */
bool authd_flag(char **fields, int n, int from, const char *name)
{
	for (int i = from; i < n; i++)
		if (strcmp(fields[i], name) == 0)
			return true;
	return false;
}

/* authd_name_ok - a login name: 1..255 bytes of letters, digits and
 * ". - _ @ +" (Dovecot's auth_username_chars plus '+'): nothing that
 * could cut a passwd-file line, a log line or a path */
bool authd_name_ok(const char *name, size_t len)
{
	if (len == 0 || len > AUTHD_MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!isalnum(ch) && !strchr(".-_@+", ch))
			return false;
		if (ch == '\0' || ch >= 0x80)
			return false;
	}
	return true;
}

/* sasl_plain_parse - RFC 4616 "[authzid] NUL authcid NUL passwd": exactly
 * two NULs, a non-empty authcid and passwd; the pointers are into data,
 * whose NULs end the first two (the caller's buf ends the third) */
int sasl_plain_parse(const char *data, size_t len, struct sasl_plain *p)
{
	const char *nul1 = memchr(data, '\0', len), *nul2;

	if (nul1 == NULL)
		return -1;
	nul2 = memchr(nul1 + 1, '\0', len - (size_t)(nul1 + 1 - data));
	if (nul2 == NULL || memchr(nul2 + 1, '\0', len - (size_t)(nul2 + 1 - data)) != NULL)
		return -1;
	if (nul2 == nul1 + 1 || nul2 + 1 == data + len)
		return -1;	/* empty authcid or passwd */
	p->authzid = data;
	p->authcid = nul1 + 1;
	p->passwd = nul2 + 1;
	return 0;
}

/* hexval - one hex digit, -1 otherwise */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* sasl_cram_parse - RFC 2195 "user SP 32-hex-digest" */
int sasl_cram_parse(const char *data, size_t len, struct buf *user, unsigned char digest[16])
{
	const char *sp;
	size_t ulen;

	if (len < 34 || (sp = data + len - 33)[0] != ' ')
		return -1;
	ulen = (size_t)(sp - data);
	if (memchr(data, '\0', ulen) != NULL)
		return -1;
	for (int i = 0; i < 16; i++) {
		int hi = hexval(sp[1 + 2 * i]), lo = hexval(sp[2 + 2 * i]);

		if (hi < 0 || lo < 0)
			return -1;
		digest[i] = (unsigned char)(hi << 4 | lo);
	}
	buf_reset(user);
	buf_add(user, data, ulen);
	return 0;
}
