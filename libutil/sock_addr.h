/* sock_addr - a connected socket's addresses as text, for logs and for
 * access checks (smtpd, pop3d, imapd).
 *
 *   char addr[SOCK_ADDR_MAX]; unsigned port;
 *   sock_addr_peer(fd, addr, sizeof(addr), &port);    // "192.0.2.1", 34567
 *   sock_addr_local(fd, addr, sizeof(addr), &port);
 *
 * IPv4-mapped IPv6 addresses are given as IPv4; a UNIX socket (tests
 * that connect that way) counts as 127.0.0.1.  When the address cannot
 * be read: "unknown" and port 0, and -1.
 */
#ifndef HATO_SOCK_ADDR_H
#define HATO_SOCK_ADDR_H

#include <stddef.h>

enum { SOCK_ADDR_MAX = 64 };

int sock_addr_peer(int fd, char *addr, size_t size, unsigned *port_r);
int sock_addr_local(int fd, char *addr, size_t size, unsigned *port_r);

#endif
