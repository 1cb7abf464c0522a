/* authprobe - the mail-access side of authd from the command line (tests
 * only): what pop3d and imapd do after a login, through the real library
 * functions.
 *
 *   authprobe SOCKET user NAME...             one USER lookup per NAME, on
 *                                             one connection
 *   authprobe SOCKET login NAME FIRST_VALID_UID   lookup, then switch to the
 *                                             user (privdrop_login; as root)
 *
 * user prints one line per NAME: "USER name uid=U gid=G home=H mail=M
 * quota_rule=R quota_rule2=R... system_groups_user=S" (fields the answer lacks are left
 * out), "NOTFOUND", or "TEMPFAIL reason".  login prints the lookup line,
 * then "switched uid=R,E,S gid=R,E,S groups=G,... setuid0=refused" (groups
 * sorted), or "refused: reason".  Exit 0 whatever the answers; 64 on bad
 * usage, 1 when authd cannot be reached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_client.h"
#include "privdrop.h"

/* print_user - the line for one lookup's result */
static void print_user(enum auth_status rc, const struct auth_user *u, const struct buf *out)
{
	if (rc == AUTH_FAIL) {
		printf("NOTFOUND\n");
		return;
	}
	if (rc != AUTH_OK) {
		printf("TEMPFAIL %s\n", buf_str(out));
		return;
	}
	printf("USER %s", u->name);
	if (u->has_uid)
		printf(" uid=%lu", (unsigned long)u->uid);
	if (u->has_gid)
		printf(" gid=%lu", (unsigned long)u->gid);
	if (u->home)
		printf(" home=%s", u->home);
	if (u->mail)
		printf(" mail=%s", u->mail);
	for (size_t i = 0; i < u->quota_rules->len; i++)
		printf(" %s", u->quota_rules->items[i]);
	if (u->system_groups_user)
		printf(" system_groups_user=%s", u->system_groups_user);
	printf("\n");
}

/* cmp_gid - qsort order */
static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* print_ids - what the process is after the switch */
static void print_ids(void)
{
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[64];
	int n = getgroups(64, groups);
	bool back = setuid(0) == 0 || seteuid(0) == 0;

	getresuid(&r, &e, &s);
	getresgid(&rg, &eg, &sg);
	qsort(groups, n > 0 ? (size_t)n : 0, sizeof(groups[0]), cmp_gid);
	printf("switched uid=%lu,%lu,%lu gid=%lu,%lu,%lu groups=", (unsigned long)r, (unsigned long)e,
	       (unsigned long)s, (unsigned long)rg, (unsigned long)eg, (unsigned long)sg);
	for (int i = 0; i < n; i++)
		printf("%s%lu", i ? "," : "", (unsigned long)groups[i]);
	printf(" setuid0=%s\n", back ? "ROOT-AGAIN" : "refused");
}

/* login - the lookup, then the switch pop3d and imapd make */
static void login(const struct auth_user *u, long first_valid_uid)
{
	struct buf *why = buf_new(0);
	struct privdrop pd;

	if (!u->has_uid || !u->has_gid)
		printf("refused: no uid or gid\n");
	else if (privdrop_ids(&pd, u->uid, u->gid, u->name, u->system_groups_user, why) < 0 ||
		 privdrop_login(&pd, first_valid_uid, why) < 0)
		printf("refused: %s\n", buf_str(why));
	else
		print_ids();
	buf_free(&why);
}

int main(int argc, char **argv)
{
	struct buf *out = buf_new(0);
	struct auth_client *ac;
	struct auth_user u;
	bool is_login = argc == 5 && strcmp(argv[2], "login") == 0;

	if (!(argc >= 4 && strcmp(argv[2], "user") == 0) && !is_login) {
		fprintf(stderr, "usage: authprobe SOCKET user NAME... | SOCKET login NAME FIRST_VALID_UID\n");
		return 64;
	}
	if ((ac = auth_client_open(argv[1], 10000, out)) == NULL) {
		printf("TEMPFAIL %s\n", buf_str(out));
		return 1;
	}
	for (int i = 3; i < (is_login ? 4 : argc); i++) {
		enum auth_status rc = auth_client_user(ac, argv[i], "imap", &u, out);

		print_user(rc, &u, out);
		if (is_login && rc == AUTH_OK)
			login(&u, strtol(argv[4], NULL, 10));
		auth_client_user_clear(&u);
	}
	auth_client_free(&ac);
	buf_free(&out);
	return 0;
}
