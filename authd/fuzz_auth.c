/* fuzz_auth - libFuzzer target for authd's parsers: the request line
 * (control characters, TAB fields, IDs, named fields and flags), base64
 * (a decoded field must encode back to itself), the SASL PLAIN and
 * CRAM-MD5 response decoders (on the raw input and on every decoded
 * field), login names with auth_username_format, mail_location
 * expansion, passwd-file entries and auth_failure_delay values.
 * Invariants abort(): libFuzzer reports them with the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "authd.h"
#include "base64.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sasl - both SASL decoders on bytes; check what they return */
static void sasl(const char *p, size_t len)
{
	struct sasl_plain pl;
	struct buf *user = buf_new(16);
	unsigned char digest[16];

	if (sasl_plain_parse(p, len, &pl) == 0) {
		if (pl.authcid <= pl.authzid || pl.passwd <= pl.authcid || pl.passwd > p + len)
			abort();
		if (*pl.authcid == '\0')
			abort();
	}
	if (sasl_cram_parse(p, len, user, digest) == 0 && buf_len(user) + 33 != len)
		abort();
	buf_free(&user);
}

/* field_checks - one field: base64 round trip, SASL, names, formats */
static void field_checks(const char *f)
{
	struct buf *dec = buf_new(64), *enc = buf_new(64), *out = buf_new(64);
	struct authd_name n;
	struct pwentry e;
	const char *why;
	uint32_t id;
	long ms;

	if (base64_decode(f, strlen(f), dec, 0) == 0) {
		base64_encode(buf_str(dec), buf_len(dec), enc);
		if (strcmp(buf_str(enc), f) != 0)
			abort();
		sasl(buf_str(dec), buf_len(dec));
	}
	(void)authd_parse_id(f, &id);
	if (duration_ms(f, 60000, &ms) && (ms < 0 || ms > 60000))
		abort();
	authd_name_init(&n);
	if (authd_name_normalize(f, "%Lu", "example.org", &n) == 0 &&
	    !authd_name_ok(buf_str(n.full), buf_len(n.full)))
		abort();
	(void)authd_name_normalize("user@example.org", f, "", &n);
	authd_name_free(&n);
	(void)authd_mail_location(f, "user@example.org", "/home/u", out);
	if (pwentry_parse("u", f, &e, &why) == 0)
		pwentry_clear(&e);
	buf_free(&dec);
	buf_free(&enc);
	buf_free(&out);
}

/* LLVMFuzzerTestOneInput - the input is one request line */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line, *f[AUTHD_MAX_FIELDS];
	int n;

	if (size > AUTHD_MAX_LINE)
		return 0;
	sasl((const char *)data, size);
	line = xmalloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	if (!authd_line_ok(line, size) || (n = authd_split(line, f, AUTHD_MAX_FIELDS)) < 0) {
		free(line);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		if (strchr(f[i], '\t'))
			abort();
		field_checks(f[i]);
	}
	(void)authd_field(f, n, 1, "resp");
	(void)authd_flag(f, n, 1, "secured");
	free(line);
	return 0;
}
