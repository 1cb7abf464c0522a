/* smtp_connect - sessions: TCP connect, greeting, EHLO (HELO when EHLO
 * is refused), STARTTLS, QUIT; and the one-entry connection cache.
 *
 *   ss = smtp_session_open(g, &addr, rq->nexthop, &why);  // NULL + why
 *   ... transactions ...
 *   smtp_cache_put(g, ss);           // keep it for the next request, or QUIT
 *   ss = smtp_cache_take(g, nexthop) // a live cached session, or NULL
 *
 * Every step has its time limit: smtp_connect_timeout for the TCP
 * handshake, smtp_helo_timeout for the greeting, EHLO and STARTTLS,
 * smtp_quit_timeout for RSET and QUIT.  A 4xx/5xx greeting or a refused
 * EHLO+HELO ends the session, and the caller moves on to the next address.
 * Cache: with smtp_connection_cache_on_demand, a session that is still
 * good after a request stays open, idle, in this process (an unfinished
 * transaction, say every RCPT refused, is ended with RSET first); the next
 * request to the same next hop checks it with RSET and uses it.  It is
 * closed after smtp_connection_cache_time_limit idle by SIGALRM (the
 * process sits in accept() meanwhile; the timer runs only between
 * requests: smtp_cache_hold/idle), at exit, or when a request goes
 * elsewhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "mem.h"
#include "smtp.h"

static struct smtp_session *cached;
static struct smtp_global *cache_owner;
/* the cached socket, for the SIGALRM handler; -1 once it closed it */
static volatile sig_atomic_t cached_fd = -1;
static volatile sig_atomic_t cached_plain;	/* no TLS: QUIT may be written raw */

/* make_sockaddr - the address text and port as a sockaddr; its length, 0 if bad */
static socklen_t make_sockaddr(const struct smtp_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)a->port);
		return inet_pton(AF_INET, a->addr, &sin->sin_addr) == 1 ? sizeof(*sin) : 0;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)a->port);
		return inet_pton(AF_INET6, a->addr, &sin6->sin6_addr) == 1 ? sizeof(*sin6) : 0;
	}
}

/* bind_source - smtp_bind_address / smtp_bind_address6; -1 with errno */
static int bind_source(const struct params *cf, int fd, int family)
{
	struct smtp_addr src = { .family = family };
	struct sockaddr_storage ss;
	socklen_t len;
	const char *text = family == AF_INET ? cf->smtp_bind_address : cf->smtp_bind_address6;

	if (*text == '\0')
		return 0;
	snprintf(src.addr, sizeof(src.addr), "%s", text);
	if ((len = make_sockaddr(&src, &ss)) == 0) {
		errno = EINVAL;
		return -1;
	}
	return bind(fd, (struct sockaddr *)&ss, len);
}

