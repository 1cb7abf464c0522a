/* dns - DNS lookups through the system resolver; see dns.h.
 *
 * One lookup: res_ninit (a private resolver state, resolv.conf read
 * afresh), our timeout and retries, res_nmkquery + res_nsend over UDP,
 * then dns_parse_answer.  We call res_nsend rather than res_nquery so
 * that the reply's rcode is ours to read: res_nquery folds SERVFAIL and
 * "no server answered" into one h_errno and drops the reason.  A
 * truncated UDP reply is retried over TCP by us (tcp_fallback), because
 * glibc's own TCP path waits forever on a server that accepts and stays
 * silent.  No EDNS0: answers over 512 bytes go over TCP.
 * Names given to a lookup must be printable ASCII without '\' (the
 * resolver would read it as an escape) in labels of 1-63 bytes, at most
 * 253 bytes plus an optional trailing dot; anything else is DNS_INVALID.
 * A daemon about to chroot calls dns_preload(): from then on, when
 * resolv.conf is out of reach, the state read before the chroot is used
 * (its nameservers, search list and options), so chrooted daemons need no
 * copy of /etc files in the queue directory.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "deadline.h"
#include "dns.h"
#include "mem.h"

/* fail - set why (if any) and return st */
__attribute__((format(printf, 3, 4)))
static enum dns_status fail(struct buf *why, enum dns_status st, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL)
		return st;
	buf_reset(why);
	va_start(ap, fmt);
	buf_vprintf(why, fmt, ap);
	va_end(ap);
	return st;
}

/* safe - at most 64 bytes of untrusted text for a reason, '?' for
 * anything but printable ASCII, "..." when cut */
static const char *safe(char out[72], const char *s)
{
	size_t i = 0;

	for (; s && s[i] && i < 64; i++)
		out[i] = s[i] > ' ' && s[i] < 0x7f ? s[i] : '?';
	strcpy(out + i, s && s[i] ? "..." : "");
	return out;
}

/* dns_status_str - OK, NOTFOUND, TEMPFAIL or INVALID */
const char *dns_status_str(enum dns_status st)
{
	switch (st) {
	case DNS_OK: return "OK";
	case DNS_NOTFOUND: return "NOTFOUND";
	case DNS_TEMPFAIL: return "TEMPFAIL";
	case DNS_INVALID: return "INVALID";
	}
	return "?";
}

/* type_str - a record type's mnemonic */
static const char *type_str(enum dns_type type)
{
	switch (type) {
	case DNS_T_A: return "A";
	case DNS_T_CNAME: return "CNAME";
	case DNS_T_PTR: return "PTR";
	case DNS_T_MX: return "MX";
	case DNS_T_TXT: return "TXT";
	case DNS_T_AAAA: return "AAAA";
	}
	return "?";
}

/* --- names and addresses ------------------------------------------------ */

/* name_len - length without one trailing dot */
static size_t name_len(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && name[len - 1] == '.' ? len - 1 : len;
}

/* query_name_ok - a name we may hand to the resolver (see the header) */
static bool query_name_ok(const char *name)
{
	size_t len = name_len(name), label = 0;

	if (len == 0 || len > DNS_MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (c <= ' ' || c >= 0x7f || c == '\\' || ++label > 63) {
			return false;
		}
	}
	return label > 0;
}

/* dns_name_valid - RFC 1035/1123 host name syntax (see the header) */
bool dns_name_valid(const char *name)
{
	size_t len = name ? name_len(name) : 0, label = 0;
	bool numeric = true;

	if (len == 0 || len > DNS_MAX_NAME)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? name[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || name[i - 1] == '-')
				return false;
			if (i < len)
				numeric = true;
			label = 0;
			continue;
		}
		if (c == '-' ? label == 0 : !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
					     || (c >= '0' && c <= '9')))
			return false;
		if (c < '0' || c > '9')
			numeric = false;
		label++;
	}
	return !numeric;
}

