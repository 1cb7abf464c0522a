/* fuzz_dovecot_uidlist - libFuzzer target for the dovecot-uidlist and
 * dovecot-keywords parsers.  The input is parsed with the default limits
 * and with small ones (so every limit is reached).  A list that parses
 * must keep the promises of dovecot_uidlist.h: UIDVALIDITY and NEXTUID
 * not 0, uids strictly increasing from 1 and below NEXTUID, every base a
 * non-empty name without '/', ':' or control bytes; the fields kept as
 * written printable, one space apart; and every entry gets a
 * default-format UIDL. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dovecot_keywords.h"
#include "dovecot_uidlist.h"
#include "log.h"
#include "pop3_uidl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fields_ok - NULL, or printable fields one space apart: what a rewrite
 * puts back on one line */
static int fields_ok(const char *s)
{
	if (s == NULL)
		return 1;
	if (*s == '\0' || *s == ' ' || s[strlen(s) - 1] == ' ' || strstr(s, "  ") != NULL)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* check_list - abort unless ul is what the header promises */
static void check_list(const struct dovecot_uidlist *ul, struct buf *out, struct buf *why)
{
	uint32_t prev = 0;

	if (ul->uidvalidity == 0 || ul->nextuid == 0 || (ul->version != 1 && ul->version != 3)
	    || !fields_ok(ul->hdr_ext))
		abort();
	for (size_t i = 0; i < ul->count; i++) {
		const struct dovecot_uidlist_entry *e = &ul->entries[i];
		struct pop3_uidl_vars v = { .uid = e->uid, .uidvalidity = ul->uidvalidity,
					    .filename = e->base, .guid = e->guid };

		if (e->uid <= prev || e->uid >= ul->nextuid || e->base == NULL || e->base[0] == '\0'
		    || strpbrk(e->base, "/:") != NULL || !fields_ok(e->ext))
			abort();
		for (const char *p = e->base; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
		if (pop3_uidl_format(out, "%08Xu%08Xv", &v, why) != 0 || buf_len(out) != 16)
			abort();
		prev = e->uid;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	static const struct dovecot_uidlist_limits small = {
		.max_size = 512, .max_line = 40, .max_entries = 4,
	};
	struct dovecot_uidlist *ul;
	struct dovecot_keywords kw = { 0 };
	struct buf *why = buf_new(0), *out = buf_new(0);

	if (!quiet++)
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	if (dovecot_uidlist_parse((const char *)data, size, "f", NULL, &ul, why) == 0) {
		check_list(ul, out, why);
		dovecot_uidlist_free(&ul);
	}
	if (dovecot_uidlist_parse((const char *)data, size, "f", &small, &ul, why) == 0) {
		check_list(ul, out, why);
		if (ul->count > small.max_entries)
			abort();
		dovecot_uidlist_free(&ul);
	}
	if (dovecot_keywords_parse((const char *)data, size, "f", &kw, why) == 0)
		dovecot_keywords_clear(&kw);
	buf_free(&why);
	buf_free(&out);
	return 0;
}
