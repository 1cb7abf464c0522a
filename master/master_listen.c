/* master_listen - open and close the listening sockets of a service.
 *
 * inet: one socket per address: inet_interfaces (all, loopback-only, or a
 * list of addresses and names) crossed with inet_protocols, unless the
 * master.cf service names a host.  unix: a socket in queue_directory's
 * private/ or public/.  fifo: a FIFO there, opened read-write so that the
 * daemon never sees end-of-file.  Every listener is non-blocking: several
 * processes may wait on one socket and only one wins each connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "log.h"
#include "master.h"
#include "mem.h"

enum { LISTEN_BACKLOG_MIN = 100, LISTEN_BACKLOG_UNLIMITED = 65535 };

static long default_process_limit;	/* of the configuration being opened */

/* backlog - as long a listen queue as the service has processes, and at
 * least default_process_limit (Postfix does the same): a crowd of clients
 * beyond the queue makes Linux answer with SYN cookies, and a client of a
 * server-speaks-first protocol then waits forever for a greeting that
 * never comes (seen with 1000 SMTP clients and a backlog of 100).  The
 * kernel caps it at somaxconn. */
static int backlog(const struct master_service *svc)
{
	long n = default_process_limit;

	if (svc->maxproc <= 0)
		return LISTEN_BACKLOG_UNLIMITED;
	if (svc->maxproc > n)
		n = svc->maxproc;
	return n > LISTEN_BACKLOG_UNLIMITED ? LISTEN_BACKLOG_UNLIMITED :
	       n < LISTEN_BACKLOG_MIN ? LISTEN_BACKLOG_MIN : (int)n;
}

/* add_fd - remember a listener */
static int add_fd(struct master_service *svc, int fd, struct buf *why)
{
	if (svc->nlisten >= MASTER_MAX_LISTEN_FDS) {
		close(fd);
		buf_printf(why, "service %s/%s: more than %d listening sockets", svc->name,
			   svc->type_name, MASTER_MAX_LISTEN_FDS);
		return -1;
	}
	svc->listen_fds[svc->nlisten++] = fd;
	return 0;
}

/* bind_inet - one listening TCP socket for ai */
static int bind_inet(struct master_service *svc, const struct addrinfo *ai, struct buf *why)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];
	int on = 1;
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	if (fd < 0) {
		buf_printf(why, "service %s (master.cf, line %d): socket: %s", svc->name, svc->line, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, backlog(svc)) < 0) {
		buf_printf(why, "service %s (master.cf, line %d): bind %s%s%s port %s: %s", svc->name,
			   svc->line, ai->ai_family == AF_INET6 ? "[" : "", host,
			   ai->ai_family == AF_INET6 ? "]" : "", port, strerror(errno));
		close(fd);
		return -1;
	}
	return add_fd(svc, fd, why);
}

/* split_service - "host:port", "[v6]:port" or "port" into host and port */
static void split_service(const char *name, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon = strrchr(name, ':');

	host[0] = '\0';
	if (colon == NULL) {
		snprintf(port, psize, "%s", name);
		return;
	}
	snprintf(port, psize, "%s", colon + 1);
	if (name[0] == '[' && colon > name + 1 && colon[-1] == ']')
		snprintf(host, hsize, "%.*s", (int)(colon - name - 2), name + 1);
	else
		snprintf(host, hsize, "%.*s", (int)(colon - name), name);
}

/* open_host - every address of one host name or address literal */
static int open_host(struct master_service *svc, const char *host, const char *port, int family,
		     struct buf *why)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_ADDRCONFIG };
	struct addrinfo *res, *ai;
	int rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);

	if (rc != 0) {
		buf_printf(why, "service %s (master.cf, line %d): %s%s%s: %s", svc->name, svc->line,
			   host, *host ? " port " : "port ", port,
			   rc == EAI_SERVICE ? "unknown service name (not in /etc/services)" : gai_strerror(rc));
		return -1;
	}
	for (ai = res, rc = 0; ai && rc == 0; ai = ai->ai_next)
		rc = bind_inet(svc, ai, why);
	freeaddrinfo(res);
	return rc;
}

/* open_inet - sockets for every configured interface and protocol */
static int open_inet(struct master_service *svc, const struct params *cf, struct buf *why)
{
	char host[256], port[64];
	bool v4 = strstr(cf->inet_protocols, "ipv4") || strstr(cf->inet_protocols, "all");
	bool v6 = strstr(cf->inet_protocols, "ipv6") || strstr(cf->inet_protocols, "all");
	int family = v4 && v6 ? AF_UNSPEC : v6 ? AF_INET6 : AF_INET;
	struct strv *ifaces;
	int rc = 0;

	split_service(svc->name, host, sizeof(host), port, sizeof(port));
	if (*host)
		return open_host(svc, host, port, family, why);
	if (strcmp(cf->inet_interfaces, "loopback-only") == 0)
		ifaces = strv_split(family == AF_INET ? "127.0.0.1" : family == AF_INET6 ? "::1"
				    : "127.0.0.1 ::1", " ");
	else if (strcmp(cf->inet_interfaces, "all") == 0)
		ifaces = strv_split("", " ");
	else
		ifaces = strv_split(cf->inet_interfaces, ", \t\n");
	if (ifaces->len == 0)
		rc = open_host(svc, "", port, family, why);
	for (size_t i = 0; i < ifaces->len && rc == 0; i++) {
		const char *h = ifaces->items[i];
		size_t n = strlen(h);

		if (h[0] == '[' && n > 2 && h[n - 1] == ']')
			snprintf(host, sizeof(host), "%.*s", (int)(n - 2), h + 1);
		else
			snprintf(host, sizeof(host), "%s", h);
		rc = open_host(svc, host, port, family, why);
	}
	strv_free(&ifaces);
	return rc;
}

