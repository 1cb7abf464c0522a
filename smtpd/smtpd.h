/* smtpd - private interface of the SMTP server.
 *
 * One process serves one client at a time (SERVER_SINGLE).  The session
 * reads commands through a deadline-bound stream, dispatches them from a
 * table (smtpd_cmd.c), evaluates the restriction lists (smtpd_check*.c)
 * and streams the message to cleanup (smtpd_data.c), answering 250 only
 * after cleanup reports the queue file durable.
 */
#ifndef HATO_SMTPD_H
#define HATO_SMTPD_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "cleanup_client.h"
#include "config.h"
#include "maps.h"
#include "netmatch.h"
#include "params.h"
#include "server.h"
#include "session_id.h"
#include "stream.h"
#include "strv.h"
#include "tls.h"

struct smtpd_sasl_backend;
struct auth_client;

/* process-wide state built once in post_init */
struct smtpd_global {
	const struct params *cf;
	struct config *config;
	struct netmatch *mynetworks;
	struct strv *restrictions[6];	/* by enum smtpd_stage */
	struct maps *local_recipients;	/* NULL: accept any local user */
	struct maps *virtual_mailboxes, *virtual_aliases, *relay_recipients;
	struct strv *mydestination, *relay_domains, *virtual_alias_domains,
		*virtual_mailbox_domains;
	struct strv *classes;		/* smtpd_restriction_classes */
	char *banner;
	struct tls_server *tls;		/* NULL: no STARTTLS (no certificate) */
	bool tls_required;		/* smtpd_tls_security_level = encrypt */
	const struct smtpd_sasl_backend *sasl;	/* NULL: no AUTH */
	struct netmatch *sasl_exceptions;	/* smtpd_sasl_exceptions_networks */
	char *sasl_path;			/* authd: its socket */
	struct auth_client *auth;		/* authd: the process's connection */
	struct maps *sender_logins;		/* smtpd_sender_login_maps */
};

enum smtpd_stage {
	STAGE_CLIENT, STAGE_HELO, STAGE_SENDER, STAGE_RELAY, STAGE_RECIPIENT, STAGE_DATA,
};

struct smtpd_rcpt {
	char *addr;		/* internal form */
	char *orcpt;		/* DSN ORCPT or NULL */
	char *notify;		/* DSN NOTIFY or NULL */
};

/* smtpd_content - the message of the transaction, on its way to cleanup
 * (smtpd_data.c): DATA, or every BDAT chunk of it */
struct smtpd_content {
	long long size;			/* bytes received, line ends included */
	bool too_big;			/* past message_size_limit: not sent on */
};

struct smtpd {
	struct smtpd_global *g;
	struct stream *s;
	struct buf *line;		/* the current command line */
	char addr[64];			/* client address */
	char port[8];
	char session[SESSION_ID_SIZE];	/* in JSON log lines and authd's, not in
					 * Postfix's text lines */
	char *name;			/* verified host name or "unknown" */
	bool name_temp_fail;		/* "unknown" because DNS failed for now */
	char reverse_name[256];		/* PTR name, confirmed or not, or "unknown" */
	bool reverse_temp_fail;		/* "unknown" because the PTR lookup failed */
	char defer_if_permit[3][512];	/* by stage up to sender: smtpd_delay_reject = no */
	char access_denied[512];	/* client refused at connect: every command is 503 */
	bool ill_pipelining;		/* sent commands ahead without EHLO */
	char *helo;			/* NULL before HELO/EHLO */
	const char *protocol;		/* SMTP, ESMTP */
	bool esmtp;
	bool in_mynetworks;		/* cached permit_mynetworks result */
	char *sender;			/* NULL before MAIL */
	struct smtpd_rcpt *rcpts;
	size_t nrcpt, rcpt_cap;
	long long declared_size;
	bool smtputf8;
	char *dsn_ret, *dsn_envid;
	char *queue_id;			/* of the message being received */
	struct cleanup_client *cc;
	int errors;			/* for soft/hard error limits */
	int junk;			/* smtpd_junk_command_limit: since the last message */
	bool probation;			/* on a reserved process: AUTH first */
	const char *last;		/* last command, for "lost connection after X" */
	bool quit;
	struct buf *reply;		/* scratch for reply text */
	struct strv *cleanup_attrs;	/* PREPEND/HOLD/etc. from restrictions */
	int count[16], total;		/* per command, for the disconnect line */
	struct smtpd_content content;	/* the message being received */
	struct buf *bdat;		/* CHUNKING: an unfinished line of it */
	struct strv *rbl_cache;		/* "domain listed|clear txt", per session */
	struct tls_conn *tls;		/* after STARTTLS or with wrappermode */
	bool bdat_active, bdat_failed;
	char *sasl_username, *sasl_method;	/* after a successful AUTH */
	void *sasl_ctx;				/* the SASL back end's session state */
};

