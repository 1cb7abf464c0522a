/* metrics - counting into the shared region by family; see metrics.h.
 * Trust: the region is written by every daemon, unprivileged ones and
 * mail processes running as a user included; nothing here reads it back
 * (metricsd's renderer does, and checks everything). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "master_proto.h"
#include "metrics.h"

const struct metric_family metrics_families[METRIC_COUNT] = {
#define METRIC(id, type, name, unit, labels, help) [id] = { type, name, unit, labels, help },
#include "metrics.def"
#undef METRIC
};

const long metrics_buckets[] = { 1, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400 };
const size_t metrics_nbuckets = sizeof(metrics_buckets) / sizeof(metrics_buckets[0]);

static struct shm_counters *region;
static bool warned;

/* metrics_attach_env - the region master passed, if it passed one (the
 * daemon skeleton, before the privilege drop): mapped when map, else only
 * given up; its descriptor is closed either way */
void metrics_attach_env(bool map)
{
	const char *v = getenv(MASTER_ENV_METRICS), *err = NULL;

	if (v == NULL || strcmp(v, "1") != 0)
		return;
	unsetenv(MASTER_ENV_METRICS);	/* for what this process runs */
	if (map && (region = shm_counters_attach(MASTER_METRICS_FD, &err)) == NULL)
		log_warn("metrics region: %s; nothing is counted", err);
	close(MASTER_METRICS_FD);
}

/* metrics_region_new - master's region, or -1 with errno */
int metrics_region_new(void)
{
	return shm_counters_create("hato-metrics");
}

/* metrics_use - count into r from now on (master, tests); NULL: nowhere */
void metrics_use(struct shm_counters *r)
{
	region = r;
}

/* metrics_region - the region this process counts into, or NULL */
struct shm_counters *metrics_region(void)
{
	return region;
}

/* put_value - v into out as a label value: safe characters only */
static void put_value(char *out, size_t *at, size_t size, const char *v)
{
	for (; *v && *at < size; v++)
		out[(*at)++] = (strchr("._:/@+-", *v) && *v) || (*v >= 'a' && *v <= 'z') ||
				       (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ? *v : '_';
}

/* put_text - s into out */
static void put_text(char *out, size_t *at, size_t size, const char *s)
{
	while (*s && *at < size)
		out[(*at)++] = *s++;
}

/* make_key - NAME SUFFIX {label="value",...[,le="LE"]} into key; false
 * when it does not fit */
static bool make_key(char key[SHM_COUNTERS_KEY_MAX], const char *name, const char *suffix,
		     va_list ap, const char *le)
{
	size_t at = 0, size = SHM_COUNTERS_KEY_MAX - 1;
	const char *label;
	bool first = true;

	put_text(key, &at, size, name);
	put_text(key, &at, size, suffix);
	while ((label = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		put_text(key, &at, size, first ? "{" : ",");
		put_text(key, &at, size, label);
		put_text(key, &at, size, "=\"");
		put_value(key, &at, size, value ? value : "");
		put_text(key, &at, size, "\"");
		first = false;
	}
	if (le) {
		put_text(key, &at, size, first ? "{le=\"" : ",le=\"");
		put_text(key, &at, size, le);
		put_text(key, &at, size, "\"");
		first = false;
	}
	if (!first)
		put_text(key, &at, size, "}");
	key[at] = '\0';
	return at < size;
}

/* slot - the value of a sample of family id, NULL when not counted */
static _Atomic uint64_t *slot(enum metric_id id, const char *suffix, va_list ap, const char *le)
{
	char key[SHM_COUNTERS_KEY_MAX];
	_Atomic uint64_t *v;

	if (region == NULL)
		return NULL;
	if (!make_key(key, metrics_families[id].name, suffix, ap, le)) {
		if (!warned)
			log_warn("metrics: sample name too long: %s...", key);
		warned = true;
		return NULL;
	}
	if ((v = shm_counters_slot(region, key)) == NULL && !warned) {
		log_warn("metrics: the region is full: %s is not counted", key);
		warned = true;
	}
	return v;
}

/* metrics_add - a counter (or a gauge) goes up by n */
void metrics_add(enum metric_id id, uint64_t n, ...)
{
	va_list ap;
	_Atomic uint64_t *v;

	va_start(ap, n);
	v = slot(id, "", ap, NULL);
	va_end(ap);
	if (v)
		atomic_fetch_add_explicit(v, n, memory_order_relaxed);
}

/* metrics_set - a gauge is v now */
void metrics_set(enum metric_id id, uint64_t v, ...)
{
	va_list ap;
	_Atomic uint64_t *p;

	va_start(ap, v);
	p = slot(id, "", ap, NULL);
	va_end(ap);
	if (p)
		atomic_store_explicit(p, v, memory_order_relaxed);
}

/* bucket_name - the le of the bucket seconds falls in: "+Inf" past the last */
static void bucket_name(double seconds, char le[24])
{
	for (size_t i = 0; i < metrics_nbuckets; i++)
		if (seconds <= (double)metrics_buckets[i]) {
			snprintf(le, 24, "%ld", metrics_buckets[i]);
			return;
		}
	strcpy(le, "+Inf");
}

/* metrics_observe - one value of a histogram: its bucket and its sum */
void metrics_observe(enum metric_id id, double seconds, ...)
{
	char le[24];
	va_list ap;
	_Atomic uint64_t *bucket, *sum;

	if (region == NULL)
		return;
	if (!(seconds >= 0))
		seconds = 0;	/* a clock step back, or NaN */
	bucket_name(seconds, le);
	va_start(ap, seconds);
	bucket = slot(id, "_bucket", ap, le);
	va_end(ap);
	va_start(ap, seconds);
	sum = slot(id, "_sum_ms", ap, NULL);
	va_end(ap);
	if (bucket)
		atomic_fetch_add_explicit(bucket, 1, memory_order_relaxed);
	if (sum && seconds < 1e12)
		atomic_fetch_add_explicit(sum, (uint64_t)(seconds * 1000 + 0.5), memory_order_relaxed);
}
