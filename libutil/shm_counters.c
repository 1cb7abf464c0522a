/* shm_counters - named counters in a shared region; see shm_counters.h.
 * The slot's state says who may write its key: FREE (nobody yet), CLAIMED
 * (the process whose compare-and-swap won, for the few instructions of
 * the copy), READY (nobody: the key is final; only the value changes).
 * A claim that never completes (its process died in between) leaves a
 * slot that every later search steps over after a short wait. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "htable.h"
#include "mem.h"
#include "shm_counters.h"

enum { SLOT_FREE = 0, SLOT_CLAIMED = 1, SLOT_READY = 2 };
enum { CLAIM_WAIT_SPINS = 2000 };	/* sched_yield()s a search may wait for claims */

struct slot {
	_Atomic uint32_t state;
	uint32_t unused;
	_Atomic uint64_t value;
	char key[SHM_COUNTERS_KEY_MAX];
};

struct shm_counters {
	struct slot *slots;
	size_t nslots;
	struct htable *cache;		/* key -> its slot's value, this process */
};

_Static_assert(sizeof(struct slot) == 128, "a slot is 128 bytes");

/* shm_counters_create - a zeroed region of SHM_COUNTERS_SIZE sealed
 * against a change of size (the owner's); -1 with errno */
int shm_counters_create(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, SHM_COUNTERS_SIZE) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* is_sealed - fd cannot shrink under a mapping of it, so it never faults */
static bool is_sealed(int fd, struct stat *st)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & F_SEAL_SHRINK) && fstat(fd, st) == 0 &&
	       st->st_size == SHM_COUNTERS_SIZE;
}

/* shm_counters_attach - map the region at fd (read and write); the fd
 * may be closed afterwards */
struct shm_counters *shm_counters_attach(int fd, const char **error_r)
{
	struct shm_counters *r;
	struct stat st;
	void *p;

	if (!is_sealed(fd, &st)) {
		*error_r = "not a sealed region of the expected size";
		return NULL;
	}
	p = mmap(NULL, SHM_COUNTERS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		*error_r = strerror(errno);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->slots = p;
	r->nslots = SHM_COUNTERS_SIZE / sizeof(struct slot);
	r->cache = htable_new(64);
	return r;
}

/* shm_counters_detach - unmap; *rp = NULL */
void shm_counters_detach(struct shm_counters **rp)
{
	struct shm_counters *r = *rp;

	if (r == NULL)
		return;
	munmap(r->slots, SHM_COUNTERS_SIZE);
	htable_free(&r->cache, NULL);
	free(r);
	*rp = NULL;
}

/* key_hash - FNV-1a */
static size_t key_hash(const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return (size_t)h;
}

/* wait_ready - the state of s once a claim in progress has finished, or
 * CLAIMED still when the search's budget of waits is spent (a claimer
 * that died, or a writer that marks slots claimed to slow everyone down:
 * step over it; one search never waits more than CLAIM_WAIT_SPINS) */
static uint32_t wait_ready(struct slot *s, int *budget)
{
	uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);

	while (st == SLOT_CLAIMED && *budget > 0) {
		(*budget)--;
		sched_yield();
		st = atomic_load_explicit(&s->state, memory_order_acquire);
	}
	return st;
}

/* try_claim - take the free slot s for key; false when another won it */
static bool try_claim(struct slot *s, const char *key, size_t len)
{
	uint32_t want = SLOT_FREE;

	if (!atomic_compare_exchange_strong(&s->state, &want, SLOT_CLAIMED))
		return false;
	memset(s->key, 0, sizeof(s->key));
	memcpy(s->key, key, len);
	atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
	return true;
}

/* find_or_claim - key's slot in the region, claimed if it has none */
static struct slot *find_or_claim(struct shm_counters *r, const char *key, size_t len)
{
	size_t start = key_hash(key) % r->nslots;
	int budget = CLAIM_WAIT_SPINS;

	for (size_t n = 0; n < r->nslots; n++) {
		struct slot *s = &r->slots[(start + n) % r->nslots];
		uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);

		if (st == SLOT_FREE && try_claim(s, key, len))
			return s;
		st = wait_ready(s, &budget);
		if (st == SLOT_READY && memcmp(s->key, key, len + 1) == 0)
			return s;
	}
	return NULL;
}

/* shm_counters_slot - the value of key's slot; NULL if the key is too
 * long or the table is full */
_Atomic uint64_t *shm_counters_slot(struct shm_counters *r, const char *key)
{
	size_t len = strlen(key);
	struct slot *s;

	if (r == NULL || len == 0 || len >= SHM_COUNTERS_KEY_MAX)
		return NULL;
	if ((s = htable_get(r->cache, key)) != NULL)
		return &s->value;
	if ((s = find_or_claim(r, key, len)) == NULL)
		return NULL;
	htable_put(r->cache, key, s);
	return &s->value;
}

/* shm_counters_nslots - how many slots the region has */
size_t shm_counters_nslots(const struct shm_counters *r)
{
	return r->nslots;
}

/* is_clean_key - NUL-terminated, non-empty, printable ASCII only */
static bool is_clean_key(const char *key)
{
	size_t i;

	for (i = 0; i < SHM_COUNTERS_KEY_MAX && key[i]; i++)
		if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e)
			return false;
	return i > 0 && i < SHM_COUNTERS_KEY_MAX;
}

/* shm_counters_read - slot i: 1 with its key and value when it is ready
 * and its key clean, 0 for anything else, -1 past the last slot */
int shm_counters_read(const struct shm_counters *r, size_t i, char key[SHM_COUNTERS_KEY_MAX],
		      uint64_t *value_r)
{
	struct slot *s;

	if (i >= r->nslots)
		return -1;
	s = &r->slots[i];
	if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_READY)
		return 0;
	memcpy(key, s->key, SHM_COUNTERS_KEY_MAX);	/* a copy: the region may change */
	if (!is_clean_key(key))
		return 0;
	*value_r = atomic_load_explicit(&s->value, memory_order_relaxed);
	return 1;
}

/* shm_counters_poke - raw bytes over slot i (at most a slot's worth) */
void shm_counters_poke(struct shm_counters *r, size_t i, const void *raw, size_t len)
{
	if (i < r->nslots)
		memcpy(&r->slots[i], raw, len < sizeof(struct slot) ? len : sizeof(struct slot));
}
