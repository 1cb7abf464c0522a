/* server - the daemon skeleton; see server.h.
 * Trust: arguments and the environment come from master (root); clients
 * come from the network and are handed to the daemon's service function.
 * Stress: a daemon with .stress gets two parameter sets at start-up, as
 * configured and evaluated with stress=yes (unless master started it with
 * -o stress=yes already); server_stress_update switches to the second once
 * master's stress pipe (MASTER_STRESS_FD) is readable.  A hang-up of that
 * pipe without its byte means master dropped it on reload: no stress. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config.h"
#include "dns.h"
#include "ev.h"
#include "log.h"
#include "master_proto.h"
#include "mem.h"
#include "metrics.h"
#include "privdrop.h"
#include "selfpid.h"
#include "server.h"
#include "strv.h"

static struct {
	struct server_info info;
	int listen_fds[MASTER_MAX_LISTEN_FDS];
	int nlisten;
	bool unpriv, chroot;
	struct strv *overrides;
	struct strv *args;
	const struct params *cf_stress;	/* evaluated with stress=yes */
	int stress_fd;			/* MASTER_STRESS_FD, or -1 */
	bool stressed;			/* info.cf is cf_stress */
} srv = { .stress_fd = -1 };

/* set by SIGHUP: master reloaded; finish the current client, then exit */
static volatile sig_atomic_t retired;

/* on_hup - master reloaded the configuration */
static void on_hup(int sig)
{
	(void)sig;
	retired = 1;
}

/* status - one line to master; lost status (no master) is harmless */
static void status(char what)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%c %ld\n", what, (long)self_pid());

	if (write(MASTER_STATUS_FD, line, (size_t)n) < 0 && errno != EBADF) {
		/* master is gone; the loops notice through the parent check */
	}
}

/* server_status_busy - a client is being served */
void server_status_busy(void)
{
	status('B');
}

/* server_status_idle - ready for another client */
void server_status_idle(void)
{
	status('I');
}

/* usage - bad arguments from master are a bug in master.cf or in master */
static void usage(const char *prog)
{
	log_fatal("usage: %s -n service -t type [-u] [-c] [-o name=value] [-v] [args...]", prog);
}

/* parse_args - master's options; the rest are the service's arguments */
static void parse_args(int argc, char **argv)
{
	int ch;

	srv.overrides = strv_new();
	srv.args = strv_new();
	srv.info.service = "";
	srv.info.type = "";
	while ((ch = getopt(argc, argv, "+n:t:uco:vD")) != -1) {
		switch (ch) {
		case 'n': srv.info.service = optarg; break;
		case 't': srv.info.type = optarg; break;
		case 'u': srv.unpriv = true; break;
		case 'c': srv.chroot = true; break;
		case 'o': strv_add(srv.overrides, optarg); break;
		case 'v': log_set_verbose(log_verbose_level() + 1); break;
		case 'D': break;
		default: usage(argv[0]);
		}
	}
	for (int i = optind; i < argc; i++)
		strv_add(srv.args, argv[i]);
	srv.info.args = srv.args->items;
}

/* read_params - main.cf plus the -o overrides (plus extra, if not NULL)
 * into const params; the config itself into *c_r */
static const struct params *read_params(const char *extra, struct config **c_r)
{
	struct buf *why = buf_new(0);
	struct config *c = config_read(config_dir(NULL), CONFIG_QUIET, why);
	const struct params *cf = NULL;

	for (size_t i = 0; c && i < srv.overrides->len; i++)
		if (config_override(c, srv.overrides->items[i], why) < 0)
			log_fatal("service %s: bad -o %s: %s", srv.info.service,
				  srv.overrides->items[i], buf_str(why));
	if (c && extra && config_override(c, extra, why) < 0)
		log_fatal("service %s: %s: %s", srv.info.service, extra, buf_str(why));
	if (c == NULL || config_validate(c, why) < 0 || (cf = config_params(c, why)) == NULL)
		log_fatal("%s", buf_str(why));
	*c_r = c;
	buf_free(&why);
	return cf;
}

