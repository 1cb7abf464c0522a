/* lline - logical line reader; see lline.h.  Input is untrusted: lines
 * are bounded by ll->max and a NUL byte is an error, not a terminator. */
#include <ctype.h>
#include <string.h>

#include "lline.h"

/* lline_init - read logical lines from text[0..len) */
void lline_init(struct lline *ll, const char *text, size_t len, size_t max)
{
	memset(ll, 0, sizeof(*ll));
	ll->p = text;
	ll->end = text + len;
	ll->max = max;
	ll->line = buf_new(256);
	ll->next = buf_new(256);
}

/* lline_done - release the buffers */
void lline_done(struct lline *ll)
{
	buf_free(&ll->line);
	buf_free(&ll->next);
}

/* take - hand the pending logical line to the caller */
static int take(struct lline *ll)
{
	struct buf *tmp = ll->line;

	ll->line = ll->next;
	ll->next = tmp;
	buf_reset(ll->next);
	ll->start = ll->pending;
	ll->pending = 0;
	return 1;
}

/* lline_next - 1 and the next logical line, 0 at the end, -1 on error */
int lline_next(struct lline *ll, struct buf *why)
{
	while (ll->p < ll->end) {
		const char *nl = memchr(ll->p, '\n', (size_t)(ll->end - ll->p));
		size_t n = nl ? (size_t)(nl - ll->p) : (size_t)(ll->end - ll->p);
		const char *s = ll->p;
		size_t skip = 0;

		ll->p = nl ? nl + 1 : ll->end;
		ll->lineno++;
		while (skip < n && isspace((unsigned char)s[skip]))
			skip++;
		if (memchr(s, '\0', n)) {
			buf_printf(why, "line %d: NUL byte in line", ll->lineno);
			return -1;
		}
		if (skip == n || s[skip] == '#')
			continue;
		if (skip == 0 && ll->pending) {
			ll->p = s;	/* read it again next time */
			ll->lineno--;
			return take(ll);
		}
		if (skip > 0 && ll->pending == 0) {
			buf_printf(why, "line %d: continuation line (it starts with white space) with nothing to continue", ll->lineno);
			return -1;
		}
		if (buf_len(ll->next) + n > ll->max) {
			buf_printf(why, "line %d: logical line longer than %zu bytes",
				   ll->pending ? ll->pending : ll->lineno, ll->max);
			return -1;
		}
		if (ll->pending == 0)
			ll->pending = ll->lineno;
		buf_add(ll->next, s, n);
	}
	return ll->pending ? take(ll) : 0;
}
