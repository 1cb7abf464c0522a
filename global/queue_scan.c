/* queue_scan - readdir over a queue directory, "." and ".." (and, when
 * asked, every name that is not a queue ID) left out; see queue_scan.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queue_id.h"
#include "queue_scan.h"

/* queue_scan_open - start on path; 0, or -1 with errno */
int queue_scan_open(struct queue_scan *qs, const char *path, int flags, size_t max)
{
	qs->dir = opendir(path);
	qs->flags = flags;
	qs->left = max > 0 ? max : SIZE_MAX;
	return qs->dir ? 0 : -1;
}

/* wanted - a name the walk returns */
static bool wanted(const struct queue_scan *qs, const char *name)
{
	if (qs->flags & QUEUE_SCAN_IDS)
		return queue_id_valid(name);
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* queue_scan_next - the next name; NULL at the end or the limit */
const char *queue_scan_next(struct queue_scan *qs)
{
	struct dirent *de;

	while (qs->dir && qs->left > 0) {
		qs->left--;
		if ((de = readdir(qs->dir)) == NULL)
			return NULL;
		if (wanted(qs, de->d_name))
			return de->d_name;
	}
	return NULL;
}

/* queue_scan_dirfd - the directory's descriptor, for openat() */
int queue_scan_dirfd(const struct queue_scan *qs)
{
	return qs->dir ? dirfd(qs->dir) : -1;
}

/* queue_scan_close - end the walk */
void queue_scan_close(struct queue_scan *qs)
{
	if (qs->dir)
		closedir(qs->dir);
	qs->dir = NULL;
}

/* by_name - qsort order of queue IDs */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* queue_scan_ids - the queue IDs in path, sorted; NULL with errno when
 * it cannot be opened */
struct strv *queue_scan_ids(const char *path)
{
	struct queue_scan qs;
	struct strv *ids;
	const char *id;

	if (queue_scan_open(&qs, path, QUEUE_SCAN_IDS, 0) < 0)
		return NULL;
	ids = strv_new();
	while ((id = queue_scan_next(&qs)) != NULL)
		strv_add(ids, id);
	queue_scan_close(&qs);
	qsort(ids->items, ids->len, sizeof(*ids->items), by_name);
	return ids;
}
