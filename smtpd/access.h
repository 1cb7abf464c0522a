/* access - access(5) tables: the lookup order for clients, HELO names and
 * addresses, and the meaning of a result.  smtpd only calls these.
 *
 * Client: the host name ("unknown" when it has none, as in Postfix), then
 * its parent domains; then the address, then
 * its prefixes ("1.2.3.4", "1.2.3", "1.2", "1"; IPv6 drops 16-bit groups).
 * HELO: the name and its parent domains.  Address (sender or recipient):
 * "user+ext@domain", "user@domain", the domain and its parents, then
 * "user+ext@", "user@"; the null sender is looked up as "<>".  Parent
 * domains are looked up as "example.com" when parent_domain_matches_
 * subdomains lists smtpd_access_maps (the default), else as ".example.com".
 * Lookups return 1 found (value and the key that matched), 0 not found, -1
 * temporary error (the caller answers 451 4.3.0, never "not found").
 * access_parse_action() classifies a result: OK, REJECT [text], 4xx/5xx
 * text, DUNNO, HOLD, DISCARD, DEFER..., PREPEND, WARN, restriction names.
 */
#ifndef HATO_ACCESS_H
#define HATO_ACCESS_H

#include <stdbool.h>

#include "buf.h"
#include "dict.h"

struct access_opts {
	bool parent_matches_subdomains;
	const char *recipient_delimiter;	/* "" or NULL: none */
	const char *null_key;			/* smtpd_null_access_lookup_key */
};

enum access_kind {
	ACCESS_OK, ACCESS_REJECT, ACCESS_DEFER, ACCESS_DEFER_IF_REJECT,
	ACCESS_DEFER_IF_PERMIT, ACCESS_DUNNO, ACCESS_HOLD, ACCESS_DISCARD,
	ACCESS_FILTER, ACCESS_REDIRECT, ACCESS_PREPEND, ACCESS_WARN, ACCESS_INFO,
	ACCESS_BCC, ACCESS_CODE, ACCESS_RESTRICTIONS,
};

struct access_action {
	enum access_kind kind;
	int code;		/* ACCESS_CODE: the 4xx/5xx number; else 0 */
	const char *text;	/* what follows the action word, may be "" */
};

int access_client(struct dict *d, const struct access_opts *o, const char *hostname,
		  const char *addr, const char **value_r, struct buf *key_r);
int access_helo(struct dict *d, const struct access_opts *o, const char *helo,
		const char **value_r, struct buf *key_r);
int access_address(struct dict *d, const struct access_opts *o, const char *address,
		   const char **value_r, struct buf *key_r);
void access_parse_action(const char *value, struct access_action *a);

#endif