/* parse_ip - text to bytes; an IPv4-mapped IPv6 address becomes IPv4 */
static bool parse_ip(const char *text, unsigned char bytes[16], int *family_r)
{
	struct in6_addr a6;

	if (text == NULL)
		return false;
	if (inet_pton(AF_INET, text, bytes) == 1) {
		*family_r = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, &a6) != 1)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(bytes, a6.s6_addr + 12, 4);
		*family_r = AF_INET;
	} else {
		memcpy(bytes, a6.s6_addr, 16);
		*family_r = AF_INET6;
	}
	return true;
}

/* dns_addr_is_ip - a bare IPv4 or IPv6 address */
bool dns_addr_is_ip(const char *text)
{
	unsigned char bytes[16];
	int family;

	return parse_ip(text, bytes, &family);
}

/* dns_addr_is_ip_literal - [1.2.3.4] or [IPv6:2001:db8::1] */
bool dns_addr_is_ip_literal(const char *text)
{
	size_t len = text ? strlen(text) : 0;
	unsigned char bytes[16];
	char inner[64];

	if (len < 3 || len - 2 >= sizeof(inner) || text[0] != '[' || text[len - 1] != ']')
		return false;
	memcpy(inner, text + 1, len - 2);
	inner[len - 2] = '\0';
	if (strncasecmp(inner, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, inner + 5, bytes) == 1;
	return inet_pton(AF_INET, inner, bytes) == 1;
}

/* dns_rbl_name - reversed address (octets or nibbles) + "." + domain */
enum dns_status dns_rbl_name(const char *ip_text, const char *rbl_domain, struct buf *out)
{
	unsigned char b[16];
	int family;
	size_t start = buf_len(out);

	if (!parse_ip(ip_text, b, &family) || rbl_domain == NULL || !query_name_ok(rbl_domain))
		return DNS_INVALID;
	if (family == AF_INET) {
		buf_printf(out, "%u.%u.%u.%u.", b[3], b[2], b[1], b[0]);
	} else {
		for (int i = 15; i >= 0; i--)
			buf_printf(out, "%x.%x.", b[i] & 0xf, b[i] >> 4);
	}
	buf_cat(out, rbl_domain);
	if (!query_name_ok(buf_str(out) + start)) {
		buf_truncate(out, start);
		return DNS_INVALID;
	}
	return DNS_OK;
}

/* dns_ptr_name - in-addr.arpa or ip6.arpa name of an address */
enum dns_status dns_ptr_name(const char *ip_text, struct buf *out)
{
	unsigned char b[16];
	int family;

	if (!parse_ip(ip_text, b, &family))
		return DNS_INVALID;
	return dns_rbl_name(ip_text, family == AF_INET ? "in-addr.arpa" : "ip6.arpa", out);
}

/* --- reply parsing ------------------------------------------------------ */

/* expand_name - a (compressed) name at p that must end exactly at end */
static char *expand_name(const ns_msg *msg, const unsigned char *p, const unsigned char *end)
{
	char name[NS_MAXDNAME];
	int n = dn_expand(ns_msg_base(*msg), ns_msg_end(*msg), p, name, sizeof(name));

	if (n < 0 || p + n != end)
		return NULL;
	return xstrdup(name[0] ? name : ".");	/* dn_expand writes the root as "" */
}

/* txt_join - a TXT record's strings, concatenated, control bytes as '?' */
static char *txt_join(const unsigned char *p, size_t len)
{
	struct buf *b;
	size_t off = 0;

	if (len == 0)
		return NULL;
	b = buf_new(len);
	while (off < len) {
		size_t slen = p[off++];

		if (slen > len - off) {
			buf_free(&b);
			return NULL;
		}
		for (size_t i = 0; i < slen; i++) {
			unsigned char c = p[off + i];

			buf_putc(b, c < ' ' || c >= 0x7f ? '?' : c);
		}
		off += slen;
	}
	return buf_steal(&b);
}

/* decode_rr - one record of the asked type into rr; -1 if it is malformed */
static int decode_rr(const ns_msg *msg, const ns_rr *in, enum dns_type type, struct dns_rr *rr)
{
	const unsigned char *p = ns_rr_rdata(*in);
	size_t len = ns_rr_rdlen(*in);
	char addr[INET6_ADDRSTRLEN];

	rr->type = type;
	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (len != (type == DNS_T_A ? 4u : 16u))
			return -1;
		inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, p, addr, sizeof(addr));
		rr->data = xstrdup(addr);
		break;
	case DNS_T_MX:
		if (len < 3)
			return -1;
		rr->pref = ns_get16(p);
		rr->data = expand_name(msg, p + 2, p + len);
		break;
	case DNS_T_PTR:
	case DNS_T_CNAME:
		rr->data = expand_name(msg, p, p + len);
		break;
	case DNS_T_TXT:
		rr->data = txt_join(p, len);
		break;
	}
	return rr->data ? 0 : -1;
}

