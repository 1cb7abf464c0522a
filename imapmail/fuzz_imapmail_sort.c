/* fuzz_imapmail_sort - libFuzzer target for SORT's and THREAD's keys and
 * threads (imapmail_sort.h).  The input is lines of messages, each
 * "subject\tfrom\tmessage-id\treferences"; every value is keyed (base
 * subject, address keys, ids) and the messages are threaded both ways.
 * Checks: a base subject is never longer than its decoded, folded
 * subject could be (4 bytes a byte, at most), and both THREAD answers
 * are balanced parenthesised lists naming every message exactly once.
 * The whole input is also a cache entry of sort keys (decoded or
 * refused, never read past) and a message's envelope fields and header,
 * whose computed keys must decode. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imapmail_sort.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MSGS_MAX = 200 };

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* answer_ok - balanced, each of 1..n once */
static void answer_ok(const char *s, size_t n)
{
	unsigned char *seen = xcalloc(n + 1, 1);
	long depth = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			check(--depth >= 0);
		else if (*p >= '0' && *p <= '9') {
			unsigned long v = strtoul(p, (char **)&p, 10);

			check(v >= 1 && v <= n && !seen[v]);
			seen[v] = 1;
			p--;
		}
	}
	check(depth == 0);
	for (size_t i = 1; i <= n; i++)
		check(seen[i]);
	free(seen);
}

/* field - the k-th tab-separated field of line [s, e) */
static void field(const char *s, const char *e, int k, const char **f, size_t *len)
{
	for (; k > 0 && s < e; k--) {
		const char *t = memchr(s, '\t', (size_t)(e - s));

		s = t ? t + 1 : e;
	}
	*f = s;
	*len = (size_t)(((const char *)memchr(s, '\t', (size_t)(e - s)) ?: e) - s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imapmail_thread_msg m[MSGS_MAX];
	struct buf *subj[MSGS_MAX], *key = buf_new(64), *out = buf_new(256);
	struct strv *ids[MSGS_MAX], *own[MSGS_MAX];
	const char *s = (const char *)data, *end = s + size;
	struct imapmail_sortkeys k;
	char *text = xmalloc(size + 1);
	size_t n = 0;

	/* the cache's entries: any bytes are one or are refused; computed
	 * keys (the input as envelope fields and as header) always are */
	(void)imapmail_sortkeys_decode(s, size, &k);
	memcpy(text, data, size);
	text[size] = '\0';
	imapmail_sortkeys_compute(text, size, text, out);
	check(imapmail_sortkeys_decode(buf_str(out), buf_len(out), &k));
	free(text);

	while (s < end && n < MSGS_MAX) {
		const char *e = memchr(s, '\n', (size_t)(end - s)) ?: end, *f;
		size_t len;

		subj[n] = buf_new(64);
		ids[n] = strv_new();
		own[n] = strv_new();
		field(s, e, 0, &f, &len);
		m[n] = (struct imapmail_thread_msg){ .seq = (uint32_t)n + 1, .id = (uint32_t)n + 1,
						     .sent = (time_t)(len % 3) };
		imapmail_sort_base_subject(f, len, subj[n], &m[n].reply);
		check(buf_len(subj[n]) <= 4 * len + 4);
		m[n].subject = buf_str(subj[n]);
		field(s, e, 1, &f, &len);
		buf_reset(key);
		imapmail_sort_address(f, len, false, key);
		buf_reset(key);
		imapmail_sort_address(f, len, true, key);
		field(s, e, 2, &f, &len);
		imapmail_sort_msgids(f, len, own[n]);
		m[n].msgid = own[n]->len ? own[n]->items[0] : "";
		field(s, e, 3, &f, &len);
		imapmail_sort_msgids(f, len, ids[n]);
		m[n].refs = ids[n];
		n++;
		s = e + 1;
	}
	for (int refs = 0; refs < 2; refs++) {
		buf_reset(out);
		imapmail_thread_write(m, n, refs, out);
		answer_ok(buf_str(out), n);
	}
	for (size_t i = 0; i < n; i++) {
		buf_free(&subj[i]);
		strv_free(&ids[i]);
		strv_free(&own[i]);
	}
	buf_free(&key);
	buf_free(&out);
	return 0;
}
