/* fuzz_dns - libFuzzer target for the DNS reply parser and name helpers.
 * The input is parsed as a reply for A, AAAA, MX, PTR, CNAME and TXT:
 * DNS_OK must come with 1..DNS_MAX_ANSWERS records, anything else with
 * none; addresses must print back, names and TXT text must hold only
 * printable ASCII (no space, CR, LF or NUL).  As text, the input also
 * goes through dns_name_valid, the address checks and dns_rbl_name,
 * whose results must respect the length limits. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* check_text - every byte printable; names exclude the space too */
static void check_text(const char *s, int lowest)
{
	for (; *s; s++)
		check((unsigned char)*s >= lowest && (unsigned char)*s < 0x7f);
}

/* check_rr - invariants of one record */
static void check_rr(const struct dns_rr *rr, enum dns_type type)
{
	unsigned char bytes[16];

	check(rr->type == type && rr->data != NULL);
	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		check(inet_pton(type == DNS_T_A ? AF_INET : AF_INET6, rr->data, bytes) == 1);
		break;
	case DNS_T_MX:
	case DNS_T_PTR:
	case DNS_T_CNAME:
		check(rr->pref <= 65535 && rr->data[0] != '\0');
		check_text(rr->data, 0x21);
		break;
	case DNS_T_TXT:
		check_text(rr->data, 0x20);
		break;
	}
	check(type == DNS_T_MX || rr->pref == 0);
}

/* fuzz_parse - the input as a reply to each query type */
static void fuzz_parse(const uint8_t *data, size_t size)
{
	static const enum dns_type types[] = { DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_PTR,
					       DNS_T_CNAME, DNS_T_TXT };
	struct buf *why = buf_new(64);

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct dns_rr *rrs;
		size_t n;
		enum dns_status st = dns_parse_answer(data, size, types[t], &rrs, &n, why);

		check(st != DNS_INVALID);
		check(st == DNS_OK ? rrs != NULL && n >= 1 && n <= DNS_MAX_ANSWERS
		      : rrs == NULL && n == 0 && buf_len(why) > 0);
		for (size_t i = 0; i < n; i++)
			check_rr(&rrs[i], types[t]);
		dns_rr_free(&rrs, n);
		buf_reset(why);
	}
	buf_free(&why);
}

/* fuzz_names - the input as a host name, address or RBL domain */
static void fuzz_names(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct buf *b = buf_new(64);
	size_t len = strlen(s);

	if (dns_name_valid(s))
		check(len >= 1 && len <= DNS_MAX_NAME + 1 && s[0] != '.' && s[0] != '-');
	if (dns_addr_is_ip_literal(s))
		check(s[0] == '[' && s[len - 1] == ']');
	if (dns_rbl_name(s, "zen.test", b) == DNS_OK)
		check(dns_addr_is_ip(s) && buf_len(b) <= DNS_MAX_NAME + 1);
	else
		check(buf_len(b) == 0);
	buf_reset(b);
	if (dns_rbl_name("2001:db8::1", s, b) == DNS_OK)
		check(buf_len(b) == 64 + len && len <= DNS_MAX_NAME + 1 - 64);
	else
		check(buf_len(b) == 0);
	buf_free(&b);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse(data, size);
	fuzz_names(data, size);
	return 0;
}
