/* sock_addr - socket addresses as text; see sock_addr.h */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sock_addr.h"

/* to_text - ss into addr and *port_r: 0, or -1 for an unknown family */
static int to_text(const struct sockaddr_storage *ss, char *addr, size_t size, unsigned *port_r)
{
	static const char mapped[] = "::ffff:";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, addr, (socklen_t)size);
		*port_r = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, (socklen_t)size);
		*port_r = ntohs(sin6->sin6_port);
		if (strncmp(addr, mapped, strlen(mapped)) == 0 && strchr(addr, '.'))
			memmove(addr, addr + strlen(mapped), strlen(addr) - strlen(mapped) + 1);
	} else if (ss->ss_family == AF_UNIX) {
		snprintf(addr, size, "127.0.0.1");
		*port_r = 0;
	} else {
		return -1;
	}
	return 0;
}

/* address - one side of fd's connection */
static int address(int fd, bool peer, char *addr, size_t size, unsigned *port_r)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		      : getsockname(fd, (struct sockaddr *)&ss, &len);

	if (rc == 0 && to_text(&ss, addr, size, port_r) == 0)
		return 0;
	snprintf(addr, size, "unknown");
	*port_r = 0;
	return -1;
}

/* sock_addr_peer - the client's side */
int sock_addr_peer(int fd, char *addr, size_t size, unsigned *port_r)
{
	return address(fd, true, addr, size, port_r);
}

/* sock_addr_local - our side */
int sock_addr_local(int fd, char *addr, size_t size, unsigned *port_r)
{
	return address(fd, false, addr, size, port_r);
}
