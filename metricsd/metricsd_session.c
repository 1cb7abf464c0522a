/* metricsd_session - one HTTP client: the request head read under one
 * deadline (METRICSD_TIMEOUT_MS: a slow client gets 408 and is closed),
 * parsed (metricsd_http.c), answered, closed (Connection: close; no
 * keep-alive, no body read).  GET or HEAD of /metrics: the exposition,
 * OpenMetrics when the Accept field asks for application/openmetrics-text,
 * else the text format 0.0.4; "/" a pointer there; another path 404;
 * another method 405.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "deadline.h"
#include "metrics.h"
#include "metricsd.h"

enum { DRAIN_MS = 200, DRAIN_MAX = 64 * 1024 };

#define CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* reason - the reason phrase of status */
static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* write_all - all n bytes before the deadline; -1 otherwise */
static int write_all(int fd, const char *p, size_t n, long long end)
{
	while (n > 0) {
		ssize_t w;

		if (deadline_wait(fd, POLLOUT, end) <= 0)
			return -1;
		if ((w = write(fd, p, n)) < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (w > 0)
			p += w, n -= (size_t)w;
	}
	return 0;
}

/* respond - status line, fields, and the body unless head_only */
static void respond(int fd, int status, const char *ctype, const struct buf *body, bool head_only,
		    long long end)
{
	struct buf *head = buf_new(256);

	buf_printf(head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		   "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n", status, reason(status),
		   ctype, buf_len(body), status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head_only)
		buf_add(head, buf_str(body), buf_len(body));
	(void)write_all(fd, buf_str(head), buf_len(head), end);
	buf_free(&head);
}

/* respond_text - a short plain-text answer */
static void respond_text(int fd, int status, const char *text, bool head_only, long long end)
{
	struct buf *body = buf_new(64);

	buf_cat(body, text);
	respond(fd, status, "text/plain; charset=utf-8", body, head_only, end);
	buf_free(&body);
}

/* read_head - the request head into req: 0, a status to refuse with, or
 * -1 when the client went away before it sent one */
static int read_head(int fd, struct http_request *req, long long end)
{
	char buf[HTTP_HEAD_MAX];
	size_t len = 0;
	int rc = HTTP_INCOMPLETE;

	while (rc == HTTP_INCOMPLETE) {
		ssize_t n;

		if (deadline_wait(fd, POLLIN, end) <= 0)
			return 408;
		if ((n = read(fd, buf + len, sizeof(buf) - len)) < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -1;
		len += (size_t)n;
		rc = metricsd_http_parse(buf, len, req);
	}
	return rc;
}

/* path_is - the request's path is want, with or without a query */
static bool path_is(const struct http_request *req, const char *want)
{
	size_t n = strlen(want);

	return strncmp(req->path, want, n) == 0 && (req->path[n] == '\0' || req->path[n] == '?');
}

/* serve_metrics - the exposition */
static void serve_metrics(int fd, const struct http_request *req, bool head_only, long long end)
{
	struct buf *body = buf_new(16 * 1024);
	enum render_format fmt = req->openmetrics ? RENDER_OPENMETRICS : RENDER_TEXT;

	if (metrics_region() == NULL) {
		respond_text(fd, 503, "no metrics region: metricsd runs outside master\n", head_only, end);
		buf_free(&body);
		return;
	}
	metricsd_queue_count();
	metricsd_render(metrics_region(), fmt, body);
	respond(fd, 200, fmt == RENDER_OPENMETRICS ? CT_OPENMETRICS : CT_TEXT, body, head_only, end);
	buf_free(&body);
}

/* linger - after the answer: end our side, read what the client still
 * sends for a moment (closing with unread input would reset the
 * connection and could cut the answer short at the client) */
static void linger(int fd)
{
	long long end = deadline_in(DRAIN_MS);
	char sink[4096];
	size_t total = 0;
	ssize_t n;

	shutdown(fd, SHUT_WR);
	while (total < DRAIN_MAX && deadline_wait(fd, POLLIN, end) > 0 &&
	       (n = read(fd, sink, sizeof(sink))) > 0)
		total += (size_t)n;
}

/* metricsd_session - one client, from request to close */
void metricsd_session(int fd)
{
	long long end = deadline_in(METRICSD_TIMEOUT_MS);
	struct http_request req;
	int rc;
	bool head_only;

	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if ((rc = read_head(fd, &req, end)) < 0)
		return;
	end = deadline_in(METRICSD_TIMEOUT_MS);	/* the answer's own time */
	head_only = rc == 0 && strcmp(req.method, "HEAD") == 0;
	if (rc != 0)
		respond_text(fd, rc, reason(rc), false, end);
	else if (strcmp(req.method, "GET") != 0 && !head_only)
		respond_text(fd, 405, "only GET and HEAD\n", false, end);
	else if (path_is(&req, "/metrics"))
		serve_metrics(fd, &req, head_only, end);
	else if (path_is(&req, "/"))
		respond_text(fd, 200, "hato metrics: GET /metrics\n", head_only, end);
	else
		respond_text(fd, 404, "not found: GET /metrics\n", head_only, end);
	linger(fd);
}