/* open_parent - the directory holding path (public/ or private/, which
 * mail_owner owns), opened without following a symlink; *name_r is the
 * last component.  Every later step works relative to this descriptor,
 * so nothing a mail_owner process does to the names can redirect root. */
static int open_parent(const struct master_service *svc, const char **name_r, struct buf *why)
{
	const char *slash = strrchr(svc->sock_path, '/');
	char *dir = slash ? xstrndup(svc->sock_path, (size_t)(slash - svc->sock_path)) : xstrdup(".");
	int dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	*name_r = slash ? slash + 1 : svc->sock_path;
	if (dfd < 0 || fstat(dfd, &st) < 0 || (st.st_mode & S_IWOTH)) {
		buf_printf(why, "service %s (master.cf, line %d): directory %s: %s", svc->name, svc->line,
			   dir, dfd < 0 ? strerror(errno) : "writable by anyone");
		if (dfd >= 0)
			close(dfd);
		dfd = -1;
	}
	free(dir);
	return dfd;
}

/* bind_in - bind fd to name in directory dfd with mode 0666: master works
 * from inside the directory for the call (it has one thread) and sets the
 * mode through the umask, so no path is resolved or changed afterwards */
static int bind_in(int dfd, int fd, const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc = -1, err;
	mode_t old;

	if (strlen(name) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, name);
	if (here < 0 || fchdir(dfd) < 0) {
		err = errno;
		if (here >= 0)
			close(here);
		errno = err;
		return -1;
	}
	old = umask(0111);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	err = errno;
	umask(old);
	if (fchdir(here) < 0)
		log_fatal("cannot return to the working directory: %m");
	close(here);
	errno = err;
	return rc;
}

/* open_unix - a UNIX stream socket at svc->sock_path, mode 0666 */
static int open_unix(struct master_service *svc, struct buf *why)
{
	const char *name;
	struct stat st;
	int dfd = open_parent(svc, &name, why), fd;

	if (dfd < 0)
		return -1;
	/* a socket left by a master that was killed, or a link put there */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (S_ISSOCK(st.st_mode) || S_ISLNK(st.st_mode)))
		unlinkat(dfd, name, 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind_in(dfd, fd, name) < 0 || listen(fd, backlog(svc)) < 0) {
		buf_printf(why, "service %s (master.cf, line %d): bind %s: %s", svc->name, svc->line,
			   svc->sock_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		close(dfd);
		return -1;
	}
	close(dfd);
	return add_fd(svc, fd, why);
}

/* fifo_at - open name in dfd as master's own FIFO: -1 with errno, or with
 * errno 0 when something else holds the name (a symlink, a FIFO that
 * master did not make, another link to it) */
static int fifo_at(int dfd, const char *name)
{
	struct stat st;
	int fd;

	if (mkfifoat(dfd, name, 0600) < 0 && errno != EEXIST)
		return -1;
	/* O_NONBLOCK: opening a FIFO must not wait; O_NOFOLLOW: never a link */
	fd = openat(dfd, name, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? (errno = 0, -1) : -1;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_uid == geteuid() &&
	    st.st_nlink == 1 && fchmod(fd, 0622) == 0)
		return fd;
	close(fd);
	errno = 0;
	return -1;
}

/* open_fifo - a FIFO at svc->sock_path, held open read-write; a name that
 * is not master's FIFO is removed (in master's directory) and made anew */
static int open_fifo(struct master_service *svc, struct buf *why)
{
	const char *name;
	struct stat st;
	int dfd = open_parent(svc, &name, why), fd = -1, err = 0;

	if (dfd < 0)
		return -1;
	for (int tries = 0; tries < 5; tries++) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISFIFO(st.st_mode) &&
		    !S_ISLNK(st.st_mode)) {
			err = EEXIST;
			break;
		}
		if ((fd = fifo_at(dfd, name)) >= 0 || (err = errno) != 0)
			break;
		unlinkat(dfd, name, 0);
	}
	close(dfd);
	if (fd < 0) {
		buf_printf(why, "service %s (master.cf, line %d): FIFO %s: %s", svc->name, svc->line,
			   svc->sock_path, err == EEXIST ? "exists and is not a FIFO" :
			   err ? strerror(err) : "replaced while being made");
		return -1;
	}
	return add_fd(svc, fd, why);
}

/* master_listen_open - all sockets of one service; -1 leaves none open */
int master_listen_open(struct master_service *svc, const struct params *cf, struct buf *why)
{
	int rc;

	default_process_limit = cf->default_process_limit;
	switch (svc->type) {
	case MT_INET: rc = open_inet(svc, cf, why); break;
	case MT_UNIX: rc = open_unix(svc, why); break;
	case MT_FIFO: rc = open_fifo(svc, why); break;
	default: rc = -1;
	}
	if (rc < 0)
		master_listen_close(svc, false);
	return rc;
}

/* remove_name - unlink the socket or FIFO inside its checked directory */
static void remove_name(const struct master_service *svc)
{
	struct buf *why = buf_new(0);
	const char *name;
	int dfd = open_parent(svc, &name, why);

	if (dfd < 0)
		log_warn("%s", buf_str(why));
	else if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		log_warn("unlink %s: %m", svc->sock_path);
	if (dfd >= 0)
		close(dfd);
	buf_free(&why);
}

/* master_listen_close - close every socket; remove_path also unlinks it */
void master_listen_close(struct master_service *svc, bool remove_path)
{
	for (int i = 0; i < svc->nlisten; i++) {
		ev_off(master.ev, svc->listen_fds[i]);
		close(svc->listen_fds[i]);
	}
	svc->nlisten = 0;
	svc->listening = svc->limit_watch = false;
	if (remove_path && svc->sock_path)
		remove_name(svc);
}
