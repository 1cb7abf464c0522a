/* dns - DNS lookups through the system resolver, and host name syntax.
 *
 *   struct dns_opts o = { .timeout_ms = 5000, .retries = 1 };
 *   struct dns_mx *mx; size_t n;
 *   if (dns_lookup_mx("example.org", &o, &mx, &n, why) == DNS_OK) ...
 *   dns_mx_free(&mx, n);
 *
 * Lookups use glibc's resolver (res_nmkquery + res_nsend, /etc/resolv.conf
 * read on every call; in a chroot, the copy dns_preload read before it) and parse the reply with ns_initparse/ns_parserr.
 * Every lookup returns a dns_status; anything but DNS_OK sets why (which
 * may be NULL) to the reason, e.g. "example.org MX: server failure
 * (SERVFAIL)", printable ASCII only.  Results are appended to the
 * caller's strv, nothing on failure.  Nothing is logged.
 * Trust boundary: the reply is untrusted input.  Counts, lengths and
 * compression pointers are checked; a record of the asked type that does
 * not parse makes the whole answer DNS_TEMPFAIL; at most DNS_MAX_ANSWERS
 * records are used; TXT text has control bytes replaced by '?'.
 * CNAME chains are followed by the recursive server; records that are
 * not of the asked type or not class IN are skipped.  Names in results
 * are in presentation form: special bytes escaped ("a\032b", "a\.b").
 */
#ifndef HATO_DNS_H
#define HATO_DNS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "strv.h"

enum dns_status {
	DNS_OK,
	DNS_NOTFOUND,	/* NXDOMAIN or NODATA: a definite no */
	DNS_TEMPFAIL,	/* timeout, SERVFAIL, REFUSED, no server, bad reply */
	DNS_INVALID,	/* the name or address itself is malformed or too long */
};

/* record types (RFC 1035, 3596) */
enum dns_type {
	DNS_T_A = 1, DNS_T_CNAME = 5, DNS_T_PTR = 12, DNS_T_MX = 15,
	DNS_T_TXT = 16, DNS_T_AAAA = 28,
};

enum {
	DNS_MAX_ANSWERS = 100,	/* records of the asked type used per reply */
	DNS_MAX_NAME = 253,	/* presentation form, without a trailing dot */
	DNS_FCRDNS_MAX_NAMES = 10, /* PTR names tried by dns_fcrdns */
};

/* Per-lookup limits.  timeout_ms is how long one attempt may take over
 * all servers; the resolver counts whole seconds, so it is rounded up
 * and shared among the nameservers (at least 1 s each).  An attempt is
 * retried `retries` times: a lookup that gets no answer ends after about
 * timeout_ms * (retries + 1); a truncated reply retried over TCP adds
 * at most one more timeout_ms.  A NULL opts, or a value <= 0 for
 * timeout_ms (< 0 for retries), keeps resolv.conf's setting.  Limits:
 * 30 s per server and attempt, retries <= 4 (the resolver's maxima). */
struct dns_opts {
	int timeout_ms;
	int retries;
};

/* one record of a parsed reply */
struct dns_rr {
	enum dns_type type;
	unsigned pref;		/* MX preference; 0 for other types */
	char *data;		/* A/AAAA: address text; MX/PTR/CNAME: name
				 * (root: "."); TXT: the strings joined */
};

struct dns_mx {
	unsigned pref;
	char *host;		/* "." is a null MX (RFC 7505) */
};

enum dns_status dns_lookup_a(const char *name, const struct dns_opts *opts,
			     struct strv *addrs_r, struct buf *why);
enum dns_status dns_lookup_aaaa(const char *name, const struct dns_opts *opts,
				struct strv *addrs_r, struct buf *why);
/* dns_lookup_mx - sorted by preference; equal preferences keep the
 * server's order (stable: a caller that wants load spreading shuffles) */
enum dns_status dns_lookup_mx(const char *name, const struct dns_opts *opts,
			      struct dns_mx **list_r, size_t *n_r, struct buf *why);
void dns_mx_free(struct dns_mx **listp, size_t n);
/* dns_lookup_ptr - names for an address (text form; DNS_INVALID if not one) */
enum dns_status dns_lookup_ptr(const char *ip_text, const struct dns_opts *opts,
			       struct strv *names_r, struct buf *why);
/* dns_lookup_txt - one string per TXT record, its strings concatenated */
enum dns_status dns_lookup_txt(const char *name, const struct dns_opts *opts,
			       struct strv *texts_r, struct buf *why);
/* dns_query - any type: the records of that type (the others use this) */
enum dns_status dns_query(const char *name, enum dns_type type, const struct dns_opts *opts,
			  struct dns_rr **rrs_r, size_t *n_r, struct buf *why);
void dns_rr_free(struct dns_rr **rrsp, size_t n);

/* dns_parse_answer - the records of `type` in reply pkt[0..len): DNS_OK
 * with 1..DNS_MAX_ANSWERS records, or none and NOTFOUND/TEMPFAIL + why */
enum dns_status dns_parse_answer(const unsigned char *pkt, size_t len, enum dns_type type,
				 struct dns_rr **rrs_r, size_t *n_r, struct buf *why);

/* dns_rbl_name - "4.3.2.1.zen.example" for 1.2.3.4, or the 32-nibble
 * form for IPv6 (an IPv4-mapped address counts as IPv4); appended to
 * out.  DNS_INVALID (out unchanged) for a bad address or too long name. */
enum dns_status dns_rbl_name(const char *ip_text, const char *rbl_domain, struct buf *out);
/* dns_ptr_name - the in-addr.arpa / ip6.arpa name of an address */
enum dns_status dns_ptr_name(const char *ip_text, struct buf *out);

/* dns_fcrdns - forward-confirmed reverse DNS: DNS_OK when one of the
 * address's PTR names (at most DNS_FCRDNS_MAX_NAMES, syntactically valid
 * ones only) has an A/AAAA record equal to it; name_r gets that name.
 * DNS_NOTFOUND when there is no PTR or no name matches (name_r gets the
 * first PTR name, if any, else stays empty); DNS_TEMPFAIL when a lookup
 * failed and no name matched; DNS_INVALID for a bad address. */
enum dns_status dns_fcrdns(const char *ip_text, const struct dns_opts *opts,
			   struct buf *name_r, struct buf *why);

/* dns_name_valid - an RFC 1035/1123 host name: labels of 1-63 letters,
 * digits and hyphens, no hyphen first or last, at most 253 bytes; one
 * trailing dot is allowed (and not counted); the last label may not be
 * all digits (a dotted address is not a host name, RFC 3696 2). */
bool dns_name_valid(const char *name);
/* dns_addr_is_ip - a bare IPv4 dotted quad or IPv6 address */
bool dns_addr_is_ip(const char *text);
/* dns_addr_is_ip_literal - an SMTP address literal: [1.2.3.4] or [IPv6:...] */
bool dns_addr_is_ip_literal(const char *text);
const char *dns_status_str(enum dns_status st);

/* dns_preload - read resolv.conf and /etc/hosts now (before a chroot):
 * lookups made where they are out of reach use these copies */
void dns_preload(void);
/* dns_hosts_name - the first valid host name /etc/hosts gives an address
 * (text form), or NULL; newly allocated.  The file is read at every call
 * when reachable, else the copy dns_preload() kept (dns_hosts.c). */
char *dns_hosts_name(const char *addr);
void dns_hosts_preload(void);

#endif
