/* netmatch - client address match lists, as mynetworks is written.
 *
 *   struct netmatch *m = netmatch_new("mynetworks", "127.0.0.0/8 [::1]/128
 *       !192.0.2.66 192.0.2.0/24 hash:/etc/hato/network_table
 *       /etc/hato/more_networks .example.com", why);
 *   netmatch_match(m, "192.0.2.7", "host.example.com") -> 1, 0 or -1
 *
 * Items: an address or CIDR prefix (IPv6 with or without []), "!item"
 * (a match of it ends the search with no match), "type:table" (the client
 * address, then the host name, is looked up; found means match),
 * "/file/name" (more items, one or more per line, '#' comments; nested
 * files at most 8 deep), and host name patterns ("example.com" matches it
 * and its subdomains, ".example.com" only subdomains).  First match wins.
 * A bad item is an error naming it (and the file and line, for files).
 * -1 from netmatch_match means a table failed: the caller must defer.
 */
#ifndef HATO_NETMATCH_H
#define HATO_NETMATCH_H

#include "buf.h"

struct netmatch;

struct netmatch *netmatch_new(const char *title, const char *list, struct buf *why);
void netmatch_free(struct netmatch **mp);
int netmatch_match(struct netmatch *m, const char *addr, const char *hostname);
const char *netmatch_error(const struct netmatch *m);

#endif
