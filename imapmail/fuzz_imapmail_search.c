/* fuzz_imapmail_search - libFuzzer target for the SEARCH program parser
 * and the message reader.  The input is a program line, then "\n\n",
 * then a message: the line becomes arguments (atoms, "strings",
 * parenthesised lists), and a program that parses is matched against
 * the message in a memory file.  Checks: a refusal says why, a program
 * that parses matches with 1, 0 (never -1: the file is there), and the
 * writer's answer is one CRLF-ended line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "imapmail_search.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ARGS_MAX = 2000 };

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* args - s[*i..end) into arguments, lists nested; *count bounds them all */
static struct imap_arg *args(const char *s, size_t end, size_t *i, size_t *n_r, size_t *count)
{
	struct imap_arg *a = NULL;
	size_t n = 0;

	while (*i < end && *count < ARGS_MAX) {
		struct imap_arg x = { 0 };
		size_t len;

		if (s[*i] == ' ') {
			(*i)++;
			continue;
		}
		if (s[*i] == ')') {
			(*i)++;
			break;
		}
		(*count)++;
		if (s[*i] == '(') {
			(*i)++;
			x.type = IMAP_ARG_LIST;
			x.list = args(s, end, i, &x.list_len, count);
		} else {
			bool quoted = s[*i] == '"';

			*i += quoted;
			len = quoted ? strcspn(s + *i, "\"") : strcspn(s + *i, " ()\"");
			if (*i + len > end)
				len = end - *i;
			x.type = quoted ? IMAP_ARG_STRING : IMAP_ARG_ATOM;
			x.str = xstrndup(s + *i, len);
			x.len = strlen(x.str);
			*i += len + (quoted && *i + len < end);
		}
		a = xrealloc(a, (n + 1) * sizeof(*a));
		a[n++] = x;
	}
	*n_r = n;
	return a;
}

/* args_free - what args made */
static void args_free(struct imap_arg *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].str);
		if (a[i].type == IMAP_ARG_LIST)
			args_free(a[i].list, a[i].list_len);
	}
	free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	size_t line = strcspn(text, "\n"), i = 0, n = 0, count = 0;
	const char *body = strstr(text, "\n\n");
	struct imap_arg *a = args(text, line, &i, &n, &count);
	struct imapmail_search *s;
	struct buf *why = buf_new(0), *out = buf_new(0);
	static const char *const kw[] = { "work" };
	uint32_t hit = 7;

	if (imapmail_search_parse(a, n, &s, why) == 0) {
		int fd = memfd_create("msg", 0);
		struct imapmail_search_msg m = {
			.seq = 1, .uid = 7, .modseq = 3, .flags = "S", .keywords = kw,
			.n_keywords = 1, .size = 100, .internal_date = 1700000000, .fd = fd,
		};
		int rc;

		if (body != NULL && write(fd, body + 2, strlen(body + 2)) < 0)
			abort();
		rc = imapmail_search_match(s, &m, 1, 7);
		check(rc == 0 || rc == 1);
		imapmail_search_result(s, "t", true, false, &hit, rc == 1, 3, out);
		check(buf_len(out) == 0 || (strstr(buf_str(out), "\r\n") == buf_str(out) + buf_len(out) - 2));
		imapmail_search_free(&s);
		close(fd);
	} else {
		check(buf_len(why) > 0);
	}
	args_free(a, n);
	buf_free(&why);
	buf_free(&out);
	free(text);
	return 0;
}