/* wait_connected - the non-blocking connect's outcome; 0, or -1 with errno */
static int wait_connected(int fd, int timeout_s)
{
	int n = deadline_wait(fd, POLLOUT, deadline_in(timeout_s * 1000LL)), err = 0;
	socklen_t len = sizeof(err);

	if (n == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -1;
	errno = err;
	return err ? -1 : 0;
}

/* tcp_connect - a connected non-blocking socket, or -1 with errno */
static int tcp_connect(const struct params *cf, const struct smtp_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sockaddr(a, &ss);
	int fd, saved;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	if (bind_source(cf, fd, a->family) < 0)
		goto fail;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0
	    && (errno != EINPROGRESS || wait_connected(fd, (int)cf->smtp_connect_timeout) < 0))
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* smtp_session_new - a session on a connected socket (nothing said yet) */
struct smtp_session *smtp_session_new(const struct params *cf, int fd, const struct smtp_addr *a,
				      const char *nexthop)
{
	struct smtp_session *ss = xcalloc(1, sizeof(*ss));

	ss->cf = cf;
	ss->fd = fd;
	ss->s = stream_new(fd, (int)cf->smtp_helo_timeout * 1000);
	ss->nexthop = xstrdup(nexthop);
	ss->peer = *a;
	snprintf(ss->label, sizeof(ss->label), "%s[%s]", a->host, a->addr);
	snprintf(ss->relay, sizeof(ss->relay), "%s[%s]:%u", a->host, a->addr, a->port);
	smtp_reply_init(&ss->reply);
	return ss;
}

/* smtp_ehlo_parse - the keywords of an EHLO reply (the first line is the
 * server's name) */
void smtp_ehlo_parse(struct smtp_session *ss)
{
	static const struct { const char *name; unsigned flag; } kw[] = {
		{ "PIPELINING", SMTP_F_PIPELINING }, { "SIZE", SMTP_F_SIZE },
		{ "8BITMIME", SMTP_F_8BITMIME }, { "DSN", SMTP_F_DSN },
		{ "STARTTLS", SMTP_F_STARTTLS }, { "SMTPUTF8", SMTP_F_SMTPUTF8 },
		{ "ENHANCEDSTATUSCODES", SMTP_F_ENHANCED },
	};
	const struct strv *lines = ss->reply.lines;

	ss->features = SMTP_F_ESMTP;
	ss->size_limit = 0;
	for (size_t i = 1; i < lines->len; i++) {
		const char *k = strlen(lines->items[i]) > 4 ? lines->items[i] + 4 : "";
		size_t klen = strcspn(k, " ");

		for (size_t j = 0; j < sizeof(kw) / sizeof(kw[0]); j++)
			if (klen == strlen(kw[j].name) && strncasecmp(k, kw[j].name, klen) == 0)
				ss->features |= kw[j].flag;
		if (klen == 4 && strncasecmp(k, "SIZE", 4) == 0 && k[4] == ' ') {
			char *end;
			long v = strtol(k + 5, &end, 10);

			ss->size_limit = v > 0 && (*end == '\0' || *end == ' ') ? v : 0;
		}
	}
}

/* helo - EHLO, or HELO when EHLO gets a 5xx; 0, or -1 with why */
static int helo(struct smtp_session *ss, struct smtp_why *why)
{
	const struct params *cf = ss->cf;
	int code;

	smtp_cmd(ss, "EHLO %s", cf->smtp_helo_name);
	if (smtp_cmd_flush(ss, (int)cf->smtp_helo_timeout) < 0
	    || (code = smtp_reply_read(ss, (int)cf->smtp_helo_timeout)) < 0) {
		smtp_io_failure(ss, "performing the EHLO handshake", why);
		return -1;
	}
	if (code / 100 == 2) {
		smtp_ehlo_parse(ss);
		return 0;
	}
	if (code / 100 != 5 || ss->broken) {
		smtp_reply_failure(ss, "EHLO", why);
		return -1;
	}
	smtp_cmd(ss, "HELO %s", cf->smtp_helo_name);
	if (smtp_cmd_flush(ss, (int)cf->smtp_helo_timeout) < 0
	    || (code = smtp_reply_read(ss, (int)cf->smtp_helo_timeout)) < 0) {
		smtp_io_failure(ss, "performing the HELO handshake", why);
		return -1;
	}
	if (code / 100 != 2) {
		smtp_reply_failure(ss, "HELO", why);
		return -1;
	}
	ss->features = 0;
	ss->size_limit = 0;
	return 0;
}

/* greeting - the server's 220; 0, or -1 with why.  A 5xx greeting only
 * defers: the next MX may take the mail (smtp_skip_5xx_greeting) */
static int greeting(struct smtp_session *ss, struct smtp_why *why)
{
	int code = smtp_reply_read(ss, (int)ss->cf->smtp_helo_timeout);

	if (code < 0) {
		smtp_io_failure(ss, "receiving the initial server greeting", why);
		return -1;
	}
	if (code / 100 != 2) {
		char dsn[16];

		snprintf(dsn, sizeof(dsn), "4%s", ss->reply.dsn + 1);
		smtp_why_set(why, DELIVER_DEFERRED, dsn, ss->relay, "host %s refused to talk to me: %s",
			     ss->label, buf_str(ss->reply.text));
		ss->broken = true;
		return -1;
	}
	return 0;
}

/* starttls - STARTTLS and EHLO again when offered and wanted; 0 to go
 * on (with or without TLS), -1 with why, -2 when the handshake failed
 * at level "may" (the caller tries again in plain text) */
static int starttls(struct smtp_global *g, struct smtp_session *ss, struct smtp_why *why)
{
	int code;

	if (g->tls_level == SMTP_TLS_NONE)
		return 0;
	if (!(ss->features & SMTP_F_STARTTLS) || g->tls_ctx == NULL) {
		if (g->tls_level == SMTP_TLS_MAY)
			return 0;
		smtp_why_set(why, DELIVER_DEFERRED, "4.7.4", ss->relay,
			     "TLS is required, but %s", g->tls_ctx == NULL
			     ? "TLS could not be initialized here" : "was not offered by host");
		if (g->tls_ctx != NULL)
			buf_printf(why->text, " %s", ss->label);
		return -1;
	}
	smtp_cmd(ss, "STARTTLS");
	if (smtp_cmd_flush(ss, (int)ss->cf->smtp_helo_timeout) < 0
	    || (code = smtp_reply_read(ss, (int)ss->cf->smtp_helo_timeout)) < 0) {
		smtp_io_failure(ss, "sending STARTTLS", why);
		return -1;
	}
	if (code / 100 != 2) {
		if (g->tls_level == SMTP_TLS_MAY && !ss->broken)
			return 0;
		smtp_reply_failure(ss, "STARTTLS", why);
		why->status = DELIVER_DEFERRED;
		why->dsn[0] = '4';
		return -1;
	}
	if (smtp_tls_start(g, ss, why) < 0) {
		ss->broken = true;
		return g->tls_level == SMTP_TLS_MAY ? -2 : -1;
	}
	return helo(ss, why);
}

/* smtp_session_start - greeting, EHLO/HELO and (try_tls) STARTTLS; 0,
 * -1 with why, or -2 when a handshake failed at level "may" */
int smtp_session_start(struct smtp_global *g, struct smtp_session *ss, bool try_tls,
		       struct smtp_why *why)
{
	if (greeting(ss, why) < 0 || helo(ss, why) < 0)
		return -1;
	return try_tls ? starttls(g, ss, why) : 0;
}

/* open_once - connect and say hello; NULL with why (*tls_failed_r when a
 * "may" TLS handshake failed) */
static struct smtp_session *open_once(struct smtp_global *g, const struct smtp_addr *a,
				      const char *nexthop, bool try_tls, struct smtp_why *why,
				      bool *tls_failed_r)
{
	struct smtp_session *ss;
	int fd = tcp_connect(g->cf, a), rc;

	if (fd < 0) {
		smtp_why_set(why, DELIVER_DEFERRED, "4.4.1", "none", "connect to %s[%s]:%u: %s",
			     a->host, a->addr, a->port, strerror(errno));
		return NULL;
	}
	ss = smtp_session_new(g->cf, fd, a, nexthop);
	if ((rc = smtp_session_start(g, ss, try_tls, why)) < 0) {
		*tls_failed_r = rc == -2;
		smtp_session_close(&ss, !ss->broken);
		return NULL;
	}
	return ss;
}

/* smtp_session_open - a ready session with a (EHLO done, TLS if wanted);
 * NULL with why */
struct smtp_session *smtp_session_open(struct smtp_global *g, const struct smtp_addr *a,
				       const char *nexthop, struct smtp_why *why)
{
	bool tls_failed = false;
	struct smtp_session *ss = open_once(g, a, nexthop, true, why, &tls_failed);

	if (ss == NULL && tls_failed) {
		log_info("%s: TLS failed, trying again without TLS (smtp_tls_security_level = may): %s",
			 a->addr, buf_str(why->text));
		ss = open_once(g, a, nexthop, false, why, &tls_failed);
	}
	return ss;
}

/* smtp_session_close - QUIT (when asked and still possible), then release */
void smtp_session_close(struct smtp_session **ssp, bool quit)
{
	struct smtp_session *ss = *ssp;

	if (ss == NULL)
		return;
	if (quit && !ss->broken && ss->fd >= 0) {
		smtp_cmd(ss, "QUIT");
		if (smtp_cmd_flush(ss, (int)ss->cf->smtp_quit_timeout) == 0)
			(void)smtp_reply_read(ss, (int)ss->cf->smtp_quit_timeout);
	}
	tls_conn_close(&ss->tls, ss->fd < 0);
	if (ss->fd >= 0)
		close(ss->fd);
	stream_free(&ss->s);
	smtp_reply_free(&ss->reply);
	free(ss->nexthop);
	free(ss);
	*ssp = NULL;
}

/* on_alarm - the cached session idled too long: QUIT (plain text only:
 * a raw write would break a TLS stream) and close */
static void on_alarm(int sig)
{
	int fd = cached_fd;

	(void)sig;
	if (fd < 0)
		return;
	if (cached_plain && write(fd, "QUIT\r\n", 6) < 0) {
		/* the peer is gone: nothing to tell it */
	}
	close(fd);
	cached_fd = -1;
}

/* cache_drop - forget the cached session, closing it unless the alarm did */
static void cache_drop(bool quit)
{
	alarm(0);
	if (cached == NULL)
		return;
	if (cached_fd < 0)
		cached->fd = -1;	/* the alarm closed it; the number may be reused */
	cached_fd = -1;
	smtp_session_close(&cached, quit);
}

/* at_exit - a cached session ends with QUIT */
static void at_exit(void)
{
	cache_drop(true);
}

/* smtp_cache_init - the alarm handler and the exit hook */
void smtp_cache_init(struct smtp_global *g)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	cache_owner = g;
	atexit(at_exit);
}

