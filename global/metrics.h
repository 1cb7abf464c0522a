/* metrics - the counters hato's daemons share, by family (metrics.def),
 * over libutil/shm_counters: the region master makes at start-up and
 * hands every daemon at MASTER_METRICS_FD (HATO_METRICS=1).
 *
 *   metrics_add(METRIC_LOGINS, 1, "protocol", "imap", NULL);
 *   metrics_set(METRIC_QUEUE_MESSAGES, n, "queue", "hold", NULL);
 *   metrics_observe(METRIC_DELIVERY_DELAY, 3.2, "transport", "local", NULL);
 *
 * Labels are name/value pairs ending with NULL.  A value is made safe for
 * the exposition format (anything but [A-Za-z0-9._:/@+-] becomes '_').
 * The login processes (pop3d, imapd: the client's bytes before login, as
 * default_login_user) and the mail processes (imapmail, pop3mail: as the
 * user) count nothing and do not map it: master and authd count for them.
 * Without a region (a daemon started by hand, a tool, a unit test that did
 * not call metrics_use) every call does nothing.  Nothing here fails: a
 * key too long or a full region costs that sample only (one warning).
 * The region's key of a sample is its exposition text without the value,
 * e.g. hato_logins{protocol="imap"}; a histogram keeps each bucket's own
 * count in NAME_bucket{...,le="B"} (not cumulative: the renderer sums) and
 * its sum in milliseconds in NAME_sum_ms{...}.
 */
#ifndef HATO_METRICS_H
#define HATO_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "shm_counters.h"

enum metric_id {
#define METRIC(id, type, name, unit, labels, help) id,
#include "metrics.def"
#undef METRIC
	METRIC_COUNT
};

enum metric_type { COUNTER, GAUGE, HISTOGRAM };

struct metric_family {
	enum metric_type type;
	const char *name, *unit, *labels, *help;
};

extern const struct metric_family metrics_families[METRIC_COUNT];
/* a histogram's upper bounds, seconds; the last bucket is +Inf */
extern const long metrics_buckets[];
extern const size_t metrics_nbuckets;

void metrics_attach_env(bool map);
int metrics_region_new(void);
void metrics_use(struct shm_counters *r);
struct shm_counters *metrics_region(void);
void metrics_add(enum metric_id id, uint64_t n, ...) __attribute__((sentinel));
void metrics_set(enum metric_id id, uint64_t v, ...) __attribute__((sentinel));
void metrics_observe(enum metric_id id, double seconds, ...) __attribute__((sentinel));

#endif
