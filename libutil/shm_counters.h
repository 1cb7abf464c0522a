/* shm_counters - named 64-bit counters in a shared memory region that
 * many processes update at once, without locks.
 *
 *   int fd = shm_counters_create("hato-metrics");   // owner: sealed, fixed size
 *   struct shm_counters *r = shm_counters_attach(fd, &err);   // every process
 *   _Atomic uint64_t *v = shm_counters_slot(r, "x_total{a=\"b\"}");
 *   if (v) atomic_fetch_add(v, 1);
 *   for (size_t i = 0; (rc = shm_counters_read(r, i, key, &val)) >= 0; i++)
 *       if (rc == 1) ...                  // a ready slot with a clean key
 *
 * The region is a table of fixed slots {state, value, key}.  A process that
 * needs a key looks for it by open addressing on the key's hash and, where
 * it finds a free slot first, claims it with a compare-and-swap on its
 * state, writes the key and marks it ready: so every process that uses a
 * key finds the same slot, and an update is one atomic add.  Slots are
 * never freed.  shm_counters_slot keeps a per-process cache of key to slot.
 *
 * Trust: every process that holds the region can write all of it.  A
 * reader (shm_counters_read) therefore copies a key out and checks it is
 * NUL-terminated and of printable ASCII before it returns it; a free slot
 * and anything else read 0, and the caller checks the key's syntax.
 * shm_counters_poke writes raw bytes over a slot (tests: a hostile writer).
 * Attach refuses a region that is not sealed against shrinking (a shrunk
 * mapping would fault).  A full table or a key too long returns NULL.
 */
#ifndef HATO_SHM_COUNTERS_H
#define HATO_SHM_COUNTERS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum {
	SHM_COUNTERS_SIZE = 256 * 1024,		/* bytes of the region */
	SHM_COUNTERS_KEY_MAX = 112,		/* bytes of a key, its NUL included */
};

struct shm_counters;

int shm_counters_create(const char *name);
struct shm_counters *shm_counters_attach(int fd, const char **error_r);
void shm_counters_detach(struct shm_counters **rp);
_Atomic uint64_t *shm_counters_slot(struct shm_counters *r, const char *key);
size_t shm_counters_nslots(const struct shm_counters *r);
int shm_counters_read(const struct shm_counters *r, size_t i, char key[SHM_COUNTERS_KEY_MAX],
		      uint64_t *value_r);
void shm_counters_poke(struct shm_counters *r, size_t i, const void *raw, size_t len);

#endif
