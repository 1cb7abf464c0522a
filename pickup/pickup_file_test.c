/* pickup_file_test - the validating pass over maildrop files: hostile
 * files first (garbage, truncation, sections a submission may not have,
 * missing recipients), then the files sendmail makes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pickup.h"
#include "qrec.h"
#include "test.h"

/* records - a stream from "TYPE payload|TYPE payload|..." */
static void records(struct buf *out, const char *spec)
{
	char *dup = strdup(spec), *save = NULL;

	for (char *r = strtok_r(dup, "|", &save); r; r = strtok_r(NULL, "|", &save))
		qrec_put(out, r[0], r + 1, strlen(r + 1));
	free(dup);
}

/* check - pickup_file_check over a file holding data */
static int check(const void *data, size_t len, struct pickup_info *info, struct buf *why)
{
	char path[] = "/tmp/pickup_test.XXXXXX";
	int fd = mkstemp(path), rc;

	unlink(path);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		return -9;
	buf_reset(why);
	*info = (struct pickup_info){ 0 };
	rc = pickup_file_check(fd, info, why);
	close(fd);
	return rc;
}

static const struct {
	const char *name, *spec;
	size_t cut;		/* keep only this many bytes, 0 all */
	int want;
	const char *why;	/* part of the reason */
} cases[] = {
	{ "garbage", "Qhello", 0, -1, "unknown record type" },
	{ "no version record", "Su|Ra@b|M|X|Z", 0, -1, "no version record" },
	{ "truncated", "Vhato-queue 1|Su|Ra@b|M|Lsome text|X|Z", 27, -1, "truncated" },
	{ "no end record", "Vhato-queue 1|Su|Ra@b|M|X", 0, -1, "incomplete" },
	{ "an extracted section", "Vhato-queue 1|Su|Ra@b|M|X|E|Revil@x|Z", 0, -1, "extracted" },
	{ "no recipients", "Vhato-queue 1|Su|M|X|Z", 0, -1, "no recipients" },
	{ "a done recipient", "Vhato-queue 1|Su|ra@b|M|X|Z", 0, -1, "done recipient" },
	{ "two senders", "Vhato-queue 1|Su|Sv|Ra@b|M|X|Z", 0, -1, "second sender" },
	{ "data after the end", "Vhato-queue 1|Su|Ra@b|M|X|Z|Lmore", 0, -1, "after the end" },
	{ "a good file", "Vhato-queue 1|Auid=0|Su|Ra@b|Rc@d|M|LSubject: x|X|Z", 0, 0, NULL },
	{ "-t without envelope recipients", "Vhato-queue 1|F4|Su|M|LTo: a@b|X|Z", 0, 0, NULL },
};

void test_pickup_file(void)
{
	struct buf *data = buf_new(256), *why = buf_new(0);
	struct pickup_info info;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[128];
		int rc;

		snprintf(name, sizeof(name), "pickup_file_check: %s", cases[i].name);
		test_begin(name);
		buf_reset(data);
		records(data, cases[i].spec);
		rc = check(buf_str(data), cases[i].cut ? cases[i].cut : buf_len(data), &info, why);
		test_assert(rc == cases[i].want);
		if (cases[i].why)
			test_assert(strstr(buf_str(why), cases[i].why) != NULL);
		pickup_file_info_free(&info);
		test_end();
	}
	test_begin("pickup_file_check: what a good file says");
	buf_reset(data);
	records(data, "Vhato-queue 1|F28|Su|Ra@b|Rc@d|M|X|Z");
	test_assert(check(buf_str(data), buf_len(data), &info, why) == 0);
	test_assert(info.flags == CLEANUP_F_EXTRACT);	/* 8 and 16 are not the user's */
	test_assert(info.nrcpt == 2);
	test_assert_str(info.sender, "u");
	pickup_file_info_free(&info);
	test_end();
	buf_free(&data);
	buf_free(&why);
}
