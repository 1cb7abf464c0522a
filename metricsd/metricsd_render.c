/* metricsd_render - the shared counter region as an exposition: the
 * Prometheus text format 0.0.4, or OpenMetrics 1.0 (# UNIT, counters
 * named without _total in their metadata, "# EOF" at the end).
 * Trust: any daemon, a mail process running as a user included, can write
 * the region.  A slot is printed only when its key parses as a sample of a
 * family in metrics.def: NAME{label="value",...} with the label values'
 * characters of metrics.c; a histogram bucket's le must be one of the
 * fixed bounds.  Anything else is skipped.  Samples are grouped by family
 * (as both formats require), sorted by labels; a key found in two slots
 * (a claim cut short, or a hostile writer) is printed once, summed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "metrics.h"
#include "metricsd.h"

enum part { PART_VALUE, PART_BUCKET, PART_SUM };

struct sample {
	int family;
	enum part part;
	size_t bucket;			/* PART_BUCKET: index, metrics_nbuckets = +Inf */
	char labels[SHM_COUNTERS_KEY_MAX];	/* inside the braces, le removed */
	uint64_t value;
};

/* is_value_char - what metrics.c lets into a label value */
static bool is_value_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._:/@+-", c));
}

/* labels_ok - name="value"{,name="value"} and nothing else */
static bool labels_ok(const char *p)
{
	for (;;) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
			return false;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')
			p++;
		if (*p++ != '=' || *p++ != '"')
			return false;
		while (is_value_char(*p))
			p++;
		if (*p++ != '"')
			return false;
		if (*p == '\0')
			return true;
		if (*p++ != ',')
			return false;
	}
}

/* take_le - remove the last label of labels, which must be le="BOUND",
 * and set the bucket's index; false when it is not that */
static bool take_le(char *labels, size_t *bucket_r)
{
	char *le = strstr(labels, "le=\""), want[32];

	while (le && strstr(le + 1, "le=\""))
		le = strstr(le + 1, "le=\"");
	if (le == NULL || (le != labels && le[-1] != ','))
		return false;
	for (size_t i = 0; i <= metrics_nbuckets; i++) {
		if (i < metrics_nbuckets)
			snprintf(want, sizeof(want), "le=\"%ld\"", metrics_buckets[i]);
		else
			strcpy(want, "le=\"+Inf\"");
		if (strcmp(le, want) == 0) {
			*bucket_r = i;
			le[le == labels ? 0 : -1] = '\0';
			return true;
		}
	}
	return false;
}

/* match_family - which family and part name (the key before '{') is */
static bool match_family(const char *name, size_t len, struct sample *s)
{
	for (int f = 0; f < METRIC_COUNT; f++) {
		const struct metric_family *mf = &metrics_families[f];
		size_t n = strlen(mf->name);

		if (len < n || strncmp(name, mf->name, n) != 0)
			continue;
		s->family = f;
		if (mf->type != HISTOGRAM && len == n) {
			s->part = PART_VALUE;
			return true;
		}
		if (mf->type == HISTOGRAM && len == n + 7 && strncmp(name + n, "_bucket", 7) == 0) {
			s->part = PART_BUCKET;
			return true;
		}
		if (mf->type == HISTOGRAM && len == n + 7 && strncmp(name + n, "_sum_ms", 7) == 0) {
			s->part = PART_SUM;
			return true;
		}
	}
	return false;
}

/* parse_key - key into s; false for anything that is not a known sample */
static bool parse_key(const char *key, struct sample *s)
{
	size_t name_len = strcspn(key, "{");
	const char *brace = key + name_len;
	size_t inner;

	memset(s, 0, sizeof(*s));
	if (!match_family(key, name_len, s))
		return false;
	if (*brace == '{') {
		inner = strlen(brace + 1);
		if (inner < 2 || brace[inner] != '}')
			return false;
		memcpy(s->labels, brace + 1, inner - 1);
		s->labels[inner - 1] = '\0';
		if (!labels_ok(s->labels))
			return false;
	}
	if (s->part == PART_BUCKET)
		return take_le(s->labels, &s->bucket);
	return true;
}

