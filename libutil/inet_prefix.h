/* inet_prefix - IPv4/IPv6 addresses and network prefixes (CIDR).
 *
 * Accepted text: "1.2.3.4", "1.2.3.0/24", "::1", "[::1]", "[2001:db8::]/32",
 * "2001:db8::/32".  An IPv4-mapped IPv6 address (::ffff:1.2.3.4) is
 * normalised to IPv4 so it matches IPv4 prefixes.  A prefix with host bits
 * set ("1.2.3.4/24") is refused, as Postfix does, because it is almost
 * always a typo.  Input may come from the network; parsing is bounded.
 */
#ifndef HATO_INET_PREFIX_H
#define HATO_INET_PREFIX_H

#include <stdbool.h>

#include "buf.h"

struct inet_addr {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char bytes[16];	/* 4 used for AF_INET */
};

struct inet_prefix {
	struct inet_addr addr;
	unsigned bits;			/* 0..32 or 0..128 */
};

/* inet_addr_parse - 0 ok, -1 not an address (brackets allowed) */
int inet_addr_parse(const char *text, struct inet_addr *a);
/* inet_prefix_parse - 0 ok, -1 with why filled */
int inet_prefix_parse(const char *text, struct inet_prefix *p, struct buf *why);
bool inet_prefix_contains(const struct inet_prefix *p, const struct inet_addr *a);
/* inet_prefix_format - "1.2.3.0/24" or "[2001:db8::]/32" (Postfix's style) */
void inet_prefix_format(const struct inet_prefix *p, struct buf *out);
void inet_addr_format(const struct inet_addr *a, struct buf *out);

#endif
