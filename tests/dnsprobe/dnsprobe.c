/* dnsprobe - run one libutil/dns lookup from the command line (tests only).
 *
 *   dnsprobe a|aaaa|mx|ptr|txt|fcrdns NAME [timeout_ms [retries]]
 *   dnsprobe rbl IP DOMAIN [timeout_ms [retries]]
 *
 * Prints the results one per line ("PREF HOST" for mx; for rbl the query
 * name, the A records and "txt TEXT" lines; for fcrdns the name), then
 * the status word OK, NOTFOUND, TEMPFAIL or INVALID.  The reason for a
 * failure goes to stderr.  Exit 0 whatever the status; 64 on bad usage.
 * The tests run it inside a network namespace against tests/lib/fakedns.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "log.h"

/* print_strv - one item per line */
static void print_strv(const struct strv *v, const char *prefix)
{
	for (size_t i = 0; i < v->len; i++)
		printf("%s%s\n", prefix, v->items[i]);
}

/* probe_mx - "PREF HOST" lines */
static enum dns_status probe_mx(const char *name, const struct dns_opts *o, struct buf *why)
{
	struct dns_mx *mx;
	size_t n;
	enum dns_status st = dns_lookup_mx(name, o, &mx, &n, why);

	for (size_t i = 0; i < n; i++)
		printf("%u %s\n", mx[i].pref, mx[i].host);
	dns_mx_free(&mx, n);
	return st;
}

/* probe_rbl - the query name, its A records, then its TXT records */
static enum dns_status probe_rbl(const char *ip, const char *domain, const struct dns_opts *o,
				 struct buf *why)
{
	struct buf *q = buf_new(80);
	struct strv *v = strv_new();
	enum dns_status st = dns_rbl_name(ip, domain, q);

	if (st == DNS_OK) {
		printf("%s\n", buf_str(q));
		st = dns_lookup_a(buf_str(q), o, v, why);
		print_strv(v, "");
		strv_clear(v);
		if (st == DNS_OK && dns_lookup_txt(buf_str(q), o, v, why) != DNS_TEMPFAIL)
			print_strv(v, "txt ");
	}
	buf_free(&q);
	strv_free(&v);
	return st;
}

/* probe - one lookup of the given kind */
static enum dns_status probe(const char *kind, const char *name, const char *arg,
			     const struct dns_opts *o, struct buf *why)
{
	struct strv *v = strv_new();
	struct buf *b = buf_new(64);
	enum dns_status st = DNS_INVALID;

	if (strcmp(kind, "a") == 0)
		st = dns_lookup_a(name, o, v, why);
	else if (strcmp(kind, "aaaa") == 0)
		st = dns_lookup_aaaa(name, o, v, why);
	else if (strcmp(kind, "ptr") == 0)
		st = dns_lookup_ptr(name, o, v, why);
	else if (strcmp(kind, "txt") == 0)
		st = dns_lookup_txt(name, o, v, why);
	else if (strcmp(kind, "mx") == 0)
		st = probe_mx(name, o, why);
	else if (strcmp(kind, "rbl") == 0)
		st = probe_rbl(name, arg, o, why);
	else if (strcmp(kind, "fcrdns") == 0 && (st = dns_fcrdns(name, o, b, why)) != DNS_INVALID
		 && buf_len(b))
		printf("%s\n", buf_str(b));
	print_strv(v, "");
	strv_free(&v);
	buf_free(&b);
	return st;
}

int main(int argc, char **argv)
{
	static const char *kinds[] = { "a", "aaaa", "mx", "ptr", "txt", "rbl", "fcrdns", NULL };
	struct dns_opts o = { .timeout_ms = 0, .retries = -1 };
	struct buf *why = buf_new(128);
	enum dns_status st;
	int known = 0, at;

	log_init("dnsprobe");
	for (int i = 0; argc > 1 && kinds[i]; i++)
		known |= strcmp(argv[1], kinds[i]) == 0;
	at = argc > 1 && strcmp(argv[1], "rbl") == 0 ? 4 : 3;
	if (!known || argc < at || argc > at + 2) {
		fprintf(stderr, "usage: dnsprobe a|aaaa|mx|ptr|txt|fcrdns NAME [timeout_ms [retries]]\n"
			"       dnsprobe rbl IP DOMAIN [timeout_ms [retries]]\n");
		return 64;
	}
	if (argc > at)
		o.timeout_ms = atoi(argv[at]);
	if (argc > at + 1)
		o.retries = atoi(argv[at + 1]);
	st = probe(argv[1], argv[2], at == 4 ? argv[3] : NULL, &o, why);
	printf("%s\n", dns_status_str(st));
	if (st != DNS_OK && buf_len(why))
		fprintf(stderr, "dnsprobe: %s\n", buf_str(why));
	buf_free(&why);
	return 0;
}
