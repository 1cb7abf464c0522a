/* mail_acl_test - authorized_*_users lists and local_login_sender_maps:
 * table-driven, refusals and errors first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mem.h"
#include "test.h"
#include "mail_acl.h"

struct list_case {
	const char *list;	/* "%s" is replaced by a file name */
	const char *name;
	int want;
};

static const struct list_case list_cases[] = {
	{ "", "alice", 0 },				/* empty: nobody */
	{ "bob", "alice", 0 },
	{ "!alice, static:anyone", "alice", 0 },
	{ "!!alice", "alice", 1 },
	{ "nosuchtype:x alice", "alice", -1 },		/* a table that fails */
	{ "!/%s, static:anyone", "carol", 0 },		/* the file lists carol */
	{ "/%s", "dave", 0 },
	{ "lmdb:/nonexistent/table", "alice", -1 },	/* a table error is no "no" */
	{ "static:anyone", "anybody", 1 },
	{ "bob, ALICE", "alice", 1 },			/* case-insensitive */
	{ "/%s", "carol", 1 },
	{ "/%s", "erin", 0 },				/* "!erin" in the file */
	{ "!www, static:anyone", "alice", 1 },
	{ "inline:{alice=x}", "alice", 1 },
};

struct sender_case {
	const char *maps, *login, *sender;
	int want;
};

static const struct sender_case sender_cases[] = {
	{ "inline:{alice=alice@example.com}", "alice", "mallory@example.com", 0 },
	{ "inline:{alice=alice@example.com}", "bob", "bob@example.com", 0 },	/* no entry */
	{ "inline:{alice=alice@example.com}", "alice", "", 0 },
	{ "inline:{{alice=@example.com}}", "alice", "x@example.net", 0 },
	{ "inline:{alice=alice}", "alice", "alice+tag@example.com", 0 },
	{ "lmdb:/nonexistent/table", "alice", "alice", -1 },
	{ "static:*", "anyone", "whatever@example.org", 1 },
	{ "inline:{alice=<>}", "alice", "", 1 },
	{ "texthash:%s", "alice", "Alice@Example.com", 1 },	/* "alice alice, alice@..." */
	{ "texthash:%s", "alice", "alice+tag@example.com", 1 },
	{ "texthash:%s", "alice", "alice", 1 },
	{ "inline:{alice=@example.com}", "alice", "x@EXAMPLE.com", 1 },
	{ "inline:{uid:1234=*}", "uid:1234", "x@example.com", 1 },
};

/* expand - list with its "%s" replaced by file */
static void expand(struct buf *out, const char *list, const char *file)
{
	const char *f = strstr(list, "%s");

	buf_reset(out);
	if (f == NULL) {
		buf_cat(out, list);
		return;
	}
	buf_add(out, list, (size_t)(f - list));
	buf_printf(out, "%s%s", file, f + 2);
}

/* test_mail_acl - the two matchers and the command wrapper */
void test_mail_acl(void)
{
	char *file = test_tmpfile("# users\ncarol\n!erin, erin\n");
	char *senders = test_tmpfile("alice alice, alice@example.com\n");
	struct buf *why = buf_new(0), *list = buf_new(64);

	test_begin("mail_acl_allows: names, !, /file, tables, errors");
	for (size_t i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		const struct list_case *c = &list_cases[i];

		expand(list, c->list, file);
		buf_reset(why);
		if (mail_acl_allows("authorized_submit_users", buf_str(list), c->name, why) != c->want) {
			buf_reset(why);
			buf_printf(why, "list case %zu: \"%s\" for %s: want %d", i, buf_str(list),
				   c->name, c->want);
			test_fail_at(__FILE__, __LINE__, buf_str(why));
		}
	}
	test_end();

	test_begin("mail_acl_sender_ok: *, <>, @domain, addresses without extension");
	for (size_t i = 0; i < sizeof(sender_cases) / sizeof(sender_cases[0]); i++) {
		const struct sender_case *c = &sender_cases[i];
		int got;

		expand(list, c->maps, senders);
		got = mail_acl_sender_ok(&(struct mail_acl_sender){ .maps = buf_str(list),
			.login = c->login, .sender = c->sender, .null_key = "<>", .delimiters = "+" },
			why);
		if (got != c->want) {
			buf_reset(list);
			buf_printf(list, "sender case %zu: %s %s <%s>: want %d got %d", i, c->maps,
				   c->login, c->sender, c->want, got);
			test_fail_at(__FILE__, __LINE__, buf_str(list));
		}
	}
	test_end();

	test_begin("mail_acl_check: Postfix's refusal, root exempt only where asked");
	buf_reset(why);
	test_assert(mail_acl_check("authorized_mailq_users", "", "view the mail queue", 0, "nobody",
				   why) == 0);
	test_assert(mail_acl_check("authorized_submit_users", "", "submit mail", 0, NULL,
				   why) == EX_NOPERM);
	test_assert_str(buf_str(why), "User root(0) is not allowed to submit mail");
	buf_reset(why);
	test_assert(mail_acl_check("authorized_flush_users", "", "flush the mail queue",
				   (uid_t)2147480001, NULL, why) == EX_NOPERM);
	test_assert_str(buf_str(why), "User unknown(2147480001) is not allowed to flush the mail queue");
	test_end();
	unlink(file);
	unlink(senders);
	free(file);
	free(senders);
	buf_free(&why);
	buf_free(&list);
}
