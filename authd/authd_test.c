/* authd_test - authd's pure parts: request fields and IDs, SASL PLAIN and
 * CRAM-MD5 responses, login names and auth_username_format, mail_location,
 * auth_failure_delay values, passwd-file entries and files (bad lines
 * named, re-read on change) and their userdb extra fields, and the
 * per-client failure counter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duration.h"
#include "authd.h"
#include "test.h"

/* test_parse - bad input first */
static void test_parse(void)
{
	char line[] = "AUTH\t12\tPLAIN\tservice=smtp\tsecured\tresp=", *f[8];
	struct sasl_plain p;
	struct buf *u = buf_new(0);
	unsigned char d[16];
	uint32_t id;
	long ms;

	test_begin("authd: fields, IDs and line checks");
	test_assert(!authd_parse_id("", &id) && !authd_parse_id("0", &id) && !authd_parse_id("01", &id));
	test_assert(!authd_parse_id("4294967296", &id) && !authd_parse_id("-1", &id) && !authd_parse_id("1x", &id));
	test_assert(authd_parse_id("4294967295", &id) && id == 4294967295u);
	test_assert(authd_split(line, f, 8) == 6 && strcmp(f[2], "PLAIN") == 0);
	test_assert(strcmp(authd_field(f, 6, 3, "service"), "smtp") == 0);
	test_assert(authd_field(f, 6, 3, "resp") && *authd_field(f, 6, 3, "resp") == '\0');
	test_assert(authd_field(f, 6, 3, "rip") == NULL && authd_flag(f, 6, 3, "secured"));
	char many[] = "a\tb\tc";
	test_assert(authd_split(many, f, 2) == -1);
	test_assert(!authd_line_ok("a\rb", 3) && !authd_line_ok("a\0b", 3) && !authd_line_ok("\x80", 1));
	test_assert(authd_line_ok("A\tb c", 5));
	test_end();

	test_begin("authd: SASL PLAIN and CRAM-MD5 responses");
	test_assert(sasl_plain_parse("abc", 3, &p) < 0);
	test_assert(sasl_plain_parse("\0u", 2, &p) < 0);
	test_assert(sasl_plain_parse("\0\0pw", 4, &p) < 0);		/* empty authcid */
	test_assert(sasl_plain_parse("\0u\0", 3, &p) < 0);		/* empty passwd */
	test_assert(sasl_plain_parse("\0u\0p\0", 5, &p) < 0);
	test_assert(sasl_plain_parse("z\0u\0pw", 6, &p) == 0 && strcmp(p.authzid, "z") == 0 &&
		    strcmp(p.authcid, "u") == 0 && strncmp(p.passwd, "pw", 2) == 0);
	test_assert(sasl_cram_parse("u 0123", 6, u, d) < 0);
	test_assert(sasl_cram_parse("u 0123456789abcdef0123456789abcdeg", 34, u, d) < 0);
	test_assert(sasl_cram_parse("u\0 0123456789abcdef0123456789abcdef", 35, u, d) < 0);
	test_assert(sasl_cram_parse("joe 0123456789ABCDEF0123456789abcdef", 36, u, d) == 0 &&
		    strcmp(buf_str(u), "joe") == 0 && d[0] == 0x01 && d[7] == 0xef);
	test_end();

	test_begin("authd: auth_failure_delay values");
	test_assert(!duration_ms("", 60000, &ms) && !duration_ms("-1", 60000, &ms) &&
		    !duration_ms("2h", 60000, &ms) && !duration_ms("61s", 60000, &ms) &&
		    !duration_ms("x", 60000, &ms) && !duration_ms("2m", 60000, &ms));
	test_assert(duration_ms("2s", 60000, &ms) && ms == 2000);
	test_assert(duration_ms("300ms", 60000, &ms) && ms == 300);
	test_assert(duration_ms("3", 60000, &ms) && ms == 3000);
	test_assert(duration_ms("1m", 60000, &ms) && ms == 60000 && duration_ms("0", 60000, &ms) && ms == 0);
	test_end();
	buf_free(&u);
}