/* smtpd_session.c */
void smtpd_session(struct smtpd_global *g, int fd);
void smtpd_reply(struct smtpd *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void smtpd_count_reply(const char *reply);
void smtpd_reset(struct smtpd *st);

/* smtpd_cmd.c */
void smtpd_dispatch(struct smtpd *st, char *cmdline);
void smtpd_cmd_counts(const struct smtpd *st, struct buf *out);

/* smtpd_tls.c */
void smtpd_tls_init(struct smtpd_global *g);
void smtpd_cmd_starttls(struct smtpd *st, char *args);
bool smtpd_tls_wrapper(struct smtpd *st);
bool smtpd_tls_refuse(struct smtpd *st, const char *cmd);

/* smtpd_sasl.c */
void smtpd_sasl_init(struct smtpd_global *g);
void smtpd_sasl_ehlo(struct smtpd *st, struct strv *lines);
void smtpd_cmd_auth(struct smtpd *st, char *args);
void smtpd_sasl_end(struct smtpd *st);
void smtpd_sasl_local_address(struct smtpd *st, char *out, size_t size);

/* smtpd_mail.c */
void smtpd_cmd_mail(struct smtpd *st, char *args);
void smtpd_cmd_rcpt(struct smtpd *st, char *args);

/* smtpd_space.c: queue_minfree */
unsigned long long smtpd_space_needed(long queue_minfree, long size_limit, long long declared);
const char *smtpd_space_check(struct smtpd *st);

/* smtpd_data.c */
void smtpd_cmd_data(struct smtpd *st, char *args);
void smtpd_cleanup_connect(struct smtpd *st, struct buf *why);
void smtpd_cmd_bdat(struct smtpd *st, char *args);

void smtpd_log_reject(struct smtpd *st, const char *stage, const char *reply, const char *rcpt);
void smtpd_log_whatsup(struct smtpd *st, const char *whatsup, const char *stage,
		       const char *reply, const char *rcpt);

/* smtpd_check.c: NULL permit, else the reply text (code included);
 * smtpd_check_connect: the client stage at connect when smtpd_delay_reject
 * = no (also kept in st->access_denied) */
const char *smtpd_check_connect(struct smtpd *st);
const char *smtpd_check_helo(struct smtpd *st);
const char *smtpd_check_sender(struct smtpd *st);
const char *smtpd_check_rcpt(struct smtpd *st, const char *rcpt);
const char *smtpd_check_data(struct smtpd *st);
void smtpd_check_init(struct smtpd_global *g);

/* smtpd_dns.c: 1 yes, 0 no, -1 temporary failure (domain_known: 2 null MX) */
char *smtpd_peer_name(struct smtpd *st);
int smtpd_dns_rbl(struct smtpd *st, const char *query, const char *filter, struct buf *txt);
int smtpd_dns_host_known(struct smtpd *st, const char *name);
int smtpd_dns_domain_known(struct smtpd *st, const char *domain);

/* smtpd_resolve.c */
enum smtpd_domain { DOM_REMOTE, DOM_LOCAL, DOM_VIRTUAL_ALIAS, DOM_VIRTUAL_MAILBOX, DOM_RELAY };
enum smtpd_domain smtpd_domain_class(struct smtpd_global *g, const char *domain);
bool smtpd_is_auth_destination(struct smtpd_global *g, const char *addr);
int smtpd_recipient_known(struct smtpd *st, const char *addr, const char **why_r);

#endif
