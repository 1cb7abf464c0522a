/* smtp - the SMTP client delivery agent: private interface.
 *
 * One request from qmgr (deliver.h) per connection: the next hop is
 * turned into addresses (smtp_addr.c: "[host]:port" without MX lookup,
 * "host:port" or a domain with MX lookup and A/AAAA fallback), each
 * address is tried in order (smtp_connect.c: TCP connect, greeting,
 * EHLO/HELO, optional STARTTLS in smtp_tls.c) until every recipient has
 * a final result, the transaction runs over the session (smtp_trans.c:
 * MAIL, RCPT, DATA with PIPELINING, SIZE, 8BITMIME, DSN; the content from
 * the queue file in smtp_data.c), and replies are read by smtp_chat.c.
 * smtp_agent.c ties it together, logs Postfix's per-recipient line and
 * keeps one idle session for the next request to the same next hop.
 * Trust: the remote server is untrusted (replies are bounded in length
 * and line count, every wait has a deadline); the request and queue file
 * come from qmgr and cleanup but are checked anyway.
 */
#ifndef HATO_SMTP_H
#define HATO_SMTP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>

#include "buf.h"
#include "deliver.h"
#include "params.h"
#include "qfile.h"
#include "stream.h"
#include "strv.h"
#include "tls.h"

enum {
	SMTP_PORT = 25,
	SMTP_REPLY_LINE_MAX = 2048,	/* bytes of one reply line kept */
	SMTP_REPLY_LINES_MAX = 100,	/* lines of one reply */
	SMTP_REPLY_TEXT_MAX = 4096,	/* bytes of a reply kept for the log */
	SMTP_PIPELINE_BATCH = 100,	/* RCPTs written before reading replies */
	SMTP_DATA_FLUSH = 64 * 1024,	/* content bytes buffered before a write */
	SMTP_HOST_MAX = 256,		/* host names, including the NUL */
	SMTP_ADDR_TEXT = 64,		/* address text, including the NUL */
	SMTP_LABEL_MAX = SMTP_HOST_MAX + SMTP_ADDR_TEXT + 4,	/* "host[addr]" */
	SMTP_RELAY_MAX = SMTP_LABEL_MAX + 8,			/* "host[addr]:port" */
};

/* what the server said it supports (EHLO keywords) */
enum smtp_feature {
	SMTP_F_ESMTP = 1 << 0,
	SMTP_F_PIPELINING = 1 << 1,
	SMTP_F_SIZE = 1 << 2,
	SMTP_F_8BITMIME = 1 << 3,
	SMTP_F_DSN = 1 << 4,
	SMTP_F_STARTTLS = 1 << 5,
	SMTP_F_SMTPUTF8 = 1 << 6,
	SMTP_F_ENHANCED = 1 << 7,
};

/* smtp_tls_security_level */
enum smtp_tls_level { SMTP_TLS_NONE, SMTP_TLS_MAY, SMTP_TLS_ENCRYPT };

/* the parsed next hop */
struct smtp_nexthop {
	char host[SMTP_HOST_MAX];	/* domain, host name or address text */
	unsigned port;
	bool literal;			/* [host]: no MX lookup */
};

/* one address to try */
struct smtp_addr {
	char host[SMTP_HOST_MAX];	/* "mx1.example.org", or the address */
	char addr[SMTP_ADDR_TEXT];	/* "192.0.2.1", "2001:db8::1" */
	int family;			/* AF_INET or AF_INET6 */
	unsigned port;
};

struct smtp_addr_list {
	struct smtp_addr *v;
	size_t n;
};

/* a reply: code, enhanced status, and the whole text for the log */
struct smtp_reply {
	int code;			/* 250; 0 when none could be read */
	char dsn[16];			/* "2.0.0": the server's, or by class */
	struct buf *text;		/* "550 5.1.1 no such user", lines joined with " " */
	struct strv *lines;		/* the same, one line each (EHLO keywords) */
};

/* one connection to a server */
struct smtp_session {
	const struct params *cf;
	int fd;
	struct stream *s;
	char *nexthop;			/* the request's next hop: the cache key */
	struct smtp_addr peer;
	char label[SMTP_LABEL_MAX];	/* "host[addr]" */
	char relay[SMTP_RELAY_MAX];	/* "host[addr]:port" */
	unsigned features;		/* enum smtp_feature */
	long size_limit;		/* SIZE from EHLO, 0: none announced */
	int uses;			/* transactions so far */
	bool broken;			/* I/O failed or 421: not reusable */
	bool dirty;			/* MAIL sent, transaction not ended: RSET first */
	struct timeval idle_since;	/* when it went into the cache */
	struct tls_conn *tls;		/* NULL: plain text */
	struct smtp_reply reply;	/* the last reply read */
};

