/* group_sync - shared counters for group commit of incoming/'s fsync;
 * see group_sync.h. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fsutil.h"
#include "group_sync.h"
#include "master_proto.h"

struct page {
	_Atomic uint64_t noted;		/* changes made in the directory */
	_Atomic uint64_t synced;	/* changes known to be durable */
};

enum { PAGE_SIZE_MIN = 4096 };

static struct page *page;
static int tried;

/* attach_from_env - the master's page, once, if HATO_SYNC says it is there */
static void attach_from_env(void)
{
	const char *v;

	if (tried)
		return;
	tried = 1;
	v = getenv(MASTER_ENV_SYNC);
	if (v != NULL && strcmp(v, "1") == 0)
		group_sync_attach(MASTER_SYNC_FD);
}

/* group_sync_attach - share the counters in the page at fd; -1 if unusable */
int group_sync_attach(int fd)
{
	void *p;

	tried = 1;
	p = mmap(NULL, PAGE_SIZE_MIN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	if (page)
		munmap(page, PAGE_SIZE_MIN);
	page = p;
	return 0;
}

/* group_sync_page_new - a zeroed shared page for the counters (master), or -1 */
int group_sync_page_new(void)
{
	int fd = memfd_create("hato-group-sync", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, PAGE_SIZE_MIN) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

uint64_t group_sync_note(void)
{
	attach_from_env();
	return page ? atomic_fetch_add(&page->noted, 1) + 1 : 0;
}

int group_sync_alone(uint64_t ticket)
{
	attach_from_env();
	return page == NULL || ticket == 0
	       || (atomic_load(&page->synced) + 1 >= ticket && atomic_load(&page->noted) == ticket);
}

int group_sync_dir_of(const char *path, uint64_t ticket)
{
	uint64_t target, cur;

	attach_from_env();
	if (page == NULL || ticket == 0)
		return fsutil_fsync_dir_of(path);
	if (atomic_load(&page->synced) >= ticket)
		return 1;
	target = atomic_load(&page->noted);	/* every change up to here has returned */
	if (fsutil_fsync_dir_of(path) < 0)
		return -1;
	cur = atomic_load(&page->synced);
	while (cur < target && !atomic_compare_exchange_weak(&page->synced, &cur, target))
		;
	return 0;
}
