/* smtpd_space_test - the queue_minfree arithmetic of smtpd_space.c. */
#include "smtpd.h"
#include "test.h"

/* test_smtpd_space - which of the three rules sets the bar */
void test_smtpd_space(void)
{
	test_begin("smtpd_space: queue_minfree, 1.5 x message_size_limit, 1.5 x SIZE");
	test_assert(smtpd_space_needed(0, 0, 0) == 0);
	test_assert(smtpd_space_needed(0, 10240000, 0) == 15360000);
	test_assert(smtpd_space_needed(20000000, 10240000, 0) == 20000000);
	test_assert(smtpd_space_needed(0, 0, 1000) == 1500);
	test_assert(smtpd_space_needed(0, 1000, 999) == 1500);
	test_assert(smtpd_space_needed(-1, -1, -1) == 0);
	test_assert(smtpd_space_needed(0, 0, 9223372036854775807LL) ==
		    9223372036854775807ULL + 9223372036854775807ULL / 2);	/* no wrap */
	test_end();
}