/* header_status - DNS_OK for a NOERROR response we can use */
static enum dns_status header_status(const unsigned char *pkt, size_t len, struct buf *why)
{
	unsigned flags, rcode;

	if (len < NS_HFIXEDSZ)
		return fail(why, DNS_TEMPFAIL, "malformed reply: short header");
	flags = pkt[2];
	rcode = pkt[3] & 0xf;
	if (!(flags & 0x80) || ((flags >> 3) & 0xf) != ns_o_query)
		return fail(why, DNS_TEMPFAIL, "malformed reply: not a query response");
	if (flags & 0x02)
		return fail(why, DNS_TEMPFAIL, "truncated reply");
	switch (rcode) {
	case ns_r_noerror:
		return DNS_OK;
	case ns_r_nxdomain:
		return fail(why, DNS_NOTFOUND, "no such domain (NXDOMAIN)");
	case ns_r_servfail:
		return fail(why, DNS_TEMPFAIL, "server failure (SERVFAIL)");
	case ns_r_refused:
		return fail(why, DNS_TEMPFAIL, "query refused by the DNS server (REFUSED)");
	default:
		return fail(why, DNS_TEMPFAIL, "DNS error reply (rcode %u)", rcode);
	}
}

/* dns_parse_answer - records of one type from a reply (see the header) */
enum dns_status dns_parse_answer(const unsigned char *pkt, size_t len, enum dns_type type,
				 struct dns_rr **rrs_r, size_t *n_r, struct buf *why)
{
	struct dns_rr *rrs;
	enum dns_status st;
	ns_msg msg;
	ns_rr in;
	size_t n = 0;

	*rrs_r = NULL;
	*n_r = 0;
	if ((st = header_status(pkt, len, why)) != DNS_OK)
		return st;
	if (len > NS_MAXMSG || ns_initparse(pkt, (int)len, &msg) < 0)
		return fail(why, DNS_TEMPFAIL, "malformed reply: bad counts or lengths");
	rrs = xcalloc(DNS_MAX_ANSWERS, sizeof(*rrs));
	for (int i = 0; i < ns_msg_count(msg, ns_s_an) && n < DNS_MAX_ANSWERS; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &in) < 0) {
			st = fail(why, DNS_TEMPFAIL, "malformed reply: bad answer record");
			break;
		}
		if (ns_rr_class(in) != ns_c_in || (unsigned)ns_rr_type(in) != (unsigned)type)
			continue;
		if (decode_rr(&msg, &in, type, &rrs[n]) < 0) {
			st = fail(why, DNS_TEMPFAIL, "malformed reply: bad %s record", type_str(type));
			break;
		}
		n++;
	}
	if (st == DNS_OK && n == 0)
		st = fail(why, DNS_NOTFOUND, "no %s record", type_str(type));
	if (st != DNS_OK) {
		dns_rr_free(&rrs, n);
		return st;
	}
	*rrs_r = rrs;
	*n_r = n;
	return DNS_OK;
}

