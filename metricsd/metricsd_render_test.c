/* metricsd_render_test - the exposition of a region that also holds
 * garbage (a hostile writer's slots): every bad key is skipped, a key in
 * two slots is summed, histogram buckets are cumulative; both formats pass
 * a line-by-line check of the exposition grammar (metadata before its
 * samples, each family once, sample names of the family just announced). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "metricsd.h"
#include "test.h"

/* poke_key - a ready slot i with key and value, as any writer could make */
static void poke_key(struct shm_counters *r, size_t i, const char *key, size_t keylen, uint64_t value)
{
	unsigned char raw[128];

	memset(raw, 0, sizeof(raw));
	raw[0] = 2;
	memcpy(raw + 8, &value, sizeof(value));
	memcpy(raw + 16, key, keylen < 112 ? keylen : 112);
	shm_counters_poke(r, i, raw, sizeof(raw));
}

static const char *const garbage[] = {
	"unknown_family 1",
	"hato_logins_total{protocol=\"imap\"}",		/* the exposition name, not the key */
	"hato_logins{protocol=\"imap\\\"}",
	"hato_logins{protocol=\"a b\"}",
	"hato_logins{protocol=\"x\"",
	"hato_logins{}",
	"hato_logins{protocol=\"x\"}x",
	"hato_logins{1protocol=\"x\"}",
	"hato_logins{protocol=x}",
	"hato_delivery_delay_seconds_bucket{transport=\"local\",le=\"7\"}",
	"hato_delivery_delay_seconds_bucket{le=\"1\",transport=\"local\"}",
	"hato_delivery_delay_seconds{transport=\"local\"}",
	"hato_queue_messages_bucket{le=\"1\"}",
	"hato_sessions{protocol=\"imap\"}\n# EOF",
};

/* fill - garbage first (in the slots real keys may want), then real counts */
static void fill(struct shm_counters *r)
{
	size_t i = 0;

	for (; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		poke_key(r, i, garbage[i], strlen(garbage[i]) + 1, 666);
	poke_key(r, i++, "hato_logins{protocol=\"pop3\"}\0", 30, 10);	/* a duplicate: summed */
	poke_key(r, i++, "hato_smtpd_connections", 22, 1);		/* no NUL within 112: ends in zeros */
	metrics_use(r);
	metrics_add(METRIC_LOGINS, 3, "protocol", "imap", NULL);
	metrics_add(METRIC_LOGINS, 2, "protocol", "pop3", NULL);
	metrics_add(METRIC_SMTPD_CONNECTIONS, 1, NULL);
	metrics_set(METRIC_QUEUE_MESSAGES, 7, "queue", "hold", NULL);
	metrics_observe(METRIC_DELIVERY_DELAY, 0.5, "transport", "local", NULL);
	metrics_observe(METRIC_DELIVERY_DELAY, 3, "transport", "local", NULL);
	metrics_observe(METRIC_DELIVERY_DELAY, 100000, "transport", "local", NULL);
	metrics_add(METRIC_RCPT_DELIVERED, 1, "transport", "we\"ird\nname", NULL);
	metrics_use(NULL);
}

/* is_sample_line - NAME[{labels}] VALUE, NAME starting with family */
static bool is_sample_line(const char *line, const char *family)
{
	size_t n = strlen(family);
	const char *p = line + n, *sp = strrchr(line, ' ');

	if (strncmp(line, family, n) != 0 || sp == NULL || sp[1] == '\0')
		return false;
	while (*p == '_' || (*p >= 'a' && *p <= 'z'))
		p++;
	if (*p == '{') {
		const char *close = strchr(p, '}');

		if (close == NULL || close + 1 != sp)
			return false;
	} else if (p != sp) {
		return false;
	}
	return strspn(sp + 1, "0123456789.") == strlen(sp + 1);
}

/* check_format - the grammar, line by line; false at the first bad line */
static bool check_format(const char *text, bool openmetrics)
{
	char family[128] = "", seen[4096] = " ", *copy = strdup(text), *save = NULL;
	bool ok = true, eof = false;

	for (char *line = strtok_r(copy, "\n", &save); ok && line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], key[140];

		if (eof)
			ok = false;
		else if (strcmp(line, "# EOF") == 0)
			eof = openmetrics;
		else if (sscanf(line, "# TYPE %127s", name) == 1) {
			snprintf(key, sizeof(key), " %s ", name);
			ok = strstr(seen, key) == NULL && strlen(seen) + strlen(key) < sizeof(seen);
			strcat(seen, key + 1);
			strcpy(family, name);
		} else if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# UNIT ", 7) == 0) {
			ok = openmetrics || strncmp(line, "# HELP ", 7) == 0;
		} else {
			ok = *family && is_sample_line(line, family);
		}
		if (!ok)
			test_fail_at(__FILE__, __LINE__, line);
	}
	free(copy);
	return ok && eof == openmetrics;
}