/* cmp_sample - by family, labels, part, bucket */
static int cmp_sample(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((c = strcmp(x->labels, y->labels)) != 0)
		return c;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

/* collect - the region's valid samples, sorted, duplicates summed */
static struct sample *collect(const struct shm_counters *r, size_t *n_r)
{
	struct sample *all = xcalloc(shm_counters_nslots(r), sizeof(*all));
	char key[SHM_COUNTERS_KEY_MAX];
	uint64_t value;
	size_t n = 0, out = 0;
	int rc;

	for (size_t i = 0; (rc = shm_counters_read(r, i, key, &value)) >= 0; i++)
		if (rc == 1 && parse_key(key, &all[n]))
			all[n++].value = value;
	qsort(all, n, sizeof(*all), cmp_sample);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && cmp_sample(&all[out - 1], &all[i]) == 0)
			all[out - 1].value += all[i].value;
		else
			all[out++] = all[i];
	}
	*n_r = out;
	return all;
}

/* metadata - the family's TYPE, UNIT (OpenMetrics) and HELP lines */
static void metadata(const struct metric_family *mf, enum render_format fmt, struct buf *out)
{
	static const char *const type_names[] = { [COUNTER] = "counter", [GAUGE] = "gauge",
						  [HISTOGRAM] = "histogram" };
	const char *total = mf->type == COUNTER ? "_total" : "";

	if (fmt == RENDER_OPENMETRICS) {
		buf_printf(out, "# TYPE %s %s\n", mf->name, type_names[mf->type]);
		if (*mf->unit)
			buf_printf(out, "# UNIT %s %s\n", mf->name, mf->unit);
		buf_printf(out, "# HELP %s %s\n", mf->name, mf->help);
		return;
	}
	buf_printf(out, "# HELP %s%s %s\n", mf->name, total, mf->help);
	buf_printf(out, "# TYPE %s%s %s\n", mf->name, total, type_names[mf->type]);
}

/* sample_name - NAME SUFFIX{LABELS[,le="LE"]} */
static void sample_name(struct buf *out, const char *name, const char *suffix, const char *labels,
			const char *le)
{
	buf_printf(out, "%s%s", name, suffix);
	if (*labels || le)
		buf_printf(out, "{%s%s%s%s%s}", labels, *labels && le ? "," : "", le ? "le=\"" : "",
			   le ? le : "", le ? "\"" : "");
}

/* histogram - the samples of one histogram and label set from all[i]:
 * cumulative buckets, the sum in seconds, the count; the next index */
static size_t histogram(const struct sample *all, size_t i, size_t n, struct buf *out)
{
	const char *name = metrics_families[all[i].family].name, *labels = all[i].labels;
	uint64_t counts[metrics_nbuckets + 1], sum_ms = 0, total = 0;
	char le[32];
	size_t j;

	memset(counts, 0, sizeof(counts));
	for (j = i; j < n && all[j].family == all[i].family && strcmp(all[j].labels, labels) == 0; j++) {
		if (all[j].part == PART_BUCKET)
			counts[all[j].bucket] = all[j].value;
		else if (all[j].part == PART_SUM)
			sum_ms = all[j].value;
	}
	for (size_t b = 0; b <= metrics_nbuckets; b++) {
		total += counts[b];
		if (b < metrics_nbuckets)
			snprintf(le, sizeof(le), "%ld.0", metrics_buckets[b]);
		else
			strcpy(le, "+Inf");
		sample_name(out, name, "_bucket", labels, le);
		buf_printf(out, " %llu\n", (unsigned long long)total);
	}
	sample_name(out, name, "_sum", labels, NULL);
	buf_printf(out, " %llu.%03llu\n", (unsigned long long)(sum_ms / 1000),
		   (unsigned long long)(sum_ms % 1000));
	sample_name(out, name, "_count", labels, NULL);
	buf_printf(out, " %llu\n", (unsigned long long)total);
	return j;
}

/* metricsd_render - every valid sample of r, by family, into out */
void metricsd_render(const struct shm_counters *r, enum render_format fmt, struct buf *out)
{
	size_t n, i = 0;
	struct sample *all = collect(r, &n);

	while (i < n) {
		const struct metric_family *mf = &metrics_families[all[i].family];
		int family = all[i].family;

		metadata(mf, fmt, out);
		while (i < n && all[i].family == family) {
			if (mf->type == HISTOGRAM) {
				i = histogram(all, i, n, out);
				continue;
			}
			sample_name(out, mf->name, mf->type == COUNTER ? "_total" : "", all[i].labels, NULL);
			buf_printf(out, " %llu\n", (unsigned long long)all[i].value);
			i++;
		}
	}
	if (fmt == RENDER_OPENMETRICS)
		buf_cat(out, "# EOF\n");
	free(all);
}
