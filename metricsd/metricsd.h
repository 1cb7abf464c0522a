/* metricsd - private interface of the metrics endpoint.
 *
 * metricsd (master.cf: 127.0.0.1:9154 inet n - y - 2 metricsd; runs as
 * mail_owner, chrooted into the queue directory) answers an HTTP GET of
 * /metrics with every sample of the shared counter region
 * (global/metrics.h) and the queue sizes it counts at each request:
 *   metricsd_http.c    the request head parser (untrusted: limits, fuzzed)
 *   metricsd_render.c  the region as Prometheus text 0.0.4 or OpenMetrics
 *                      1.0 (the region is untrusted too: garbage is skipped)
 *   metricsd_session.c one client: read with a deadline, answer, close
 *   metricsd_queue.c   messages per queue directory, as gauges
 * The endpoint has no authentication: listen on loopback only (hato check
 * warns otherwise).
 */
#ifndef HATO_METRICSD_H
#define HATO_METRICSD_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "shm_counters.h"

enum {
	HTTP_HEAD_MAX = 8192,		/* bytes of a request head */
	HTTP_LINE_MAX = 2048,		/* bytes of one line of it */
	HTTP_HEADERS_MAX = 64,		/* header fields */
	HTTP_METHOD_MAX = 16,
	HTTP_PATH_MAX = 256,
	HTTP_INCOMPLETE = 1,		/* metricsd_http_parse: read more */
	METRICSD_TIMEOUT_MS = 5000,	/* to read a request and to write an answer */
};

struct http_request {
	char method[HTTP_METHOD_MAX];
	char path[HTTP_PATH_MAX];
	int minor;			/* HTTP/1.minor */
	bool openmetrics;		/* Accept: application/openmetrics-text */
};

int metricsd_http_parse(const char *buf, size_t len, struct http_request *req);

enum render_format { RENDER_TEXT, RENDER_OPENMETRICS };
void metricsd_render(const struct shm_counters *r, enum render_format fmt, struct buf *out);

void metricsd_queue_count(void);
void metricsd_session(int fd);

#endif
