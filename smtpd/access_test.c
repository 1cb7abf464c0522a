/* access_test - access(5) lookup order against a real LMDB table built
 * from the guide's access file, and result parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "dict.h"
#include "mem.h"
#include "test.h"

/* build - an lmdb table at path from "key value" pairs */
static struct dict *build(const char *path, const char *const *pairs)
{
	struct buf *why = buf_new(0), *spec = buf_new(64);
	struct dict *d;

	buf_printf(spec, "hash:%s", path);
	d = dict_open(buf_str(spec), DICT_FLAG_CREATE | DICT_FLAG_WRITE | DICT_FLAG_FOLD_KEY, why);
	test_assert(d != NULL);
	for (size_t i = 0; d && pairs[i]; i += 2)
		test_assert(dict_update(d, pairs[i], pairs[i + 1]) == 0);
	test_assert(d && dict_commit(d) == 0);
	dict_close(&d);
	d = dict_open(buf_str(spec), DICT_FLAG_FOLD_KEY, why);
	test_assert(d != NULL);
	buf_free(&why);
	buf_free(&spec);
	return d;
}

static const struct access_opts opts = { true, "+", "<>" };

/* check - run one lookup; returns the value or "(none)" / "(error)" */
static const char *check(struct dict *d, char kind, const char *a, const char *b, struct buf *key)
{
	const char *v = NULL;
	int rc;

	buf_reset(key);
	if (kind == 'c')
		rc = access_client(d, &opts, a, b, &v, key);
	else if (kind == 'h')
		rc = access_helo(d, &opts, a, &v, key);
	else
		rc = access_address(d, &opts, a, &v, key);
	return rc == 1 ? v : rc == 0 ? "(none)" : "(error)";
}

/* test_access - the guide's access file and the access(5) order */
void test_access(void)
{
	static const char *const guide[] = { "1.2.3", "REJECT", "1.2.3.4", "OK", NULL };
	static const char *const more[] = {
		"example.com", "REJECT domain", "joe@", "OK joe anywhere",
		"ann@example.org", "DUNNO exact", "<>", "550 no bounces here",
		"2001:db8:0:0", "REJECT v6 net", "good.example.net", "OK", "unknown", "REJECT no name",
		NULL };
	char *path = xstrdup(test_datadir());
	struct buf *key = buf_new(0), *p = buf_new(0);
	struct dict *d;

	test_begin("access: guide's table: 1.2.3.4 OK, 1.2.3.5 REJECT (prefix walk)");
	buf_printf(p, "%s/access", path);
	d = build(buf_str(p), guide);
	if (d) {
		test_assert_str(check(d, 'c', "unknown", "1.2.3.4", key), "OK");
		test_assert_str(buf_str(key), "1.2.3.4");
		test_assert_str(check(d, 'c', "unknown", "1.2.3.5", key), "REJECT");
		test_assert_str(buf_str(key), "1.2.3");
		test_assert_str(check(d, 'c', "", "1.2.4.5", key), "(none)");
		test_assert_str(check(d, 'c', "", "::ffff:1.2.3.9", key), "REJECT");
	}
	dict_close(&d);
	test_end();

	test_begin("access: domains, parents, user@, extensions, <>, IPv6, unknown");
	buf_reset(p);
	buf_printf(p, "%s/more", path);
	d = build(buf_str(p), more);
	if (d) {
		test_assert_str(check(d, 'c', "mail.Example.COM", "192.0.2.1", key), "REJECT domain");
		test_assert_str(check(d, 'h', "a.b.example.com", NULL, key), "REJECT domain");
		test_assert_str(check(d, 'a', "x@sub.example.com", NULL, key), "REJECT domain");
		test_assert_str(check(d, 'a', "joe+tag@elsewhere.org", NULL, key), "OK joe anywhere");
		test_assert_str(buf_str(key), "joe@");
		test_assert_str(check(d, 'a', "ann+x@example.org", NULL, key), "DUNNO exact");
		test_assert_str(check(d, 'a', "", NULL, key), "550 no bounces here");
		test_assert_str(check(d, 'c', "", "2001:db8::1", key), "REJECT v6 net");
		test_assert_str(check(d, 'a', "someone@example.net", NULL, key), "(none)");
		test_assert_str(check(d, 'h', "bad.good.example.net", NULL, key), "OK");
		test_assert_str(check(d, 'c', "unknown", "2001:db8::1", key), "REJECT no name");
	}
	dict_close(&d);
	test_end();

	test_begin("access: a table that will not open fails lookups (never 'not found')");
	buf_reset(p);
	buf_printf(p, "hash:%s/missing", path);
	d = dict_open_surrogate(buf_str(p), DICT_FLAG_FOLD_KEY);
	test_assert_str(check(d, 'c', "", "1.2.3.4", key), "(error)");
	test_expect_log("missing");
	dict_close(&d);
	test_end();

	test_begin("access: result words");
	struct access_action a;
	access_parse_action("REJECT go away", &a);
	test_assert(a.kind == ACCESS_REJECT);
	test_assert_str(a.text, "go away");
	access_parse_action("ok", &a);
	test_assert(a.kind == ACCESS_OK);
	access_parse_action("550 5.7.1 no", &a);
	test_assert(a.kind == ACCESS_CODE && a.code == 550);
	test_assert_str(a.text, "5.7.1 no");
	access_parse_action("12345", &a);
	test_assert(a.kind == ACCESS_OK);
	access_parse_action("permit_mynetworks, reject", &a);
	test_assert(a.kind == ACCESS_RESTRICTIONS);
	access_parse_action("RELAY", &a);	/* Postfix: the same as OK */
	test_assert(a.kind == ACCESS_OK);
	access_parse_action("450", &a);		/* all digits: OK, a code needs text */
	test_assert(a.kind == ACCESS_OK);
	access_parse_action("299 odd", &a);	/* not 4xx/5xx: a restriction name */
	test_assert(a.kind == ACCESS_RESTRICTIONS);
	test_end();

	buf_free(&key);
	buf_free(&p);
	free(path);
}
