/* mynetworks_test - mynetworks computed from the interfaces
 * (mynetworks_style host and subnet). */
#include <string.h>

#include "buf.h"
#include "mynetworks.h"
#include "test.h"

/* test_mynetworks - host and subnet styles; a bad style is refused */
void test_mynetworks(void)
{
	struct buf *out = buf_new(0);

	test_begin("mynetworks: computed from the interfaces");
	test_assert(mynetworks_compute("host", "all", out) == 0);
	test_assert(strstr(buf_str(out), "127.0.0.1/32") != NULL);
	buf_reset(out);
	test_assert(mynetworks_compute("subnet", "ipv4", out) == 0);
	test_assert(strstr(buf_str(out), "127.0.0.0/8") != NULL);
	test_assert(strchr(buf_str(out), '[') == NULL);
	buf_reset(out);
	test_assert(mynetworks_compute("bogus", "ipv4", out) == -1);
	buf_free(&out);
	test_end();
}
