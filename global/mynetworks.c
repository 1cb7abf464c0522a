/* mynetworks - compute the default trusted networks; see mynetworks.h. */
#include <ifaddrs.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "inet_prefix.h"
#include "mynetworks.h"
#include "strv.h"

enum style { STYLE_HOST, STYLE_SUBNET, STYLE_CLASS };

/* mask_bits - the prefix length of a netmask */
static unsigned mask_bits(const struct sockaddr *sa)
{
	const unsigned char *b;
	size_t len;
	unsigned bits = 0;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
		len = 4;
	} else {
		b = (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		len = 16;
	}
	for (size_t i = 0; i < len; i++)
		bits += (unsigned)__builtin_popcount(b[i]);
	return bits;
}

/* class_bits - the classful prefix of an IPv4 address */
static unsigned class_bits(const unsigned char *b)
{
	if (b[0] < 128)
		return 8;
	if (b[0] < 192)
		return 16;
	return 24;
}

/* add_network - append one interface's network, once */
static void add_network(const struct ifaddrs *ifa, enum style style, struct strv *seen,
			struct buf *out)
{
	struct inet_prefix p = { 0 };
	struct buf *text = buf_new(64);
	unsigned total;

	p.addr.family = ifa->ifa_addr->sa_family;
	if (p.addr.family == AF_INET)
		memcpy(p.addr.bytes, &((struct sockaddr_in *)ifa->ifa_addr)->sin_addr, 4);
	else
		memcpy(p.addr.bytes, &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr, 16);
	total = p.addr.family == AF_INET ? 32 : 128;
	p.bits = total;
	if (style == STYLE_SUBNET || (style == STYLE_CLASS && p.addr.family == AF_INET6))
		p.bits = mask_bits(ifa->ifa_netmask);
	else if (style == STYLE_CLASS)
		p.bits = class_bits(p.addr.bytes);
	for (unsigned i = p.bits; i < total; i++)
		p.addr.bytes[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	inet_prefix_format(&p, text);
	for (size_t i = 0; i < seen->len; i++)
		if (strcmp(seen->items[i], buf_str(text)) == 0)
			goto done;
	strv_add(seen, buf_str(text));
	if (buf_len(out))
		buf_putc(out, ' ');
	buf_cat(out, buf_str(text));
done:
	buf_free(&text);
}

/* mynetworks_compute - the networks of the local interfaces */
int mynetworks_compute(const char *style_name, const char *inet_protocols, struct buf *out)
{
	enum style style = STYLE_HOST;
	bool v4 = strstr(inet_protocols, "ipv4") || strstr(inet_protocols, "all");
	bool v6 = strstr(inet_protocols, "ipv6") || strstr(inet_protocols, "all");
	struct ifaddrs *list = NULL;
	struct strv *seen = strv_new();
	int rc = 0;

	if (strcasecmp(style_name, "subnet") == 0)
		style = STYLE_SUBNET;
	else if (strcasecmp(style_name, "class") == 0)
		style = STYLE_CLASS;
	else if (strcasecmp(style_name, "host") != 0)
		rc = -1;
	if (getifaddrs(&list) == 0) {
		for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
			if (ifa->ifa_addr == NULL)
				continue;
			if ((ifa->ifa_addr->sa_family == AF_INET && v4) ||
			    (ifa->ifa_addr->sa_family == AF_INET6 && v6))
				add_network(ifa, style, seen, out);
		}
		freeifaddrs(list);
	}
	if (buf_len(out) == 0)
		buf_cat(out, v4 ? "127.0.0.0/8" : "[::1]/128");
	strv_free(&seen);
	return rc;
}
