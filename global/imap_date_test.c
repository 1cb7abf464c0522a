/* imap_date_test - SEARCH dates, APPEND date-times, INTERNALDATE's form
 * and RFC 5322 Date: values, the refused forms first. */
#include <stdlib.h>
#include <string.h>

#include "imap_date.h"
#include "test.h"

static void test_search_date(void)
{
	static const char *const bad[] = {
		"", "1-Feb", "1-Feb-94", "32-Jan-2000", "29-Feb-2001", "0-Jan-2000",
		"1-Fev-2000", "1-Feb-2000 ", "001-Feb-2000", "1 Feb 2000", "1-Feb-20000",
		"\"1-Feb-2000\"",
	};
	int64_t day;

	test_begin("imap_date_parse: refused forms");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		test_assert(imap_date_parse(bad[i], &day) < 0);
	test_end();

	test_begin("imap_date_parse: one or two digits, any case, leap days");
	test_assert(imap_date_parse("1-Jan-1970", &day) == 0 && day == 0);
	test_assert(imap_date_parse("01-jan-1970", &day) == 0 && day == 0);
	test_assert(imap_date_parse("29-FEB-2000", &day) == 0 && day == 11016);
	test_assert(imap_date_parse("31-Dec-1969", &day) == 0 && day == -1);
	test_assert(imap_date_parse("6-Dec-2026", &day) == 0 && day == 20793);
	test_end();
}

static void test_date_time(void)
{
	struct buf *b = buf_new(0);
	time_t t;
	int zone;

	test_begin("imap_date_time_parse: the fixed form, zones, refusals");
	test_assert(imap_date_time_parse("17-Jul-1996 02:44:25 -0700", &t, &zone) == 0);
	test_assert(t == 837596665 && zone == -420);
	test_assert(imap_date_time_parse(" 7-Jul-1996 02:44:25 +0000", &t, &zone) == 0);
	test_assert(imap_date_time_parse("7-Jul-1996 02:44:25 +0000", &t, &zone) == 0);
	test_assert(imap_date_time_parse("17-Jul-1996 02:44 -0700", &t, &zone) < 0);
	test_assert(imap_date_time_parse("17-Jul-1996 24:00:00 -0700", &t, &zone) < 0);
	test_assert(imap_date_time_parse("17-Jul-1996 02:44:25 -0760", &t, &zone) < 0);
	test_assert(imap_date_time_parse("17-Jul-1996 02:44:25 0700", &t, &zone) < 0);
	test_assert(imap_date_time_parse("17-Jul-1996 02:44:25 -0700x", &t, &zone) < 0);
	test_assert(imap_date_time_parse("17-Jul-1899 02:44:25 -0700", &t, &zone) < 0);
	test_end();

	test_begin("imap_date_time_format: leading zero, zone sign, round trip");
	imap_date_time_format(837596665, -420, b);
	test_assert_str(buf_str(b), "17-Jul-1996 02:44:25 -0700");
	buf_reset(b);
	imap_date_time_format(0, 0, b);
	test_assert_str(buf_str(b), "01-Jan-1970 00:00:00 +0000");
	buf_reset(b);
	imap_date_time_format(1796560451, 330, b);
	test_assert(imap_date_time_parse(buf_str(b), &t, &zone) == 0 && t == 1796560451 && zone == 330);
	buf_reset(b);
	imap_date_time_format(-1, 0, b);
	test_assert_str(buf_str(b), "31-Dec-1969 23:59:59 +0000");
	test_end();
	buf_free(&b);
}

/* rfc - parse s as a Date: value */
static int rfc(const char *s, time_t *t, int *zone)
{
	return imap_date_rfc5322(s, strlen(s), t, zone);
}

static void test_rfc5322(void)
{
	static const char *const bad[] = {
		"", "garbage", "Mon, 32 Jan 2000 10:00:00 +0000", "1 Jan 2000", "1 Jan 2000 10",
		"1 January 2000 10:00 +0000", "1 Jan 2000 25:00 +0000", "1 Jan 1 10:00 +0000",
		"1 Jan 2000 10:00:00 (unclosed", "(x) 1 Jan 20000 10:00 +0000",
	};
	time_t t;
	int zone;

	test_begin("imap_date_rfc5322: refused values");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		test_assert(rfc(bad[i], &t, &zone) < 0);
	test_end();

	test_begin("imap_date_rfc5322: modern, obsolete, comments, zones");
	test_assert(rfc("Wed, 17 Jul 1996 02:44:25 -0700", &t, &zone) == 0 && t == 837596665 && zone == -420);
	test_assert(rfc("17 Jul 96 02:44:25 PDT", &t, &zone) == 0 && t == 837596665 && zone == -420);
	test_assert(rfc("Wed , 17 Jul 1996 02:44 (lunch) -0700 (PDT)", &t, &zone) == 0 && t == 837596640);
	test_assert(rfc(" 17 jul 1996 09:44:25 GMT", &t, &zone) == 0 && t == 837596665 && zone == 0);
	test_assert(rfc("17 Jul 1996 09:44:25", &t, &zone) == 0 && t == 837596665 && zone == 0);
	test_assert(rfc("17 Jul 1996 09:44:25 Q", &t, &zone) == 0 && zone == 0);
	test_assert(rfc("1 Jan 10 00:00:00 +0000", &t, &zone) == 0 && t == 1262304000);
	test_assert(rfc("1 Jan 110 00:00:00 +0000", &t, &zone) == 0 && t == 1262304000);
	test_assert(rfc("Fri,\r\n 1 Jan 2010\r\n 00 : 00 : 00 +0000", &t, &zone) == 0 && t == 1262304000);
	test_assert(rfc("1 Jan 2010 00:00:00 EST", &t, &zone) == 0 && zone == -300 && t == 1262322000);
	test_end();

	test_begin("imap_date_day_of: the day at the value's own zone");
	test_assert(rfc("1 Jan 2010 23:30:00 -0500", &t, &zone) == 0);
	test_assert(imap_date_day_of(t, zone) == imap_date_days(2010, 1, 1));
	test_assert(imap_date_day_of(t, 0) == imap_date_days(2010, 1, 2));
	test_assert(imap_date_day_of(-1, 0) == -1);
	test_end();
}

void test_imap_date(void)
{
	test_search_date();
	test_date_time();
	test_rfc5322();
}