/* load_config - the parameters; for a stress-aware daemon, the stressed
 * set too (read now: main.cf may be out of reach after the chroot) */
static void load_config(const struct server_opts *opts)
{
	struct config *c;

	srv.info.cf = read_params(NULL, &srv.info.config);
	srv.stressed = *srv.info.cf->stress != '\0';
	srv.cf_stress = srv.info.cf;
	if (opts->stress && !srv.stressed)
		srv.cf_stress = read_params("stress=yes", &c);	/* c: kept with it */
}

/* inherit_stress - the stress pipe and the process limit from master */
static void inherit_stress(const struct server_opts *opts)
{
	const char *limit = getenv(MASTER_ENV_MAXPROC);

	srv.info.maxproc = limit ? atoi(limit) : 0;
	if (getenv(MASTER_ENV_STRESS) == NULL)
		return;
	if (opts->stress && !srv.stressed) {
		srv.stress_fd = MASTER_STRESS_FD;
		(void)fcntl(srv.stress_fd, F_SETFD, FD_CLOEXEC);
	} else {
		close(MASTER_STRESS_FD);
	}
}

/* server_stress_update - the daemon's parameters now: once master has
 * declared stress, those evaluated with stress=yes; NULL outside a daemon */
const struct params *server_stress_update(void)
{
	struct pollfd pfd = { .fd = srv.stress_fd, .events = POLLIN };

	if (srv.stress_fd < 0 || poll(&pfd, 1, 0) <= 0)
		return srv.info.cf;
	close(srv.stress_fd);
	srv.stress_fd = -1;
	if (pfd.revents & POLLIN) {
		srv.stressed = true;
		srv.info.cf = srv.cf_stress;
		log_info("service %s: master reports every process busy: stress=yes settings apply",
			 srv.info.service);
	}
	return srv.info.cf;
}

/* server_stress_params - the parameters evaluated with stress=yes (for a
 * daemon with .stress; else the only ones), NULL outside a daemon */
const struct params *server_stress_params(void)
{
	return srv.cf_stress;
}

/* server_stress_fd - what turns readable when master declares stress, -1
 * when there is nothing left to watch */
int server_stress_fd(void)
{
	return srv.stress_fd;
}

/* resolve_run_ids - the user and group the service will run as */
static void resolve_run_ids(void)
{
	struct passwd *pw;

	srv.info.run_uid = geteuid();
	srv.info.run_gid = getegid();
	if (geteuid() == 0 && srv.unpriv && (pw = getpwnam(srv.info.cf->mail_owner)) != NULL) {
		srv.info.run_uid = pw->pw_uid;
		srv.info.run_gid = pw->pw_gid;
	}
}

/* open_log - maillog_file (through master's log sink when it gave one) or
 * syslog, in maillog_format */
static void open_log(void)
{
	const struct params *cf = srv.info.cf;
	const char *err = NULL;
	enum log_format fmt = strcmp(cf->maillog_format, "json") == 0 ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT;
	int dests = *cf->maillog_file ? LOG_DEST_FILE : LOG_DEST_SYSLOG;

	if (isatty(STDERR_FILENO))
		dests |= LOG_DEST_STDERR;
	if (*cf->maillog_file && getenv(MASTER_ENV_LOG)
	    && fcntl(MASTER_LOG_FD, F_SETFD, FD_CLOEXEC) == 0) {	/* master writes the file */
		log_open_fd(MASTER_LOG_FD, dests, fmt, cf->syslog_name);
		return;
	}
	if (log_open(dests, cf->maillog_file, fmt, cf->syslog_name, &err) < 0)
		log_fatal("open maillog_file %s: %s", cf->maillog_file, err);
}

