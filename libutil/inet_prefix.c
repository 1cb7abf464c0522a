/* inet_prefix - address and CIDR parsing and matching; see inet_prefix.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "inet_prefix.h"

/* unbracket - copy text without [] into out; -1 if too long or unbalanced */
static int unbracket(const char *text, size_t len, char *out, size_t outsize)
{
	if (len > 0 && text[0] == '[') {
		if (len < 2 || text[len - 1] != ']')
			return -1;
		text++;
		len -= 2;
	}
	if (len == 0 || len >= outsize)
		return -1;
	memcpy(out, text, len);
	out[len] = '\0';
	return 0;
}

/* parse_n - parse len bytes of text as an address */
static int parse_n(const char *text, size_t len, struct inet_addr *a)
{
	static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
	char tmp[64];

	memset(a, 0, sizeof(*a));
	if (unbracket(text, len, tmp, sizeof(tmp)) < 0)
		return -1;
	if (strncasecmp(tmp, "ipv6:", 5) == 0)
		memmove(tmp, tmp + 5, strlen(tmp + 5) + 1);
	if (strchr(tmp, ':') == NULL) {
		a->family = AF_INET;
		return inet_pton(AF_INET, tmp, a->bytes) == 1 ? 0 : -1;
	}
	a->family = AF_INET6;
	if (inet_pton(AF_INET6, tmp, a->bytes) != 1)
		return -1;
	if (memcmp(a->bytes, mapped, 12) == 0) {
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = AF_INET;
	}
	return 0;
}

/* inet_addr_parse - parse one address */
int inet_addr_parse(const char *text, struct inet_addr *a)
{
	return parse_n(text, strlen(text), a);
}

/* host_bits_clear - whether every bit after the prefix is zero */
static bool host_bits_clear(const struct inet_prefix *p)
{
	unsigned total = p->addr.family == AF_INET ? 32 : 128;

	for (unsigned i = p->bits; i < total; i++)
		if (p->addr.bytes[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* inet_prefix_parse - "addr" or "addr/bits" */
int inet_prefix_parse(const char *text, struct inet_prefix *p, struct buf *why)
{
	const char *slash = strrchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned max;

	if (parse_n(text, alen, &p->addr) < 0) {
		buf_printf(why, "bad network address \"%.*s\"", (int)(alen > 64 ? 64 : alen), text);
		return -1;
	}
	max = p->addr.family == AF_INET ? 32 : 128;
	p->bits = max;
	if (slash) {
		char *end;
		unsigned long n = strtoul(slash + 1, &end, 10);

		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || n > max) {
			buf_printf(why, "bad network prefix length in \"%.80s\"", text);
			return -1;
		}
		p->bits = (unsigned)n;
		/* a mapped IPv6 prefix like ::ffff:1.2.3.0/120 counts its IPv4 part */
		if (p->addr.family == AF_INET && strchr(text, ':') && n >= 96 && n <= 128)
			p->bits = (unsigned)n - 96;
	}
	if (!host_bits_clear(p)) {
		buf_printf(why, "non-null host address bits in \"%.80s\"", text);
		return -1;
	}
	return 0;
}

/* inet_prefix_contains - whether a lies inside p */
bool inet_prefix_contains(const struct inet_prefix *p, const struct inet_addr *a)
{
	unsigned full = p->bits / 8, rest = p->bits % 8;

	if (p->addr.family != a->family)
		return false;
	if (memcmp(p->addr.bytes, a->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((p->addr.bytes[full] ^ a->bytes[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* inet_addr_format - text form of an address */
void inet_addr_format(const struct inet_addr *a, struct buf *out)
{
	char tmp[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family, a->bytes, tmp, sizeof(tmp)) == NULL)
		snprintf(tmp, sizeof(tmp), "?");
	buf_cat(out, tmp);
}

/* inet_prefix_format - "1.2.3.0/24" or "[2001:db8::]/32" */
void inet_prefix_format(const struct inet_prefix *p, struct buf *out)
{
	if (p->addr.family == AF_INET6)
		buf_putc(out, '[');
	inet_addr_format(&p->addr, out);
	if (p->addr.family == AF_INET6)
		buf_putc(out, ']');
	buf_printf(out, "/%u", p->bits);
}
