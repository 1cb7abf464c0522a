/* dict_proxy - the "proxy:" table type and the proxymap protocol.
 *
 * "proxy:TYPE:NAME" asks the proxymap service (private/proxymap, relative
 * to the queue directory every daemon works in) to look keys up in
 * TYPE:NAME, so that a chrooted daemon can use tables it cannot open
 * itself (unix:passwd.byname, files outside the chroot).  As in Postfix.
 *
 * Protocol (attr.h codec, one connection per client table user):
 *   server hello:  protocol=proxymap version=1
 *   request:       request=lookup table=TYPE:NAME flags=N key=KEY
 *   reply:         status=ok|notfound|retry|bad|deny [value=V] [reason=R]
 * flags carries DICT_FLAG_FOLD_KEY only: proxymap folds keys as the table
 * would when opened directly.  retry is a temporary failure, bad a
 * malformed request, deny a table not listed in proxy_read_maps; all
 * three become -1 (defer) for the client.  Limits: DICT_PROXY_MAX_TABLE
 * and DICT_PROXY_MAX_KEY bytes, DICT_PROXY_MAX_REQUEST per message.
 */
#ifndef HATO_DICT_PROXY_H
#define HATO_DICT_PROXY_H

#define DICT_PROXY_PROTOCOL "proxymap"
#define DICT_PROXY_SOCKET "private/proxymap"

enum {
	DICT_PROXY_VERSION = 1,
	DICT_PROXY_MAX_TABLE = 1024,		/* bytes in "TYPE:NAME" */
	DICT_PROXY_MAX_KEY = 4096,		/* bytes in a key */
	DICT_PROXY_MAX_VALUE = 1024 * 1024,	/* bytes in a value (a reply) */
	DICT_PROXY_MAX_REQUEST = 8192,		/* bytes in one request message */
	DICT_PROXY_TIMEOUT_MS = 30000,		/* one exchange, client side */
};

#endif
