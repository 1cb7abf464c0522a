/* mail_login_nss_test - the lookups made in a child give what the same
 * lookups here give (root's uid, a missing user, privdrop_ids with and
 * without a groups user), and map no NSS module into this process. */
#include <stdio.h>
#include <string.h>

#include "mail_login_nss.h"
#include "test.h"

/* nss_modules - how many libnss_ mappings this process has */
static int nss_modules(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, "libnss_") != NULL;
	if (f)
		fclose(f);
	return n;
}

void test_mail_login_nss(void)
{
	struct privdrop here, there;
	struct buf *why = buf_new(0), *why2 = buf_new(0);
	uid_t uid = 12345;
	int before = nss_modules();

	test_begin("mail_login_nss: getpwnam's uid from a child, -1 for a missing user");
	test_assert(mail_login_nss_uid("root", &uid) == 0 && uid == 0);
	test_assert(mail_login_nss_uid("hato-no-such-user-xq", &uid) == -1);
	test_end();

	test_begin("mail_login_nss: privdrop_ids from a child equals privdrop_ids here");
	test_assert(mail_login_nss_ids(&there, 4321, 4322, "someone", "root", why) == 0);
	test_assert(nss_modules() == before);	/* the child loaded them, if any */
	test_assert(privdrop_ids(&here, 4321, 4322, "someone", "root", why2) == 0);
	test_assert(there.uid == 4321 && there.gid == 4322 && strcmp(there.user, "someone") == 0);
	test_assert(there.ngroups == here.ngroups && there.ngroups >= 1 &&
		    memcmp(there.groups, here.groups, sizeof(gid_t) * (size_t)here.ngroups) == 0);
	test_assert(mail_login_nss_ids(&there, 4321, 4322, "someone", NULL, why) == 0 &&
		    there.ngroups == 1 && there.groups[0] == 4322);
	test_end();
	buf_free(&why);
	buf_free(&why2);
}
