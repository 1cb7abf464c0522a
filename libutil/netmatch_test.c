/* netmatch_test - mynetworks-style match lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "netmatch.h"
#include "test.h"

/* test_netmatch - prefixes, negation, host patterns, files, bad items */
void test_netmatch(void)
{
	struct buf *why = buf_new(0);
	struct netmatch *m;
	char *file;

	test_begin("netmatch: CIDR v4/v6, negation, first match wins");
	m = netmatch_new("mynetworks", "127.0.0.0/8, [::1]/128 !192.0.2.66 192.0.2.0/24 2001:db8::/32", why);
	test_assert(m != NULL);
	if (m) {
		test_assert(netmatch_match(m, "127.0.0.1", NULL) == 1);
		test_assert(netmatch_match(m, "::1", NULL) == 1);
		test_assert(netmatch_match(m, "::ffff:127.0.0.2", NULL) == 1);
		test_assert(netmatch_match(m, "192.0.2.7", NULL) == 1);
		test_assert(netmatch_match(m, "192.0.2.66", NULL) == 0);
		test_assert(netmatch_match(m, "2001:db8:1::5", NULL) == 1);
		test_assert(netmatch_match(m, "10.0.0.1", NULL) == 0);
		test_assert(netmatch_match(m, "garbage", NULL) == 0);
	}
	netmatch_free(&m);
	test_end();

	test_begin("netmatch: host patterns and /file lists");
	file = test_tmpfile("# trusted\n10.1.0.0/16  .example.net\n");
	buf_reset(why);
	buf_printf(why, "example.com %s", file);
	m = netmatch_new("mynetworks", buf_str(why), why);
	test_assert(m != NULL);
	if (m) {
		test_assert(netmatch_match(m, "192.0.2.1", "mx.example.com") == 1);
		test_assert(netmatch_match(m, "192.0.2.1", "example.com") == 1);
		test_assert(netmatch_match(m, "192.0.2.1", "badexample.com") == 0);
		test_assert(netmatch_match(m, "10.1.2.3", "unknown") == 1);
		test_assert(netmatch_match(m, "192.0.2.1", "a.example.net") == 1);
		test_assert(netmatch_match(m, "192.0.2.1", "example.net") == 0);
	}
	netmatch_free(&m);
	free(file);
	test_end();

	test_begin("netmatch: bad items are refused with the reason");
	buf_reset(why);
	m = netmatch_new("mynetworks", "127.0.0.0/8 1.2.3.4/24", why);
	test_assert(m == NULL);
	test_assert(strstr(buf_str(why), "non-null host address bits") != NULL);
	buf_reset(why);
	m = netmatch_new("mynetworks", "10.0.0.0/33", why);
	test_assert(m == NULL && strstr(buf_str(why), "10.0.0.0/33") != NULL);
	file = test_tmpfile("10.0.0.0/8\n\n300.1.1.1\n");
	buf_reset(why);
	m = netmatch_new("mynetworks", file, why);
	test_assert(m == NULL && strstr(buf_str(why), ", line 3: ") != NULL);
	free(file);
	test_end();

	buf_free(&why);
}