/* dns_rr_free - release records and clear the pointer */
void dns_rr_free(struct dns_rr **rrsp, size_t n)
{
	struct dns_rr *rrs = *rrsp;

	if (rrs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(rrs[i].data);
	free(rrs);
	*rrsp = NULL;
}

/* --- queries ------------------------------------------------------------ */

/* apply_opts - our timeout and retries onto the resolver state */
static void apply_opts(res_state rs, const struct dns_opts *opts)
{
	if (opts == NULL)
		return;
	if (opts->timeout_ms > 0) {
		/* glibc waits `retrans` seconds per server and attempt
		 * (send_dg), so share one attempt's time among them */
		int secs = opts->timeout_ms / 1000 + (opts->timeout_ms % 1000 != 0);
		int per = secs / (rs->nscount > 0 ? rs->nscount : 1);

		rs->retrans = per < 1 ? 1 : per > RES_MAXRETRANS ? RES_MAXRETRANS : per;
	}
	if (opts->retries >= 0)
		rs->retry = opts->retries + 1 > RES_MAXRETRY ? RES_MAXRETRY : opts->retries + 1;
}

/* io_all - send or receive exactly len bytes before the deadline */
static int io_all(int fd, bool out, unsigned char *p, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		int rc;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return -1;
		if (errno == EAGAIN && (rc = deadline_wait(fd, out ? POLLOUT : POLLIN, deadline)) <= 0) {
			if (rc == 0)
				errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

/* same_question - the reply's one question is the query's (name, type, class) */
static bool same_question(const unsigned char *q, int qlen, const unsigned char *a, int alen)
{
	char qname[NS_MAXDNAME], aname[NS_MAXDNAME];
	int ql = dn_expand(q, q + qlen, q + NS_HFIXEDSZ, qname, sizeof(qname));
	int al = dn_expand(a, a + alen, a + NS_HFIXEDSZ, aname, sizeof(aname));

	return a[4] == 0 && a[5] == 1 && ql > 0 && al > 0 && NS_HFIXEDSZ + ql + 4 <= qlen
	       && NS_HFIXEDSZ + al + 4 <= alen && strcasecmp(qname, aname) == 0
	       && memcmp(q + NS_HFIXEDSZ + ql, a + NS_HFIXEDSZ + al, 4) == 0;
}

/* tcp_query - the query over TCP to one server, within timeout_ms */
static int tcp_query(const struct sockaddr *sa, socklen_t salen, const unsigned char *q,
		     int qlen, unsigned char *ans, int anslen, int timeout_ms)
{
	long long deadline = deadline_in(timeout_ms);
	unsigned char out[2 + NS_PACKETSZ], len2[2];
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int n = -1, err = 0, ready;
	socklen_t errlen = sizeof(err);

	if (fd < 0)
		return -1;
	out[0] = (unsigned char)(qlen >> 8);
	out[1] = (unsigned char)qlen;
	memcpy(out + 2, q, (size_t)qlen);
	if (connect(fd, sa, salen) < 0 && errno != EINPROGRESS)
		goto done;
	if ((ready = deadline_wait(fd, POLLOUT, deadline)) <= 0) {
		if (ready == 0)
			errno = ETIMEDOUT;
		goto done;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err != 0) {
		errno = err ? err : errno;
		goto done;
	}
	if (io_all(fd, true, out, (size_t)qlen + 2, deadline) < 0
	    || io_all(fd, false, len2, 2, deadline) < 0)
		goto done;
	n = len2[0] << 8 | len2[1];
	/* the reply must carry our ID and our question */
	if (n > anslen || io_all(fd, false, ans, (size_t)n, deadline) < 0
	    || n < NS_HFIXEDSZ || memcmp(ans, q, 2) != 0
	    || !same_question(q, qlen, ans, n))
		n = -1;
done:
	err = errno;
	close(fd);
	errno = err;
	return n;
}

/* tcp_fallback - a truncated UDP reply: ask the servers over TCP.  glibc
 * would do this itself, but with no timeout at all on the TCP connection */
static int tcp_fallback(res_state rs, const unsigned char *q, int qlen,
			unsigned char *ans, int anslen)
{
	int n = -1;

	for (int i = 0; i < rs->nscount && i < MAXNS && n < 0; i++) {
		const struct sockaddr_in6 *in6 = rs->_u._ext.nsaddrs[i];

		if (rs->nsaddr_list[i].sin_family == AF_INET)
			n = tcp_query((const struct sockaddr *)&rs->nsaddr_list[i],
				      sizeof(struct sockaddr_in), q, qlen, ans, anslen, rs->retrans * 1000);
		else if (in6 && in6->sin6_family == AF_INET6)
			n = tcp_query((const struct sockaddr *)in6, sizeof(*in6), q, qlen,
				      ans, anslen, rs->retrans * 1000);
	}
	return n;
}

/* the resolver state read by dns_preload, before a chroot hid resolv.conf */
static struct {
	bool loaded;
	struct __res_state rs;
	int retrans, retry;
	unsigned long options;
} preloaded;

/* dns_preload - read resolv.conf (and /etc/hosts: dns_hosts.c) now, for
 * use once a chroot has hidden them */
void dns_preload(void)
{
	if (!preloaded.loaded && res_ninit(&preloaded.rs) == 0) {
		preloaded.loaded = true;
		preloaded.retrans = preloaded.rs.retrans;
		preloaded.retry = preloaded.rs.retry;
		preloaded.options = preloaded.rs.options;
	}
	dns_hosts_preload();
}

/* resolver - a fresh state from resolv.conf, or the preloaded one when the
 * file is out of reach (chroot: glibc would fall back to 127.0.0.1);
 * NULL + why when neither works.  *fresh_r: the caller res_nclose()s it. */
static res_state resolver(struct __res_state *fresh, bool *fresh_r, struct buf *why)
{
	*fresh_r = !preloaded.loaded || access(_PATH_RESCONF, F_OK) == 0;
	if (!*fresh_r) {
		preloaded.rs.retrans = preloaded.retrans;	/* undo the last apply_opts */
		preloaded.rs.retry = preloaded.retry;
		preloaded.rs.options = preloaded.options;
		return &preloaded.rs;
	}
	/* not res_nclose() after a failed res_ninit: the state is not set up */
	memset(fresh, 0, sizeof(*fresh));
	if (res_ninit(fresh) < 0) {
		fail(why, DNS_TEMPFAIL, "cannot initialise the resolver");
		return NULL;
	}
	return fresh;
}

/* send_query - one query; the reply into ans, its length or -1 + why */
static int send_query(const char *name, enum dns_type type, const struct dns_opts *opts,
		      unsigned char *ans, int anslen, struct buf *why)
{
	struct __res_state fresh;
	res_state rs;
	unsigned char q[NS_PACKETSZ];
	int qlen, n, err;
	bool own;

	if ((rs = resolver(&fresh, &own, why)) == NULL)
		return -1;
	apply_opts(rs, opts);
	/* UDP first, and a truncated reply comes back to us (tcp_fallback) */
	rs->options = (rs->options | RES_IGNTC) & ~(unsigned long)RES_USEVC;
	qlen = res_nmkquery(rs, ns_o_query, name, ns_c_in, (int)type, NULL, 0, NULL, q, sizeof(q));
	errno = 0;
	n = qlen < 0 ? -1 : res_nsend(rs, q, qlen, ans, anslen);
	if (n >= NS_HFIXEDSZ && (ans[2] & 0x02))
		n = tcp_fallback(rs, q, qlen, ans, anslen);
	err = errno;
	if (own)
		res_nclose(rs);
	if (qlen < 0)
		fail(why, DNS_TEMPFAIL, "cannot build the query");
	else if (n < 0 && err == ECONNREFUSED)
		fail(why, DNS_TEMPFAIL, "no DNS server answered (connection refused)");
	else if (n < 0 && (err == ETIMEDOUT || err == 0))
		fail(why, DNS_TEMPFAIL, "no reply from the DNS server (timed out)");
	else if (n < 0)
		fail(why, DNS_TEMPFAIL, "DNS query failed: %s", strerror(err));
	return n < 0 ? -1 : n > anslen ? anslen : n;
}

/* dns_query - records of one type for a name */
enum dns_status dns_query(const char *name, enum dns_type type, const struct dns_opts *opts,
			  struct dns_rr **rrs_r, size_t *n_r, struct buf *why)
{
	char tmp[72];
	unsigned char *ans;
	enum dns_status st;
	int n;

	*rrs_r = NULL;
	*n_r = 0;
	if (name == NULL || !query_name_ok(name))
		return fail(why, DNS_INVALID, "invalid domain name \"%s\"", safe(tmp, name));
	ans = xmalloc(NS_MAXMSG);
	n = send_query(name, type, opts, ans, NS_MAXMSG, why);
	st = n < 0 ? DNS_TEMPFAIL : dns_parse_answer(ans, (size_t)n, type, rrs_r, n_r, why);
	free(ans);
	if (st != DNS_OK && why) {
		/* prefix the reason with the question */
		char *reason = xstrdup(buf_str(why));

		buf_reset(why);
		buf_printf(why, "%s %s: %s", name, type_str(type), reason);
		free(reason);
	}
	return st;
}

/* to_strv - move the records' data into v */
static enum dns_status to_strv(enum dns_status st, struct dns_rr *rrs, size_t n, struct strv *v)
{
	for (size_t i = 0; i < n; i++) {
		strv_take(v, rrs[i].data);
		rrs[i].data = NULL;
	}
	free(rrs);
	return st;
}

/* dns_lookup_a - IPv4 addresses of a name */
enum dns_status dns_lookup_a(const char *name, const struct dns_opts *opts,
			     struct strv *addrs_r, struct buf *why)
{
	struct dns_rr *rrs;
	size_t n;
	enum dns_status st = dns_query(name, DNS_T_A, opts, &rrs, &n, why);

	return to_strv(st, rrs, n, addrs_r);
}

/* dns_lookup_aaaa - IPv6 addresses of a name */
enum dns_status dns_lookup_aaaa(const char *name, const struct dns_opts *opts,
				struct strv *addrs_r, struct buf *why)
{
	struct dns_rr *rrs;
	size_t n;
	enum dns_status st = dns_query(name, DNS_T_AAAA, opts, &rrs, &n, why);

	return to_strv(st, rrs, n, addrs_r);
}

/* dns_lookup_txt - TXT records of a name */
enum dns_status dns_lookup_txt(const char *name, const struct dns_opts *opts,
			       struct strv *texts_r, struct buf *why)
{
	struct dns_rr *rrs;
	size_t n;
	enum dns_status st = dns_query(name, DNS_T_TXT, opts, &rrs, &n, why);

	return to_strv(st, rrs, n, texts_r);
}

/* dns_lookup_ptr - reverse names of an address */
enum dns_status dns_lookup_ptr(const char *ip_text, const struct dns_opts *opts,
			       struct strv *names_r, struct buf *why)
{
	struct buf *q = buf_new(80);
	struct dns_rr *rrs;
	size_t n;
	enum dns_status st;
	char tmp[72];

	if (dns_ptr_name(ip_text, q) != DNS_OK) {
		buf_free(&q);
		return fail(why, DNS_INVALID, "not an IP address: \"%s\"", safe(tmp, ip_text));
	}
	st = dns_query(buf_str(q), DNS_T_PTR, opts, &rrs, &n, why);
	buf_free(&q);
	return to_strv(st, rrs, n, names_r);
}

/* dns_lookup_mx - MX hosts of a domain, by preference, ties stable */
enum dns_status dns_lookup_mx(const char *name, const struct dns_opts *opts,
			      struct dns_mx **list_r, size_t *n_r, struct buf *why)
{
	struct dns_rr *rrs;
	struct dns_mx *mx;
	size_t n;
	enum dns_status st = dns_query(name, DNS_T_MX, opts, &rrs, &n, why);

	*list_r = NULL;
	*n_r = 0;
	if (st != DNS_OK)
		return st;
	mx = xcalloc(n, sizeof(*mx));
	/* insertion sort: stable, and n <= DNS_MAX_ANSWERS */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		for (; j > 0 && mx[j - 1].pref > rrs[i].pref; j--)
			mx[j] = mx[j - 1];
		mx[j].pref = rrs[i].pref;
		mx[j].host = rrs[i].data;
		rrs[i].data = NULL;
	}
	free(rrs);
	*list_r = mx;
	*n_r = n;
	return DNS_OK;
}

/* dns_mx_free - release an MX list and clear the pointer */
void dns_mx_free(struct dns_mx **listp, size_t n)
{
	struct dns_mx *mx = *listp;

	if (mx == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(mx[i].host);
	free(mx);
	*listp = NULL;
}

/* --- forward-confirmed reverse DNS -------------------------------------- */

/* has_addr - whether the name's A (or AAAA) records hold the address */
static enum dns_status has_addr(const char *name, int family, const unsigned char *want,
				const struct dns_opts *opts, struct buf *why)
{
	struct strv *addrs = strv_new();
	enum dns_status st = (family == AF_INET ? dns_lookup_a : dns_lookup_aaaa)(name, opts, addrs, why);
	unsigned char got[16];
	int gfamily;

	if (st == DNS_OK) {
		st = DNS_NOTFOUND;
		for (size_t i = 0; i < addrs->len && st != DNS_OK; i++)
			if (parse_ip(addrs->items[i], got, &gfamily) && gfamily == family
			    && memcmp(got, want, family == AF_INET ? 4 : 16) == 0)
				st = DNS_OK;
	}
	strv_free(&addrs);
	return st;
}

/* dns_fcrdns - a PTR name that resolves back to the address */
enum dns_status dns_fcrdns(const char *ip_text, const struct dns_opts *opts,
			   struct buf *name_r, struct buf *why)
{
	struct strv *names = strv_new();
	struct buf *fwhy = buf_new(128);
	unsigned char want[16];
	int family;
	enum dns_status st, one;
	bool temp = false;
	size_t i;
	char tmp[72];

	buf_reset(name_r);
	if (!parse_ip(ip_text, want, &family)) {
		st = fail(why, DNS_INVALID, "not an IP address: \"%s\"", safe(tmp, ip_text));
	} else if ((st = dns_lookup_ptr(ip_text, opts, names, why)) == DNS_OK) {
		for (i = 0, one = DNS_NOTFOUND; i < names->len && i < DNS_FCRDNS_MAX_NAMES; i++) {
			if (!dns_name_valid(names->items[i]))
				continue;
			if ((one = has_addr(names->items[i], family, want, opts, fwhy)) == DNS_OK)
				break;
			if (one == DNS_TEMPFAIL) {
				temp = true;
				fail(why, DNS_TEMPFAIL, "%s", buf_str(fwhy));
			}
		}
		buf_set(name_r, names->items[one == DNS_OK ? i : 0]);
		if (one == DNS_OK)
			st = DNS_OK;
		else if (temp)
			st = DNS_TEMPFAIL;	/* why holds the failed lookup */
		else
			st = fail(why, DNS_NOTFOUND, "%s: no PTR name resolves back to %s",
				  buf_str(name_r), ip_text);
	}
	strv_free(&names);
	buf_free(&fwhy);
	return st;
}
