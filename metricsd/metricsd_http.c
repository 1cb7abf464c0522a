/* metricsd_http - an HTTP/1.x request head, parsed with limits.
 * Trust: the bytes come from whoever can connect to the port.
 *   metricsd_http_parse(buf, len, &req)  0: the head is complete and req is
 *   filled; HTTP_INCOMPLETE: read more; else the status to refuse with:
 *   400 (bad syntax), 414 (request target too long), 431 (a line too long,
 *   too many fields, a head too big), 505 (not HTTP/1.x).
 * Lines end with CRLF or a bare LF (RFC 9112 section 2.2 allows a server
 * to take LF alone); a CR elsewhere, a NUL or another control byte, or an
 * obsolete folded line is a 400.  Only the request line and Accept are
 * kept; other fields are checked for syntax and skipped.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "metricsd.h"

/* is_tchar - a token character (RFC 9110 section 5.6.2) */
static bool is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* is_clean - no control byte in a line but the tab */
static bool is_clean(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return false;
	return true;
}

/* copy_word - the next space-separated word of line into out (size max);
 * -1 when it is empty or too long */
static int copy_word(const char **p, const char *end, char *out, size_t max)
{
	size_t n = 0;

	while (*p < end && **p != ' ')
		n++, (*p)++;
	if (n == 0 || n >= max)
		return -1;
	memcpy(out, *p - n, n);
	out[n] = '\0';
	return 0;
}

/* request_line - METHOD SP TARGET SP HTTP/1.x */
static int request_line(const char *p, size_t len, struct http_request *req)
{
	const char *end = p + len, *target;

	if (copy_word(&p, end, req->method, sizeof(req->method)) < 0)
		return 400;
	for (const char *m = req->method; *m; m++)
		if (!is_tchar(*m))
			return 400;
	if (p >= end || *p++ != ' ')
		return 400;
	target = p;
	if (copy_word(&p, end, req->path, sizeof(req->path)) < 0)
		return p - target >= HTTP_PATH_MAX ? 414 : 400;
	if (p >= end || *p++ != ' ')
		return 400;
	if (end - p != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' ||
	    p[5] < '0' || p[5] > '9' || p[7] < '0' || p[7] > '9')
		return 400;
	if (p[5] != '1')
		return 505;
	req->minor = p[7] - '0';
	return 0;
}

/* header_line - NAME ":" OWS VALUE OWS; Accept is noted */
static int header_line(const char *p, size_t len, struct http_request *req)
{
	size_t n = 0;
	const char *v;

	while (n < len && is_tchar(p[n]))
		n++;
	if (n == 0 || n >= len || p[n] != ':')
		return 400;
	v = p + n + 1;
	if (n == 6 && strncasecmp(p, "accept", 6) == 0 &&
	    memmem(v, (size_t)(p + len - v), "application/openmetrics-text", 28) != NULL)
		req->openmetrics = true;
	return 0;
}

/* one_line - the line at p (len bytes, its end removed), number nth */
static int one_line(const char *p, size_t len, int nth, struct http_request *req)
{
	if (!is_clean(p, len))
		return 400;
	if (len > HTTP_LINE_MAX)
		return nth == 0 ? 414 : 431;
	if (nth == 0)
		return request_line(p, len, req);
	if (nth > HTTP_HEADERS_MAX)
		return 431;
	if (p[0] == ' ' || p[0] == '\t')
		return 400;	/* obsolete line folding */
	return header_line(p, len, req);
}

/* metricsd_http_parse - see the top of the file */
int metricsd_http_parse(const char *buf, size_t len, struct http_request *req)
{
	size_t at = 0;
	int rc;

	memset(req, 0, sizeof(*req));
	for (int nth = 0;; nth++) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n;

		if (nl == NULL) {	/* a line so far: HTTP_LINE_MAX and its CR fit */
			if (len - at > HTTP_LINE_MAX + 1)
				return nth == 0 ? 414 : 431;
			return len >= HTTP_HEAD_MAX ? 431 : HTTP_INCOMPLETE;
		}
		n = (size_t)(nl - (buf + at));
		if (n > 0 && buf[at + n - 1] == '\r')
			n--;
		if (n == 0)
			return nth == 0 ? 400 : 0;	/* the empty line ends the head */
		if ((rc = one_line(buf + at, n, nth, req)) != 0)
			return rc;
		at = (size_t)(nl - buf) + 1;
	}
}
