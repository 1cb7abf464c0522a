/* idname - ids with their names for messages; see idname.h */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>

#include "idname.h"

/* idname_user - "NAME (uid N)" or "uid N" */
const char *idname_user(uid_t uid, char out[IDNAME_SIZE])
{
	struct passwd pw, *found = NULL;
	char scratch[4096];

	if (getpwuid_r(uid, &pw, scratch, sizeof(scratch), &found) == 0 && found)
		snprintf(out, IDNAME_SIZE, "%.64s (uid %lu)", found->pw_name, (unsigned long)uid);
	else
		snprintf(out, IDNAME_SIZE, "uid %lu", (unsigned long)uid);
	return out;
}

/* idname_group - "NAME (gid N)" or "gid N" */
const char *idname_group(gid_t gid, char out[IDNAME_SIZE])
{
	struct group gr, *found = NULL;
	char scratch[4096];

	if (getgrgid_r(gid, &gr, scratch, sizeof(scratch), &found) == 0 && found)
		snprintf(out, IDNAME_SIZE, "%.64s (gid %lu)", found->gr_name, (unsigned long)gid);
	else
		snprintf(out, IDNAME_SIZE, "gid %lu", (unsigned long)gid);
	return out;
}