/* inherit_listeners - the sockets master passed at MASTER_LISTEN_FD.. */
static void inherit_listeners(void)
{
	const char *env = getenv(MASTER_ENV_LISTEN_FDS);
	int n = env ? atoi(env) : 0;
	struct stat st;

	if (n < 0 || n > MASTER_MAX_LISTEN_FDS)
		log_fatal("bad %s=%s", MASTER_ENV_LISTEN_FDS, env);
	for (int i = 0; i < n; i++) {
		if (fstat(MASTER_LISTEN_FD + i, &st) < 0)
			log_fatal("listen fd %d: %m", MASTER_LISTEN_FD + i);
		srv.listen_fds[srv.nlisten++] = MASTER_LISTEN_FD + i;
	}
	if (srv.nlisten == 0)
		log_fatal("service %s: no listening socket from master", srv.info.service);
}

/* drop_to_login_user - a login process: default_login_user in the
 * directory of the sockets it connects to, which holds nothing else */
static void drop_to_login_user(const struct params *cf)
{
	struct privdrop pd;
	struct buf *why = buf_new(0), *dir = buf_new(64);

	buf_printf(dir, "%s/login", cf->queue_directory);
	if (geteuid() != 0) {
		if (chdir(buf_str(dir)) < 0)
			log_fatal("chdir %s: %m", buf_str(dir));
	} else if (privdrop_resolve(&pd, cf->default_login_user, buf_str(dir), why) < 0 ||
		   privdrop_apply(&pd, why) < 0) {
		log_fatal("%s", buf_str(why));
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		log_fatal("master went away during start-up");
	buf_free(&dir);
	buf_free(&why);
}

/* drop_privileges - per the unpriv and chroot columns (as root only:
 * a --dev instance already runs as its user and cannot chroot) */
static void drop_privileges(const struct server_opts *opts)
{
	const struct params *cf = srv.info.cf;
	struct privdrop pd;
	struct buf *why = buf_new(0);
	const char *chroot_dir = srv.chroot && geteuid() == 0 ? cf->queue_directory : "";

	if (opts->login) {
		buf_free(&why);
		drop_to_login_user(cf);
		return;
	}
	if (*chroot_dir) {
		/* resolv.conf, /etc/hosts and the zone file are out of reach
		 * inside: read them now (as Postfix's res_init before chroot) */
		dns_preload();
		tzset();
	}
	if (geteuid() != 0) {
		/* nothing to drop */
	} else if (srv.unpriv) {
		if (privdrop_resolve(&pd, cf->mail_owner, chroot_dir, why) < 0 ||
		    privdrop_apply(&pd, why) < 0)
			log_fatal("%s", buf_str(why));
	} else if (*chroot_dir && (chroot(chroot_dir) < 0 || chdir("/") < 0)) {
		log_fatal("chroot %s: %m", chroot_dir);
	}
	/* every daemon works relative to the queue directory, as in Postfix:
	 * "incoming/ID", "public/cleanup" mean the same inside a chroot */
	if (!*chroot_dir && chdir(cf->queue_directory) < 0)
		log_fatal("chdir %s: %m", cf->queue_directory);
	/* a credential change clears the parent-death signal: set it now */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		log_fatal("master went away during start-up");
	buf_free(&why);
}

/* poll_once - one poll() over the listeners: the index of a readable one,
 * -1 on timeout, -2 when a signal came */
static int poll_once(int timeout_ms)
{
	struct pollfd pfd[MASTER_MAX_LISTEN_FDS];
	int n;

	for (int i = 0; i < srv.nlisten; i++)
		pfd[i] = (struct pollfd){ .fd = srv.listen_fds[i], .events = POLLIN };
	if ((n = poll(pfd, (nfds_t)srv.nlisten, timeout_ms)) < 0 && errno == EINTR)
		return -2;
	if (n < 0)
		log_fatal("poll: %m");
	for (int i = 0; n > 0 && i < srv.nlisten; i++)
		if (pfd[i].revents)
			return i;
	return -1;
}

/* listen_epoll - an epoll set over the listeners, each added with
 * EPOLLEXCLUSIVE, so that a new connection wakes one of the idle
 * processes of a service instead of every one of them (poll() wakes all:
 * with 200 idle smtpd processes each connection cost 200 wakeups, 199 of
 * them ending in EAGAIN); -1 when the kernel refuses (then poll) */
static int listen_epoll(void)
{
	static int epfd = -2;

	if (epfd != -2)
		return epfd;
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return epfd = -1;
	for (int i = 0; i < srv.nlisten; i++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.u32 = (uint32_t)i };

		if (epoll_ctl(epfd, EPOLL_CTL_ADD, srv.listen_fds[i], &ev) < 0) {
			log_warn("epoll_ctl: %m; waiting with poll()");
			close(epfd);
			return epfd = -1;
		}
	}
	return epfd;
}

