/* master_metrics - what master alone knows, published in the shared
 * counter region (global/metrics.h), which master makes at start-up and
 * keeps across reloads: so counters only go up while master runs.
 * From its process table: processes per service, busy ones, starts,
 * abnormal exits; logged-in IMAP and POP3 sessions are the busy processes
 * of imapmail and pop3mail services (exact even when one crashes, which a
 * count kept by the sessions themselves would not be).
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "metrics.h"

/* program_of - the service's program name (the basename of its path) */
static const char *program_of(const struct master_service *svc)
{
	const char *slash = strrchr(svc->path, '/');

	return slash ? slash + 1 : svc->path;
}

/* protocol_of - "imap" or "pop3" for a mail process service, else NULL */
static const char *protocol_of(const struct master_service *svc)
{
	const char *p = program_of(svc);

	return strcmp(p, "imapmail") == 0 ? "imap" : strcmp(p, "pop3mail") == 0 ? "pop3" : NULL;
}

/* master_metrics_init - the region (its fd in master.metrics_fd, for the
 * daemons) and master's own use of it */
void master_metrics_init(void)
{
	const char *err = NULL;
	struct shm_counters *r;

	if ((master.metrics_fd = metrics_region_new()) < 0) {
		log_warn("metrics region: %m; nothing is counted");
		return;
	}
	if ((r = shm_counters_attach(master.metrics_fd, &err)) == NULL) {
		log_warn("metrics region: %s; nothing is counted", err);
		close(master.metrics_fd);
		master.metrics_fd = -1;
		return;
	}
	metrics_use(r);
	metrics_set(METRIC_MASTER_START, (uint64_t)time(NULL), NULL);
}

/* sessions - publish the busy processes of protocol's mail services */
static void sessions(const char *protocol)
{
	uint64_t busy = 0;

	for (const struct master_service *s = master.services; s; s = s->next) {
		const char *p = protocol_of(s);

		if (p && strcmp(p, protocol) == 0)
			busy += (uint64_t)(s->total - s->avail);
	}
	metrics_set(METRIC_SESSIONS, busy, "protocol", protocol, NULL);
}

/* master_metrics_service - svc's process counts now (after any change) */
void master_metrics_service(const struct master_service *svc)
{
	const char *protocol = protocol_of(svc);
	uint64_t total = svc->total > 0 ? (uint64_t)svc->total : 0;
	uint64_t busy = svc->total > svc->avail ? (uint64_t)(svc->total - svc->avail) : 0;

	metrics_set(METRIC_PROCESSES, total, "service", svc->name, "program", program_of(svc), NULL);
	metrics_set(METRIC_PROCESSES_BUSY, busy, "service", svc->name, "program", program_of(svc), NULL);
	if (protocol)
		sessions(protocol);
}

/* master_metrics_started - a process of svc was started */
void master_metrics_started(const struct master_service *svc)
{
	metrics_add(METRIC_PROCESSES_STARTED, 1, "service", svc->name, "program", program_of(svc), NULL);
}

/* master_metrics_failed - a process of svc exited abnormally */
void master_metrics_failed(const struct master_service *svc)
{
	metrics_add(METRIC_PROCESS_FAILURES, 1, "service", svc->name, "program", program_of(svc), NULL);
}

/* master_metrics_client - a process of svc took a client */
void master_metrics_client(const struct master_service *svc)
{
	const char *protocol = protocol_of(svc);

	if (protocol)
		metrics_add(METRIC_SESSIONS_STARTED, 1, "protocol", protocol, NULL);
}