/* test_names - login names, formats, realms, mail locations */
static void test_names(void)
{
	struct authd_name n;
	struct buf *b = buf_new(0);

	authd_name_init(&n);
	test_begin("authd: login names, auth_username_format, auth_default_realm");
	test_assert(authd_name_normalize("", "%Lu", "", &n) < 0);
	test_assert(authd_name_normalize("a b", "%Lu", "", &n) < 0);
	test_assert(authd_name_normalize("a:b", "%Lu", "", &n) < 0);
	test_assert(authd_name_normalize("a/../b", "%Lu", "", &n) < 0);
	test_assert(authd_name_normalize("b\xc3\xb6" "b", "%Lu", "", &n) < 0);
	test_assert(authd_name_normalize("Bob@Example.ORG", "%Lu", "", &n) == 0 &&
		    strcmp(buf_str(n.full), "bob@example.org") == 0);
	test_assert(authd_name_normalize("Bob@Example.ORG", "%n", "", &n) == 0 &&
		    strcmp(buf_str(n.full), "Bob") == 0);
	test_assert(authd_name_normalize("Bob@Example.ORG", "%Ln@%Ud", "", &n) == 0 &&
		    strcmp(buf_str(n.full), "bob@EXAMPLE.ORG") == 0);
	test_assert(authd_name_normalize("Bob", "%Lu", "example.net", &n) == 0 &&
		    strcmp(buf_str(n.full), "bob@example.net") == 0 && strcmp(buf_str(n.sys), "bob") == 0);
	test_assert(authd_name_normalize("bob@x.org", "%u", "example.net", &n) == 0 &&
		    strcmp(buf_str(n.full), "bob@x.org") == 0);
	test_assert(authd_name_normalize("bob", "%d", "", &n) < 0);	/* empty */
	test_assert(!authd_format_ok("%x", "und") && !authd_format_ok("%h", "und") &&
		    !authd_format_ok("%", "und") && authd_format_ok("%Lu%%", "und"));
	authd_mail_location("maildir:~/Maildir", "bob", "/home/bob", b);
	test_assert_str(buf_str(b), "maildir:/home/bob/Maildir");
	buf_reset(b);
	authd_mail_location("maildir:/var/vmail/%d/%n", "bob@x.org", "/h", b);
	test_assert_str(buf_str(b), "maildir:/var/vmail/x.org/bob");
	buf_reset(b);
	authd_mail_location("~/mail:INBOX=%h/x", "bob", "/h", b);
	test_assert_str(buf_str(b), "/h/mail:INBOX=/h/x");
	test_end();
	authd_name_free(&n);
	buf_free(&b);
}

/* test_pwfile - entries, bad lines, re-reading */
static void test_pwfile(void)
{
	struct pwentry e;
	struct buf *why = buf_new(0);
	const char *w;
	char *path = test_tmpfile("# comment\n\nbob@x.org:{PLAIN}pw:1000:1000::/home/bob::\n"
				  "bad line\nbad uid:{PLAIN}x:u1:2\nann:{PLAIN}a:1:2::relative::\n"
				  "bob@x.org:{PLAIN}dup\ncarl:\n");
	struct pwfile *pf = pwfile_open(path);

	test_begin("authd: passwd-file entries");
	test_assert(pwentry_parse("u", "{PLAIN}x:abc", &e, &w) < 0 && strstr(w, "numbers"));
	test_assert(pwentry_parse("u", "{PLAIN}x\t:1", &e, &w) < 0);
	test_assert(pwentry_parse("u", "{PLAIN}x", &e, &w) == 0 && strcmp(e.hash, "{PLAIN}x") == 0 &&
		    e.uid == NULL && e.home == NULL);
	pwentry_clear(&e);
	test_assert(pwfile_lookup(pf, "bob@x.org", &e, why) == 1 && strcmp(e.hash, "{PLAIN}pw") == 0 &&
		    strcmp(e.uid, "1000") == 0 && strcmp(e.home, "/home/bob") == 0);
	pwentry_clear(&e);
	test_expect_log(", line 4: expected user:");
	test_expect_log(", line 5: bad user name");
	test_expect_log(", line 6: home must be an absolute path");
	test_expect_log(", line 7: duplicate user");
	test_assert(pwfile_lookup(pf, "ann", &e, why) == 0);
	test_assert(pwfile_lookup(pf, "carl", &e, why) == 1 && *e.hash == '\0');
	pwentry_clear(&e);
	test_end();

	test_begin("authd: passwd-file re-read when it changes, unreadable is temporary");
	FILE *fp = fopen(path, "a");
	fputs("dora:{PLAIN}d:1:1::/d::\n", fp);
	fclose(fp);
	test_assert(pwfile_lookup(pf, "dora", &e, why) == 1);
	pwentry_clear(&e);
	unlink(path);
	test_assert(pwfile_lookup(pf, "dora", &e, why) == -1 && strstr(buf_str(why), "No such file"));
	test_end();
	pwfile_free(&pf);
	free(path);
	buf_free(&why);
}