/* smtp_cache_hold - a request begins: the idle timer stops (it must not
 * interrupt the request's own I/O) */
void smtp_cache_hold(void)
{
	alarm(0);
}

/* smtp_cache_idle - the request is done: the cached session (if any)
 * may idle for smtp_connection_cache_time_limit */
void smtp_cache_idle(struct smtp_global *g)
{
	if (cached == NULL)
		return;
	gettimeofday(&cached->idle_since, NULL);
	alarm((unsigned)g->cf->smtp_connection_cache_time_limit);
}

/* rset - end an unfinished transaction now, so that the server forgets
 * it (and its partial state) while the session idles; 0 or -1 */
static int rset(struct smtp_session *ss)
{
	int tmo = (int)ss->cf->smtp_quit_timeout;

	smtp_cmd(ss, "RSET");
	if (smtp_cmd_flush(ss, tmo) < 0 || smtp_reply_read(ss, tmo) / 100 != 2) {
		ss->broken = true;
		return -1;
	}
	ss->dirty = false;
	return 0;
}

/* smtp_cache_put - keep ss for the next request when it is healthy and
 * caching is on (replacing what was kept); otherwise QUIT.  ss is taken
 * either way.  The idle timer starts with smtp_cache_idle. */
void smtp_cache_put(struct smtp_global *g, struct smtp_session *ss)
{
	cache_drop(true);
	if (!g->cf->smtp_connection_cache_on_demand || ss->broken || cache_owner != g
	    || (ss->dirty && rset(ss) < 0)) {
		smtp_session_close(&ss, true);
		return;
	}
	cached = ss;
	cached_plain = ss->tls == NULL;
	cached_fd = ss->fd;
}

/* smtp_cache_take - the cached session when it is for nexthop, young
 * enough and answers RSET; NULL otherwise (the old one is closed) */
struct smtp_session *smtp_cache_take(struct smtp_global *g, const char *nexthop)
{
	struct smtp_session *ss;
	struct timeval now;

	if (cached == NULL || cached_fd < 0 || strcmp(cached->nexthop, nexthop) != 0) {
		cache_drop(true);
		return NULL;
	}
	gettimeofday(&now, NULL);
	if (now.tv_sec - cached->idle_since.tv_sec > g->cf->smtp_connection_cache_time_limit) {
		cache_drop(true);
		return NULL;
	}
	ss = cached;
	cached = NULL;
	cached_fd = -1;
	if (rset(ss) < 0) {
		log_info("cached connection to %s is no longer usable", ss->relay);
		smtp_session_close(&ss, false);
		return NULL;
	}
	return ss;
}
