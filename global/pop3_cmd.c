/* pop3_cmd - POP3 command line parsing; see pop3_cmd.h */
#include <ctype.h>
#include <string.h>

#include "pop3_cmd.h"

/* strip_eol - the line without its CRLF or LF */
static size_t strip_eol(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}

/* fail - c->error, -1 */
static int fail(struct pop3_cmd *c, const char *why)
{
	c->error = why;
	return -1;
}

/* split_args - the arguments after the keyword, into c->argv */
static int split_args(struct pop3_cmd *c, char *p)
{
	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (c->argc == POP3_CMD_ARGS_MAX)
			return fail(c, "Too many arguments.");
		c->argv[c->argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if ((size_t)(p - c->argv[c->argc - 1]) > POP3_CMD_ARG_MAX)
			return fail(c, "Argument too long.");
	}
	return 0;
}

/* pop3_cmd_parse - line[0..len) (with its end of line) into c */
int pop3_cmd_parse(const char *line, size_t len, struct pop3_cmd *c)
{
	size_t n = strip_eol(line, len), k;
	char *p;

	c->argc = 0;
	c->error = NULL;
	c->name[0] = '\0';
	c->rest = c->line;
	if (n >= sizeof(c->line))
		return fail(c, "Input line too long.");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			return fail(c, "Invalid characters in command.");
	memcpy(c->line, line, n);
	c->line[n] = '\0';
	for (k = 0; k < n && isalpha((unsigned char)c->line[k]); k++)
		continue;
	if (k == 0 || k >= sizeof(c->name) || (k < n && c->line[k] != ' ' && c->line[k] != '\t'))
		return fail(c, "Unknown command.");
	for (size_t i = 0; i < k; i++)
		c->name[i] = (char)toupper((unsigned char)c->line[i]);
	c->name[k] = '\0';
	p = c->line + k;
	c->rest = *p ? p + 1 : p;
	if (strcmp(c->name, "PASS") == 0)
		return 0;	/* one argument, spaces and all (rest) */
	return split_args(c, p);
}

/* pop3_cmd_number - digits only, 1..2147483647 */
bool pop3_cmd_number(const char *s, unsigned long *n_r)
{
	unsigned long n = 0;

	if (*s == '\0' || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		n = n * 10 + (unsigned long)(*s - '0');
	}
	if (n == 0 || n > 2147483647UL)
		return false;
	*n_r = n;
	return true;
}