/* test_userdb_fields - the extra fields a USER answer carries */
static void test_userdb_fields(void)
{
	struct pwentry e;
	struct strv *v = strv_new();
	const char *w = NULL;
	char *joined;

	test_begin("authd: passwd-file extra fields: userdb_mail and userdb_quota_rule*, nothing else");
	test_assert(pwentry_parse("u", "{PLAIN}x:1:2::/h:/bin/sh:userdb_quota_rule=*:storage=1G nopassword "
				  "userdb_mail=maildir:~/m/%n userdb_nice=5 quota_rule=x userdb_quota_rulex=y "
				  "userdb_quota_rule2=Trash:storage=+10%%", &e, &w) == 0);
	test_assert(e.extra && strncmp(e.extra, "userdb_quota_rule=*:storage=1G nopassword", 41) == 0);
	test_assert(strcmp(e.home, "/h") == 0 && e.groups_user == NULL);
	test_assert(authd_userdb_fields(e.extra, v, &w) == 0);
	joined = strv_join(v, "|");
	test_assert_str(joined, "quota_rule=*:storage=1G|mail=maildir:~/m/%n|quota_rule2=Trash:storage=+10%%");
	free(joined);
	pwentry_clear(&e);
	test_assert(pwentry_parse("u", "{PLAIN}x:1:2::/h::", &e, &w) == 0 && e.extra == NULL);
	pwentry_clear(&e);
	test_assert(pwentry_parse("u", "{PLAIN}x:1:2::/h::userdb_quota_rule", &e, &w) < 0 &&
		    strcmp(w, "userdb field without a value") == 0);
	test_assert(pwentry_parse("u", "{PLAIN}x:1:2::/h::userdb_mail=a userdb_mail=b", &e, &w) < 0 &&
		    strcmp(w, "duplicate userdb field") == 0);
	test_assert(pwentry_parse("u", "{PLAIN}x:1:2::/h::userdb_mail=maildir:/m/%x", &e, &w) < 0 &&
		    strcmp(w, "userdb field with an unknown %variable") == 0);
	test_end();
	strv_free(&v);
}

/* test_abuse - the per-client counter */
static void test_abuse(void)
{
	authd.client_failure_limit = 3;
	authd.client_failure_window = 600;
	test_begin("authd: per-client failure limit");
	for (int i = 0; i < 3; i++) {
		test_assert(!authd_abuse_blocked("192.0.2.1"));
		authd_abuse_failed("192.0.2.1");
	}
	test_assert(authd_abuse_blocked("192.0.2.1") && !authd_abuse_blocked("192.0.2.2"));
	for (int i = 0; i < 20000; i++) {	/* the table stays bounded */
		char ip[32];

		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 256, i % 256);
		authd_abuse_failed(ip);
	}
	test_assert(!authd_abuse_blocked("10.0.0.0"));	/* evicted, oldest first */
	authd.client_failure_limit = 0;
	test_assert(!authd_abuse_blocked("192.0.2.1"));
	authd_abuse_reset();
	test_end();
}

/* test_authd - every group */
void test_authd(void)
{
	test_parse();
	test_names();
	test_pwfile();
	test_userdb_fields();
	test_abuse();
}
