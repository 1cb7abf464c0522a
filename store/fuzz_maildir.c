/* fuzz_maildir - libFuzzer target for what the Maildir reader parses out
 * of the user's files and names: a maildirsize text (maildir_quota_parse),
 * and the input as a file name (flags, base, ",S=" size, ",W=" vsize) and
 * as a folder name.  Besides ASan/UBSan, traps on what callers rely on: trusted sums
 * are never negative, flags are sorted letters without repeats, the base
 * is a prefix of the name, sizes are not negative, a valid folder name
 * has no '/', no "..", no control byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maildir_folder.h"
#include "maildir_quota.h"
#include "maildir_scan.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_name - the input as a message file name */
static void check_name(const char *name)
{
	char flags[MAILDIR_FLAGS_MAX];
	off_t sz;

	maildir_flags_parse(name, flags);
	for (size_t i = 0; flags[i]; i++)
		if (!((flags[i] >= 'A' && flags[i] <= 'Z') || (flags[i] >= 'a' && flags[i] <= 'z'))
		    || (i > 0 && flags[i - 1] >= flags[i]))
			__builtin_trap();
	if (maildir_base_len(name) > strlen(name))
		__builtin_trap();
	if (maildir_name_size(name, &sz) && sz < 0)
		__builtin_trap();
	if (maildir_name_vsize(name, &sz) && sz < 0)
		__builtin_trap();
}

/* check_folder - the input as a folder name */
static void check_folder(const char *name)
{
	if (!maildir_folder_valid(name, NULL))
		return;
	if (strchr(name, '/') || strstr(name, "..") || name[0] == '.' || strlen(name) > MAILDIR_FOLDER_MAX)
		__builtin_trap();
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			__builtin_trap();
}

/* LLVMFuzzerTestOneInput - data as maildirsize, file name, folder name */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	struct buf *why = buf_new(0);
	struct maildir_quota q;

	memcpy(s, data, size);
	s[size] = '\0';
	if (maildir_quota_parse(s, size, &q, why) == 0 && !q.recalc && (q.bytes < 0 || q.count < 0))
		__builtin_trap();
	check_name(s);
	check_folder(s);
	buf_free(&why);
	free(s);
	return 0;
}
