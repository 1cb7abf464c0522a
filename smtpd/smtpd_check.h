/* smtpd_check - internals shared by the restriction code (smtpd_check*.c).
 * A restriction returns CHECK_DUNNO (go on), CHECK_PERMIT (this stage
 * accepts), CHECK_REJECT or CHECK_DEFER (with c->reply set).  A temporary
 * failure that must not hide a later REJECT is kept aside as Postfix's
 * defer_if_permit (c->dip: given only if every list ends in permit);
 * defer_if_reject (c->dir) turns a later 5xx of the same list into it. */
#ifndef HATO_SMTPD_CHECK_H
#define HATO_SMTPD_CHECK_H

#include "smtpd.h"

enum { CHECK_DUNNO, CHECK_PERMIT, CHECK_REJECT, CHECK_DEFER };

struct check {
	struct smtpd *st;
	enum smtpd_stage stage;
	const char *rcpt;	/* RCPT stages only */
	struct buf *reply;
	struct buf *what;
	struct buf *dip;	/* defer_if_permit reply; empty: none */
	struct buf *dir;	/* defer_if_reject reply; empty: none */
	bool warn_only;		/* warn_if_reject: this restriction only logs */
	const char *class;	/* NULL, or a reply class other than the stage's */
	int depth;		/* restriction class nesting */
};

struct dict *check_table(const char *spec);
int check_refuse(struct check *c, int code, const char *dsn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int check_defer_if(struct check *c, struct buf *slot, int code, const char *dsn,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int check_tempfail(struct check *c, const char *action, int code, const char *dsn,
		   const char *what, const char *text);
const char *check_class(const struct check *c);
int check_reply_plain(struct check *c, int code, const char *dsn, const char *what,
		      const char *text);
int check_reply(struct check *c, int code, const char *dsn, const char *what, const char *text);
int check_temp(struct check *c, const char *what, const char *why);
const char *check_what(struct check *c);
int check_access_result(struct check *c, const char *value, const char *what);
int check_list(struct check *c, const struct strv *list);
/* smtpd_check_one.c: the restriction at list->items[*i]; may consume an argument */
int check_one(struct check *c, const struct strv *list, size_t *i);
/* smtpd_resolve.c */
int check_unlisted(struct check *c, const char *rcpt);
void check_resolve_init(struct smtpd_global *g);

/* smtpd_check_name.c: name syntax and DNS-based restrictions */
int check_non_fqdn_sender(struct check *c, const char *arg);
int check_non_fqdn_recipient(struct check *c, const char *arg);
int check_non_fqdn_helo(struct check *c, const char *arg);
int check_invalid_helo(struct check *c, const char *arg);
int check_unknown_helo(struct check *c, const char *arg);
int check_unknown_client(struct check *c, const char *arg);
int check_unknown_sender_domain(struct check *c, const char *arg);
int check_unknown_recipient_domain(struct check *c, const char *arg);
int check_rbl_client(struct check *c, const char *arg);
int check_dnswl_client(struct check *c, const char *arg);
int check_rhswl_client(struct check *c, const char *arg);
int check_rhsbl_client(struct check *c, const char *arg);
int check_rhsbl_reverse_client(struct check *c, const char *arg);
int check_rhsbl_helo(struct check *c, const char *arg);
int check_rhsbl_sender(struct check *c, const char *arg);
int check_rhsbl_recipient(struct check *c, const char *arg);
int check_unknown_reverse_client(struct check *c, const char *arg);

/* smtpd_check_login.c: smtpd_sender_login_maps */
void check_login_init(struct smtpd_global *g);
int check_sender_login_mismatch(struct check *c, const char *arg);
int check_authenticated_sender_login_mismatch(struct check *c, const char *arg);
int check_unauthenticated_sender_login_mismatch(struct check *c, const char *arg);
int check_known_sender_login_mismatch(struct check *c, const char *arg);
#endif
