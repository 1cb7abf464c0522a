/* idname_test - ids with names, and without. */
#include <string.h>

#include "idname.h"
#include "test.h"

void test_idname(void)
{
	char out[IDNAME_SIZE];

	test_begin("idname: root by name, an id without one by number");
	test_assert_str(idname_user(0, out), "root (uid 0)");
	test_assert_str(idname_group(0, out), "root (gid 0)");
	test_assert_str(idname_user(3999999, out), "uid 3999999");
	test_assert_str(idname_group(3999999, out), "gid 3999999");
	test_end();
}