static void test_garbage_skipped(struct shm_counters *r)
{
	struct buf *out = buf_new(0);

	test_begin("metricsd_render: garbage skipped, duplicates summed, buckets cumulative");
	metricsd_render(r, RENDER_TEXT, out);
	test_assert(check_format(buf_str(out), false));
	test_assert(strstr(buf_str(out), "666") == NULL);
	test_assert(strstr(buf_str(out), "unknown") == NULL);
	test_assert(strstr(buf_str(out), "hato_logins_total{protocol=\"imap\"} 3\n"));
	test_assert(strstr(buf_str(out), "hato_logins_total{protocol=\"pop3\"} 12\n"));
	test_assert(strstr(buf_str(out), "\nhato_smtpd_connections_total 2\n"));
	test_assert(strstr(buf_str(out), "hato_queue_messages{queue=\"hold\"} 7\n"));
	test_assert(strstr(buf_str(out), "hato_recipients_delivered_total{transport=\"we_ird_name\"} 1\n"));
	test_assert(strstr(buf_str(out), "# TYPE hato_logins_total counter\n"));
	test_assert(strstr(buf_str(out),
		"hato_delivery_delay_seconds_bucket{transport=\"local\",le=\"1.0\"} 1\n"
		"hato_delivery_delay_seconds_bucket{transport=\"local\",le=\"5.0\"} 2\n"));
	test_assert(strstr(buf_str(out),
		"hato_delivery_delay_seconds_bucket{transport=\"local\",le=\"86400.0\"} 2\n"
		"hato_delivery_delay_seconds_bucket{transport=\"local\",le=\"+Inf\"} 3\n"
		"hato_delivery_delay_seconds_sum{transport=\"local\"} 100003.500\n"
		"hato_delivery_delay_seconds_count{transport=\"local\"} 3\n"));
	buf_free(&out);
	test_end();
}

static void test_openmetrics(struct shm_counters *r)
{
	struct buf *out = buf_new(0);

	test_begin("metricsd_render: OpenMetrics metadata, UNIT, _total samples, # EOF");
	metricsd_render(r, RENDER_OPENMETRICS, out);
	test_assert(check_format(buf_str(out), true));
	test_assert(strstr(buf_str(out), "# TYPE hato_logins counter\n# HELP hato_logins "));
	test_assert(strstr(buf_str(out), "# TYPE hato_delivery_delay_seconds histogram\n"
				   "# UNIT hato_delivery_delay_seconds seconds\n"));
	test_assert(strstr(buf_str(out), "hato_logins_total{protocol=\"imap\"} 3\n"));
	test_assert(strstr(buf_str(out), "666") == NULL);
	buf_free(&out);
	test_end();
}

static void test_empty(void)
{
	int fd = shm_counters_create("test");
	const char *err = NULL;
	struct shm_counters *r = shm_counters_attach(fd, &err);
	struct buf *out = buf_new(0);

	test_begin("metricsd_render: an empty region; only garbage");
	metricsd_render(r, RENDER_OPENMETRICS, out);
	test_assert_str(buf_str(out), "# EOF\n");
	buf_reset(out);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		poke_key(r, shm_counters_nslots(r) - 1 - i, garbage[i], strlen(garbage[i]) + 1, 1);
	metricsd_render(r, RENDER_TEXT, out);
	test_assert_str(buf_str(out), "");
	buf_free(&out);
	shm_counters_detach(&r);
	close(fd);
	test_end();
}

void test_metricsd_render(void)
{
	int fd = shm_counters_create("test");
	const char *err = NULL;
	struct shm_counters *r = shm_counters_attach(fd, &err);

	test_assert(r != NULL);
	fill(r);
	test_garbage_skipped(r);
	test_openmetrics(r);
	shm_counters_detach(&r);
	close(fd);
	test_empty();
}
