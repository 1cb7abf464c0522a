/* mynetworks - the default of mynetworks, computed from mynetworks_style.
 *
 * host: every local interface address (/32, /128); subnet: the networks
 * of the local interfaces; class: their class A/B/C networks (IPv6 as
 * subnet).  inet_protocols (ipv4, ipv6, all) limits the families.  Output
 * is Postfix's form: "127.0.0.1/32 192.0.2.10/32 [::1]/128".
 */
#ifndef HATO_MYNETWORKS_H
#define HATO_MYNETWORKS_H

#include "buf.h"

/* mynetworks_compute - -1 if style is unknown (host is used then) */
int mynetworks_compute(const char *style, const char *inet_protocols, struct buf *out);

#endif
