/* metricsd_http_test - request heads: bad ones first (syntax, control
 * bytes, folding, versions, every limit), then good ones (CRLF or LF,
 * Accept for OpenMetrics), and a head that arrives in pieces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metricsd.h"
#include "test.h"

static const struct {
	const char *in;
	int want;
} cases[] = {
	{ "\r\n", 400 },
	{ "GET\r\n\r\n", 400 },
	{ "GET /metrics\r\n\r\n", 400 },
	{ "GET  /metrics HTTP/1.1\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1 \r\n\r\n", 400 },
	{ "G(T /metrics HTTP/1.1\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\n: empty name\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400 },
	{ "GET /met\rrics HTTP/1.1\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nX: a\x01b\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.x\r\n\r\n", 400 },
	{ "GET /metrics HTTP/2.0\r\n\r\n", 505 },
	{ "GET /metrics HTTP/0.9\r\n\r\n", 505 },
	{ "GETTINGVERYLONGMETHOD /metrics HTTP/1.1\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\n", HTTP_INCOMPLETE },
	{ "GET /metr", HTTP_INCOMPLETE },
	{ "", HTTP_INCOMPLETE },
	{ "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 0 },
	{ "HEAD / HTTP/1.0\n\n", 0 },
	{ "GET /metrics?x=1 HTTP/1.1\r\nX-Tab:\ta b\r\n\r\nbody after", 0 },
};

/* parse - text through the parser */
static int parse(const char *text, struct http_request *req)
{
	return metricsd_http_parse(text, strlen(text), req);
}

static void test_table(void)
{
	struct http_request req;

	test_begin("metricsd_http_parse: table of bad and good heads");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = parse(cases[i].in, &req);

		if (got != cases[i].want)
			test_fail_at(__FILE__, __LINE__, cases[i].in);
	}
	test_assert(parse("HEAD /x?y HTTP/1.0\n\n", &req) == 0);
	test_assert_str(req.method, "HEAD");
	test_assert_str(req.path, "/x?y");
	test_assert(req.minor == 0 && !req.openmetrics);
	test_end();
}

static void test_accept(void)
{
	struct http_request req;

	test_begin("metricsd_http_parse: Accept asks for OpenMetrics, in any case and place");
	test_assert(parse("GET /metrics HTTP/1.1\r\naccept: text/plain;q=0.5, "
			  "application/openmetrics-text; version=1.0.0\r\n\r\n", &req) == 0);
	test_assert(req.openmetrics && req.minor == 1);
	test_assert(parse("GET /metrics HTTP/1.1\r\nX-Accept: application/openmetrics-text\r\n\r\n", &req) == 0);
	test_assert(!req.openmetrics);
	test_assert(parse("GET /metrics HTTP/1.1\r\nAccept: text/plain\r\n\r\n", &req) == 0);
	test_assert(!req.openmetrics);
	test_end();
}

/* big - a head with a header line of len bytes, or nfields fields */
static char *big(size_t len, int nfields)
{
	char *s = malloc(HTTP_HEAD_MAX * 4);
	size_t at = (size_t)sprintf(s, "GET /metrics HTTP/1.1\r\n");

	if (len) {
		at += (size_t)sprintf(s + at, "X-Long: ");
		memset(s + at, 'a', len);
		at += len;
		at += (size_t)sprintf(s + at, "\r\n");
	}
	for (int i = 0; i < nfields; i++)
		at += (size_t)sprintf(s + at, "X-%d: v\r\n", i);
	sprintf(s + at, "\r\n");
	return s;
}

static void test_limits(void)
{
	struct http_request req;
	char *s, target[HTTP_PATH_MAX + 32];

	test_begin("metricsd_http_parse: line, field count, head and target limits");
	s = big(HTTP_LINE_MAX - 8, 0);	/* "X-Long: " + value = the limit */
	test_assert(parse(s, &req) == 0);
	free(s);
	s = big(10240, 0);		/* the 10 KB line: refused when it is complete */
	test_assert(parse(s, &req) == 431);
	s[HTTP_LINE_MAX + 100] = '\0';	/* and when only its start has come */
	test_assert(parse(s, &req) == 431);
	free(s);
	s = big(0, HTTP_HEADERS_MAX);
	test_assert(parse(s, &req) == 0);
	free(s);
	s = big(0, HTTP_HEADERS_MAX + 1);
	test_assert(parse(s, &req) == 431);
	free(s);
	s = big(0, 0);
	memset(s, 'a', HTTP_HEAD_MAX);	/* no line end at all */
	memcpy(s, "GET /", 5);
	test_assert(metricsd_http_parse(s, HTTP_HEAD_MAX, &req) == 414);
	free(s);
	memset(target, 'p', sizeof(target));
	memcpy(target, "GET /", 5);
	strcpy(target + HTTP_PATH_MAX + 5, " HTTP/1.1\r\n\r\n");
	test_assert(parse(target, &req) == 414);
	test_end();
}

static void test_pieces(void)
{
	const char *head = "GET /metrics HTTP/1.1\r\nHost: h\r\nAccept: application/openmetrics-text\r\n\r\n";
	struct http_request req;
	size_t len = strlen(head), incomplete = 0;

	test_begin("metricsd_http_parse: every prefix reads more, the whole completes");
	for (size_t n = 0; n < len; n++)
		incomplete += metricsd_http_parse(head, n, &req) == HTTP_INCOMPLETE;
	test_assert(incomplete == len);
	test_assert(metricsd_http_parse(head, len, &req) == 0 && req.openmetrics);
	test_end();
}

void test_metricsd_http(void)
{
	test_table();
	test_accept();
	test_limits();
	test_pieces();
}