/* epoll_once - like poll_once, through the epoll set */
static int epoll_once(int epfd, int timeout_ms)
{
	struct epoll_event ev;
	int n = epoll_wait(epfd, &ev, 1, timeout_ms);

	if (n < 0 && errno == EINTR)
		return -2;
	if (n < 0)
		log_fatal("epoll_wait: %m");
	return n == 0 ? -1 : (int)ev.data.u32;
}

/* wait_readable - index of a readable listener, -1 on idle timeout or
 * when retired; exclusive: through listen_epoll (one idle process of the
 * service wakes per connection) when the kernel allows */
static int wait_readable(int timeout_ms, bool exclusive)
{
	int epfd = exclusive ? listen_epoll() : -1;

	for (;;) {
		int i = epfd >= 0 ? epoll_once(epfd, timeout_ms) : poll_once(timeout_ms);

		if (retired)
			return -1;
		if (i != -2)
			return i;
	}
}

/* idle_timeout_ms - how long to wait for a client before exiting */
static int idle_timeout_ms(const struct server_opts *opts)
{
	return opts->unlimited ? -1 : (int)(srv.info.cf->max_idle * 1000);
}

/* close_listeners - a process that serves one client gives up the rest */
static void close_listeners(void)
{
	for (int i = 0; i < srv.nlisten; i++)
		close(srv.listen_fds[i]);
	srv.nlisten = 0;
	retired = true;
}

/* single_loop - accept and serve one client at a time */
static void single_loop(const struct server_opts *opts)
{
	long uses = 0;

	while (!retired && (opts->unlimited || uses < srv.info.cf->max_use)) {
		int i = wait_readable(idle_timeout_ms(opts), true), fd;

		if (i < 0)
			break;
		fd = accept4(srv.listen_fds[i], NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept: %m");
			continue;	/* another process took it */
		}
		server_status_busy();
		if (opts->once)
			close_listeners();
		opts->service(&srv.info, fd);
		close(fd);
		server_status_idle();
		uses++;
	}
}

/* read_trigger - the wakeup bytes on a FIFO, or from one UNIX client */
static ssize_t read_trigger(int lfd, char *data, size_t size)
{
	struct stat st;
	ssize_t n;
	int fd;

	if (fstat(lfd, &st) == 0 && S_ISFIFO(st.st_mode))
		return read(lfd, data, size);
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return -1;
	n = read(fd, data, size);
	close(fd);
	return n;
}

/* server_trigger_fd - the FIFO a trigger server reads its wakeups from,
 * for a daemon that polls it itself while busy (qmgr during a queue run) */
int server_trigger_fd(void)
{
	return srv.nlisten > 0 ? srv.listen_fds[0] : -1;
}

/* trigger_loop - call the trigger function for every wakeup */
static void trigger_loop(const struct server_opts *opts)
{
	long uses = 0;
	char data[1024];

	while (!retired && (opts->unlimited || uses < srv.info.cf->max_use)) {
		int i = wait_readable(opts->tick ? (int)opts->tick_ms : idle_timeout_ms(opts), false);
		ssize_t n;

		if (i < 0 && opts->tick && !retired) {
			opts->tick(&srv.info);	/* a timer of its own (qmgr's retries) */
			continue;
		}
		if (i < 0)
			break;
		n = read_trigger(srv.listen_fds[i], data, sizeof(data));
		if (n <= 0)
			continue;
		server_status_busy();
		opts->trigger(&srv.info, data, (size_t)n);
		server_status_idle();
		uses++;
	}
}

