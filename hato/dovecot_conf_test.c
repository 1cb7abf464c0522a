/* dovecot_conf_test - the Dovecot configuration reader: settings,
 * sections, includes, variables, quotes, comments, and its errors. */
#include <stdlib.h>
#include <string.h>

#include "dovecot_conf.h"
#include "mem.h"
#include "test.h"

/* read2 - files a and b (b may be NULL), the tree or NULL with why */
static struct dovecot_conf *read2(const char *a, const char *b, struct buf *why)
{
	struct strv *names = strv_new(), *texts = strv_new();
	struct dovecot_conf *dc;

	strv_add(names, "/d/dovecot.conf");
	strv_add(texts, a);
	if (b) {
		strv_add(names, "/d/conf.d/10-auth.conf");
		strv_add(texts, b);
	}
	buf_reset(why);
	dc = dovecot_conf_read_memory(names, texts, why);
	strv_free(&names);
	strv_free(&texts);
	return dc;
}

/* error_of - why reading a (and b) fails, or "-" */
static const char *error_of(const char *a, const char *b)
{
	static char out[256];
	struct buf *why = buf_new(64);
	struct dovecot_conf *dc = read2(a, b, why);

	strcpy(out, dc ? "-" : "");
	if (!dc)
		strncat(out, buf_str(why), sizeof(out) - 1);
	dovecot_conf_free(&dc);
	buf_free(&why);
	return out;
}

/* test_settings - settings, sections, includes */
static void test_settings(void)
{
	struct buf *why = buf_new(64);
	struct dovecot_conf *dc;
	const struct dovecot_node *n, *pdb;

	test_begin("dovecot_conf: settings, quotes, comments, variables, sections, includes");
	dc = read2("protocols = $protocols imap\n"
		   "protocols = $protocols pop3  # a comment\n"
		   "login_greeting = \"Hi # there\"\n"
		   "ssl_cert = </etc/ssl/c.pem\n"
		   "mail_location = maildir:~/Maildir:\\\n  LAYOUT=fs\n"
		   "!include conf.d/*.conf\n"
		   "service imap-login {\n  inet_listener imap {\n    port = 143\n  }\n}\n"
		   "namespace inbox {\n  mailbox \"Sent Messages\" {\n  special_use = \\Sent\n  }\n}\n",
		   "auth_mechanisms = plain login\n!include_try missing.conf.ext\n"
		   "passdb {\n  driver = pam\n}\n", why);
	test_assert(dc != NULL);
	if (dc) {
		test_assert_str(dovecot_conf_get(dc->root, "protocols"), "imap pop3");
		test_assert_str(dovecot_conf_get(dc->root, "login_greeting"), "Hi # there");
		test_assert_str(dovecot_conf_get(dc->root, "ssl_cert"), "</etc/ssl/c.pem");
		test_assert_str(dovecot_conf_get(dc->root, "mail_location"),
				"maildir:~/Maildir:  LAYOUT=fs");
		n = dovecot_conf_find(dc->root, "auth_mechanisms");
		test_assert(n && strcmp(n->file, "/d/conf.d/10-auth.conf") == 0 && n->line == 1);
		for (pdb = dc->root->child; pdb && strcmp(pdb->key, "passdb"); pdb = pdb->next)
			;
		test_assert(pdb && pdb->kind == DOVECOT_SECTION && pdb->name == NULL);
		test_assert(pdb && strcmp(dovecot_conf_get(pdb, "driver"), "pam") == 0);
		for (n = dc->root->child; n && strcmp(n->key, "namespace"); n = n->next)
			;
		test_assert(n && n->child && strcmp(n->child->name, "Sent Messages") == 0);
		test_assert(n && n->child && n->child->child && n->child->child->line == 15);
		test_assert(dc->files->len == 2);
	}
	dovecot_conf_free(&dc);
	buf_free(&why);
	test_end();
}

/* test_errors - each error names file and line */
static void test_errors(void)
{
	test_begin("dovecot_conf: errors name the file and the line");
	test_assert_str(error_of("a = 1\nservice imap {\n  b = 2\n", NULL),
			"/d/dovecot.conf, line 2: section \"service imap\" is not closed in this file");
	test_assert_str(error_of("a = 1\n}\n", NULL), "/d/dovecot.conf, line 2: '}' without an open section");
	test_assert_str(error_of("!include conf.d/10-auth.conf\n", "x = 1\n!include /d/dovecot.conf\n"),
			"/d/conf.d/10-auth.conf, line 2: include loop: /d/dovecot.conf is already being read");
	test_assert_str(error_of("\n!include nothere.conf\n", NULL),
			"/d/dovecot.conf, line 2: !include /d/nothere.conf: no such file");
	test_assert_str(error_of("!include_try nothere.conf\n!include_try none/*.conf\n", NULL), "-");
	test_assert_str(error_of("!include none/*.conf\n", NULL),
			"/d/dovecot.conf, line 1: !include none/*.conf: no such file");
	test_assert_str(error_of("passdb {\n", "}\n"),
			"/d/dovecot.conf, line 1: section \"passdb\" is not closed in this file");
	test_assert_str(error_of("x = 1\nfoo bar\n", NULL),
			"/d/dovecot.conf, line 2: \"foo\" is followed by neither '=' nor '{'");
	test_assert_str(error_of("!frobnicate x\n", NULL),
			"/d/dovecot.conf, line 1: unknown directive \"!frobnicate x\"");
	test_assert_str(error_of("a {\n}\n} \n", NULL), "/d/dovecot.conf, line 3: '}' without an open section");
	test_end();
}

/* test_limits - nesting, includes and line length are bounded */
static void test_limits(void)
{
	struct buf *deep = buf_new(256);
	char *line = xmalloc(DOVECOT_MAX_LINE + 8);

	test_begin("dovecot_conf: limits on nesting and line length");
	for (int i = 0; i <= DOVECOT_MAX_NEST; i++)
		buf_cat(deep, "s {\n");
	test_assert_str(error_of(buf_str(deep), NULL), "/d/dovecot.conf, line 17: sections nested deeper than 16");
	memset(line, 'a', DOVECOT_MAX_LINE + 4);
	memcpy(line + DOVECOT_MAX_LINE + 4, "\n", 2);
	test_assert_str(error_of(line, NULL), "/d/dovecot.conf, line 1: line longer than 8192 bytes");
	test_assert_str(error_of("!include dovecot.conf\n", NULL),
			"/d/dovecot.conf, line 1: include loop: /d/dovecot.conf is already being read");
	free(line);
	buf_free(&deep);
	test_end();
}

void test_dovecot_conf(void)
{
	test_settings();
	test_errors();
	test_limits();
}
