/* restriction_test - restriction names and the list check: typos, a
 * missing argument, Postfix names hato lacks, classes, tables, old names,
 * overrides only when asked (bad input first). */
#include <string.h>

#include "config.h"
#include "restriction.h"
#include "test.h"

/* check - the report for main.cf text (overrides: NAME=VALUE or NULL) */
static int check(const char *text, const char *override, const char *where, struct buf *report)
{
	struct buf *why = buf_new(0);
	struct config *c = config_read_text("main.cf", text, strlen(text), CONFIG_QUIET, why);
	int n = -1;

	test_assert(c != NULL);
	if (c && override)
		test_assert(config_override(c, override, why) == 0);
	buf_reset(report);
	if (c)
		n = restriction_check(c, where, report);
	config_free(&c);
	buf_free(&why);
	return n;
}

void test_restriction(void)
{
	struct buf *r = buf_new(0);
	bool arg = false;

	test_begin("restriction: typos, missing argument, not implemented");
	test_assert(check("smtpd_recipient_restrictions = permit_mynetworks,\n"
			  "  reject_unknwon_sender_domain reject_unauth_destination\n", NULL, NULL, r) == 1);
	test_assert_str(buf_str(r), "main.cf, line 1: smtpd_recipient_restrictions: "
			"unknown restriction \"reject_unknwon_sender_domain\"\n");
	test_assert(check("x = 1\nsmtpd_helo_restrictions = check_helo_access\n", NULL, NULL, r) == 1);
	test_assert_str(buf_str(r), "main.cf, line 2: smtpd_helo_restrictions: "
			"restriction \"check_helo_access\" needs an argument\n");
	test_assert(check("smtpd_data_restrictions = sleep 1, reject_unverified_sender\n", NULL, NULL, r) == 2);
	test_assert(strstr(buf_str(r), "\"reject_unverified_sender\" is not implemented by hato") != NULL);
	test_assert(check("smtpd_restriction_classes = c1\nc1 = permit, rejcet\n", NULL, NULL, r) == 1);
	test_assert_str(buf_str(r), "main.cf, line 2: c1: unknown restriction \"rejcet\"\n");
	test_end();

	test_begin("restriction: valid lists, and overrides only when asked");
	test_assert(check("smtpd_restriction_classes = c1\nc1 = permit\n"
			  "smtpd_client_restrictions = c1, hash:/x, warn_if_reject, REJECT_UNKNOWN_CLIENT\n"
			  "smtpd_sender_restrictions = check_sender_access hash:/y, reject_rbl_client a.example=127.0.0.2\n",
			  NULL, NULL, r) == 0);
	test_assert_str(buf_str(r), "");
	test_assert(check("", NULL, NULL, r) == 0);	/* the defaults are valid */
	test_assert(check("smtpd_client_restrictions = bogus\n", "smtpd_helo_restrictions=reject_invalid_hostname",
			  "master.cf, line 3: service smtp", r) == 0);	/* main.cf's is not the service's */
	test_assert(check("", "smtpd_helo_restrictions=reject_invlid_hostname", "master.cf, line 3: service smtp",
			  r) == 1);
	test_assert_str(buf_str(r), "master.cf, line 3: service smtp: -o smtpd_helo_restrictions: "
			"unknown restriction \"reject_invlid_hostname\"\n");
	test_assert(restriction_known("reject_rbl_client", &arg) && arg);
	test_assert(restriction_known("Permit_MyNetworks", &arg) && !arg);
	test_assert(!restriction_known("check_policy_service", NULL));
	test_end();
	buf_free(&r);
}
