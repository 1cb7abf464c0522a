/* metricsd_queue - the messages in each queue directory, counted at each
 * request (a directory walk each: cheap next to a scrape interval) and
 * published as the hato_queue_messages gauges.  metricsd runs in the
 * queue directory as mail_owner, who owns these directories; a queue it
 * cannot read is left out (logged once), never reported as empty.
 */
#include <stdbool.h>

#include "log.h"
#include "metrics.h"
#include "metricsd.h"
#include "queue_scan.h"

static const char *const queues[] = { "maildrop", "incoming", "active", "deferred", "hold" };

/* count - messages in queue dir, -1 if it cannot be read */
static long count(const char *dir)
{
	struct queue_scan qs;
	long n = 0;

	if (queue_scan_open(&qs, dir, QUEUE_SCAN_IDS, 0) < 0)
		return -1;
	while (queue_scan_next(&qs) != NULL)
		n++;
	queue_scan_close(&qs);
	return n;
}

/* metricsd_queue_count - every queue's size into the region */
void metricsd_queue_count(void)
{
	static bool warned[sizeof(queues) / sizeof(queues[0])];

	for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
		long n = count(queues[i]);

		if (n < 0 && !warned[i]) {
			log_warn("open %s: %m; its size is not reported", queues[i]);
			warned[i] = true;
		}
		if (n >= 0)
			metrics_set(METRIC_QUEUE_MESSAGES, (uint64_t)n, "queue", queues[i], NULL);
	}
}