struct smtp_global {
	const struct params *cf;
	enum smtp_tls_level tls_level;
	struct tls_client *tls_ctx;	/* NULL without TLS */
};

/* how one recipient stands during a request */
enum smtp_rcpt_state { SMTP_RCPT_PENDING, SMTP_RCPT_ACCEPTED, SMTP_RCPT_FINAL };

/* a reason that applies to recipients still pending */
struct smtp_why {
	enum deliver_status status;
	char dsn[16];
	char relay[SMTP_RELAY_MAX];	/* "host[addr]:port", or "none" */
	struct buf *text;
};

/* one request */
struct smtp_deliv {
	struct smtp_global *g;
	struct deliver_request *rq;
	struct qfile *qf;
	enum smtp_rcpt_state *state;	/* per recipient */
	size_t pending;			/* recipients not final */
	long size;			/* content bytes ("\n" line ends) */
	int eightbit;			/* -1 not scanned yet, 0, 1 */
	bool smtputf8;			/* the envelope has 8-bit addresses */
	bool smtputf8_asked;		/* the sender's client said SMTPUTF8 */
	struct timeval started, ready, done;	/* request, session ready, finished */
	struct smtp_why last;		/* for recipients left pending */
};

/* smtp_addr.c */
int smtp_nexthop_parse(const char *nexthop, struct smtp_nexthop *nh, struct buf *why);
int smtp_addr_resolve(const struct params *cf, const struct smtp_nexthop *nh,
		      struct smtp_addr_list *list, struct smtp_why *why);
void smtp_addr_list_free(struct smtp_addr_list *list);

/* smtp_chat.c */
void smtp_reply_init(struct smtp_reply *r);
void smtp_reply_free(struct smtp_reply *r);
int smtp_reply_read(struct smtp_session *ss, int timeout_s);
int smtp_reply_parse_line(const char *line, size_t len, int *code_r, bool *more_r);
void smtp_reply_dsn(const char *text, int code, char dsn[16]);
void smtp_cmd(struct smtp_session *ss, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int smtp_cmd_flush(struct smtp_session *ss, int timeout_s);
void smtp_io_failure(struct smtp_session *ss, const char *while_what, struct smtp_why *why);
void smtp_reply_failure(struct smtp_session *ss, const char *in_reply_to, struct smtp_why *why);
void smtp_why_set(struct smtp_why *why, enum deliver_status st, const char *dsn,
		  const char *relay, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void xtext_encode(struct buf *out, const char *s);
void xtext_decode(struct buf *out, const char *s);

/* smtp_connect.c */
struct smtp_session *smtp_session_new(const struct params *cf, int fd, const struct smtp_addr *a,
				      const char *nexthop);
int smtp_session_start(struct smtp_global *g, struct smtp_session *ss, bool try_tls,
		       struct smtp_why *why);
struct smtp_session *smtp_session_open(struct smtp_global *g, const struct smtp_addr *a,
				       const char *nexthop, struct smtp_why *why);
void smtp_session_close(struct smtp_session **ssp, bool quit);
void smtp_cache_put(struct smtp_global *g, struct smtp_session *ss);
struct smtp_session *smtp_cache_take(struct smtp_global *g, const char *nexthop);
void smtp_cache_init(struct smtp_global *g);
void smtp_cache_hold(void);
void smtp_cache_idle(struct smtp_global *g);
void smtp_ehlo_parse(struct smtp_session *ss);

/* smtp_trans.c */
void smtp_transaction(struct smtp_deliv *d, struct smtp_session *ss, bool final);
void smtp_rcpt_final(struct smtp_deliv *d, size_t i, enum deliver_status st, const char *dsn,
		     const char *relay, const char *text, int conn_use);

/* smtp_data.c */
int smtp_data_scan(struct smtp_deliv *d, struct buf *why);
int smtp_data_send(struct smtp_deliv *d, struct smtp_session *ss);
bool smtp_has_8bit(const char *s, size_t len);

/* smtp_tls.c */
struct tls_client *smtp_tls_ctx_new(const struct params *cf);
int smtp_tls_start(struct smtp_global *g, struct smtp_session *ss, struct smtp_why *why);

/* smtp_agent.c */
void smtp_agent_serve(struct smtp_global *g, int fd);
void smtp_log_rcpt(const struct smtp_deliv *d, size_t i, const char *relay, int conn_use);

#endif
