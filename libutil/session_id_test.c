/* session_id_test - new session ids are valid, distinct, and the check
 * refuses what is not one. */
#include <string.h>

#include "session_id.h"
#include "test.h"

void test_session_id(void)
{
	char a[SESSION_ID_SIZE], b[SESSION_ID_SIZE];

	test_begin("session_id: new ids are 16 base64 characters and differ");
	session_id_new(a);
	session_id_new(b);
	test_assert(strlen(a) == SESSION_ID_LEN && session_id_valid(a));
	test_assert(session_id_valid(b) && strcmp(a, b) != 0);
	test_end();

	test_begin("session_id: the check refuses other shapes");
	test_assert(session_id_valid("q8Z5k3YV+Mt/AAAB"));
	test_assert(!session_id_valid("q8Z5k3YV+Mt/AAA"));	/* short */
	test_assert(!session_id_valid("q8Z5k3YV+Mt/AAABC"));	/* long */
	test_assert(!session_id_valid("q8Z5k3YV+Mt/AA=B"));	/* padding */
	test_assert(!session_id_valid("q8Z5k3YV\tMt/AAAB"));
	test_assert(!session_id_valid(""));
	test_assert(!session_id_valid(NULL));
	test_end();
}
