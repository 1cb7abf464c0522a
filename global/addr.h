/* addr - mail addresses: RFC 5321 paths (MAIL FROM/RCPT TO), RFC 5322
 * address lists (From:/To:/Cc:/Bcc:, sendmail -t), quoting between the
 * internal form (local part unquoted) and the external form, and
 * recipient_delimiter extensions.
 *
 *   struct addr_path p;
 *   int n = addr_parse_path(arg, len, ADDR_F_ALLOW_NULL, &p, why);
 *   if (n < 0) reply("501 5.1.7 Bad sender address syntax");
 *   else { parse_esmtp_params(arg + n); ...; addr_path_free(&p); }
 *
 * Paths: <>, <local@domain>, <@route,@route:local@domain> (the route is
 * dropped; had_route says there was one), quoted local parts, [IPv4] and
 * [IPv6:...] literals; UTF-8 only with ADDR_F_SMTPUTF8; user@domain without
 * brackets only with ADDR_F_LENIENT.  Limits (RFC 5321 4.5.3.1): local part
 * 64 octets, domain 255, path 256, as sent.  The domain is kept as sent: a
 * trailing dot is accepted but flagged for relay control to refuse.
 * Errors: -1 and a short reason in why, fit for a 501 reply.
 * Trust boundary: every input comes from the network or from a user's
 * message; nothing is trusted, NUL bytes and control characters included.
 */
#ifndef HATO_ADDR_H
#define HATO_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "strv.h"

enum addr_flags {
	ADDR_F_ALLOW_NULL = 1 << 0,	/* accept <> (MAIL FROM) */
	ADDR_F_SMTPUTF8 = 1 << 1,	/* UTF-8 in local part and domain */
	ADDR_F_LENIENT = 1 << 2,	/* strict_rfc821_envelopes = no */
	ADDR_F_POSTMASTER = 1 << 3,	/* accept <Postmaster> without domain */
};

enum {
	ADDR_MAX_LOCAL = 64,
	ADDR_MAX_DOMAIN = 255,
	ADDR_MAX_PATH = 256,
	ADDR_MAX_LIST = 10000,		/* addresses per header value */
	ADDR_MAX_COMMENT_DEPTH = 32,
};

struct addr_path {
	char *local;		/* unquoted; "" for <> */
	char *domain;		/* as sent; "" for <> and <Postmaster> */
	bool null;		/* <> */
	bool had_route;		/* a source route was dropped */
	bool quoted_local;	/* the local part was a quoted string */
	bool trailing_dot;	/* "user@example.com." */
	bool literal;		/* [1.2.3.4] or [IPv6:...] */
};

/* SMTP paths.  The text after the path must be empty or start with a
 * space (ESMTP parameters); the return value is where it starts.  With
 * ADDR_F_LENIENT, leading spaces, a missing domain and obsolete dots in
 * the local part ("a..b", "a.") are accepted too. */
int addr_parse_path(const char *s, size_t len, int flags, struct addr_path *p,
		    struct buf *why);
void addr_path_free(struct addr_path *p);
char *addr_domain_fold(char *domain);
bool addr_local_has_routing(const char *local);

/* Quoting: addr_unquote(addr_quote_local(x)) == x for every string x;
 * addr_internal(addr_external(local, domain)) == "local@domain". */
void addr_quote_local(struct buf *out, const char *local);
int addr_unquote(struct buf *out, const char *s, size_t len, struct buf *why);
void addr_external(struct buf *out, const char *local, const char *domain);
int addr_internal(struct buf *out, const char *external, struct buf *why);

/* recipient_delimiter: split "user+tag" at the first of delims; false
 * (both outputs NULL) when there is none, the base would be empty, or, as
 * Postfix does, for '-' in "owner-list" and "list-request". */
bool addr_split_ext(const char *local, const char *delims, char **base_r,
		    char **ext_r);

/* RFC 5322 address lists: appends each addr-spec in internal form to out
 * and returns how many, or -1 (out unchanged).  A bare local part without
 * domain is returned as is, for the caller to append $myorigin. */
int addr_list_parse(const char *hdr_value, size_t len, struct strv *out,
		    struct buf *why);

#endif