static struct {
	struct ev *ev;
	const struct server_opts *opts;
	long clients, uses;
	int idle_timer;
} multi;

static void multi_idle(struct ev *ev, void *ctx);

/* multi_arm_idle - exit after max_idle without clients */
static void multi_arm_idle(void)
{
	if (multi.idle_timer)
		ev_cancel(multi.ev, multi.idle_timer);
	multi.idle_timer = 0;
	if (multi.clients == 0 && !multi.opts->unlimited)
		multi.idle_timer = ev_timer(multi.ev, srv.info.cf->max_idle * 1000, multi_idle, NULL);
}

/* multi_idle - nobody came: exit */
static void multi_idle(struct ev *ev, void *ctx)
{
	(void)ctx;
	multi.idle_timer = 0;
	ev_stop(ev);
}

/* multi_accept - a new client for the daemon's service function */
static void multi_accept(struct ev *ev, int lfd, void *ctx)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	(void)ev;
	(void)ctx;
	if (fd < 0)
		return;
	multi.clients++;
	multi.uses++;
	multi_arm_idle();
	multi.opts->service(&srv.info, fd);
	if (!multi.opts->unlimited && multi.uses >= srv.info.cf->max_use)
		for (int i = 0; i < srv.nlisten; i++)
			ev_off(multi.ev, srv.listen_fds[i]);	/* finish who is here, then exit */
}

/* server_ev - the event loop of a SERVER_MULTI daemon */
struct ev *server_ev(void)
{
	return multi.ev;
}

/* server_multi_done - a client of a SERVER_MULTI daemon is finished */
void server_multi_done(int fd)
{
	ev_off(multi.ev, fd);
	close(fd);
	multi.clients--;
	if (multi.clients == 0 && !multi.opts->unlimited && multi.uses >= srv.info.cf->max_use)
		ev_stop(multi.ev);
	multi_arm_idle();
}

/* multi_retire - SIGHUP arrived: stop accepting, exit when the clients are gone */
static void multi_retire(struct ev *ev, void *ctx)
{
	(void)ctx;
	if (retired && multi.clients == 0) {
		ev_stop(ev);
		return;
	}
	if (retired)
		for (int i = 0; i < srv.nlisten; i++)
			ev_off(ev, srv.listen_fds[i]);
	ev_timer(ev, 200, multi_retire, NULL);
}

/* multi_loop - many clients in one process */
static void multi_loop(const struct server_opts *opts)
{
	multi.ev = ev_new();
	multi.opts = opts;
	for (int i = 0; i < srv.nlisten; i++)
		ev_read(multi.ev, srv.listen_fds[i], multi_accept, NULL);
	multi_arm_idle();
	multi_retire(multi.ev, NULL);
	ev_run(multi.ev);
}

/* server_main - run a daemon; returns its exit status */
int server_main(int argc, char **argv, const struct server_opts *opts)
{
	struct sigaction sa = { .sa_handler = on_hup };

	log_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);	/* no SA_RESTART: an idle poll must wake */
	parse_args(argc, argv);
	load_config(opts);
	open_log();
	inherit_listeners();
	inherit_stress(opts);
	/* mapped now, it stays after the drop; not in a process that runs
	 * as default_login_user or as a mail user (metrics.h) */
	metrics_attach_env(!opts->login && !opts->once);
	resolve_run_ids();
	if (opts->pre_init)
		opts->pre_init(&srv.info);
	drop_privileges(opts);
	if (opts->post_init)
		opts->post_init(&srv.info);
	switch (opts->kind) {
	case SERVER_SINGLE:
		single_loop(opts);
		break;
	case SERVER_TRIGGER:
		trigger_loop(opts);
		break;
	case SERVER_MULTI:
		multi_loop(opts);
		break;
	}
	return 0;
}
