/* postdrop_env - a clean start for a set-group-ID program, and the rule for
 * which configuration a caller may choose.
 *
 * postdrop_sanitize: fds 0-2 open (on /dev/null if the caller closed
 * them), every other fd closed, umask 077, the environment emptied (the
 * value of HATO_CONFIG is handed back first), signals that end the process
 * remove the unfinished maildrop file.
 * postdrop_config: the default configuration directory is always usable.
 * With set-ID rights a caller may name another one (-c DIR or HATO_CONFIG)
 * only if root controls it: DIR is listed in alternate_config_directories
 * of the default main.cf (Postfix's rule), or DIR, every directory above
 * it and DIR/main.cf are owned by root and writable by nobody else (a
 * sticky directory such as /tmp may be on the way).  A main.cf written by
 * the caller could otherwise point postdrop anywhere.  Without set-ID
 * rights (a --dev instance) any directory is fine: postdrop then acts with
 * the caller's own rights only.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "postdrop.h"
#include "strv.h"

/* the unfinished file, for the signal handler and fatal errors */
static volatile int tmp_dirfd = -1;
static char tmp_name[64];

/* remove_tmp - unlink the unfinished file (async-signal-safe) */
static void remove_tmp(void)
{
	if (tmp_dirfd >= 0 && tmp_name[0])
		unlinkat(tmp_dirfd, tmp_name, 0);
}

/* postdrop_set_tmp - remember the unfinished file; name NULL forgets it */
void postdrop_set_tmp(int dirfd, const char *name)
{
	tmp_dirfd = -1;
	snprintf(tmp_name, sizeof(tmp_name), "%s", name ? name : "");
	tmp_dirfd = name ? dirfd : -1;
}

/* on_signal - interrupted: leave nothing behind */
static void on_signal(int sig)
{
	(void)sig;
	remove_tmp();
	_exit(EX_TEMPFAIL);
}

/* on_fatal - log_fatal: the environment failed, the caller may retry */
static void on_fatal(void)
{
	remove_tmp();
	_exit(EX_TEMPFAIL);
}

/* postdrop_die - a fatal message with a chosen exit status */
void postdrop_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_FATAL, fmt, ap);
	va_end(ap);
	remove_tmp();
	_exit(status);
}

/* fix_fds - 0, 1 and 2 open; nothing else inherited */
static void fix_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EX_OSERR);	/* cannot even report it */
	}
	close_range(3, ~0U, 0);
}

/* postdrop_sanitize - a clean process; *config_env_r gets $HATO_CONFIG */
void postdrop_sanitize(char **config_env_r)
{
	const char *env = getenv("HATO_CONFIG");
	struct sigaction sa = { .sa_handler = on_signal };
	static const int fatal_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };

	fix_fds();
	umask(077);
	*config_env_r = env && *env ? xstrdup(env) : NULL;
	clearenv();
	setenv("PATH", "/usr/bin:/bin", 1);
	signal(SIGPIPE, SIG_IGN);	/* the wakeup FIFO may lose its reader */
	signal(SIGXFSZ, SIG_IGN);	/* a small RLIMIT_FSIZE becomes EFBIG */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	log_set_fatal_hook(on_fatal);
}

/* postdrop_is_setid - running with rights the caller does not have */
bool postdrop_is_setid(void)
{
	return getuid() != 0 && (getuid() != geteuid() || getgid() != getegid());
}

/* is_alternate - dir is listed in the default main.cf's alternate_config_directories */
static bool is_alternate(const char *dir, const char *real)
{
	struct buf *why = buf_new(0);
	struct config *c = config_read(config_dir(NULL), CONFIG_QUIET, why);
	struct strv *list = strv_split(c ? config_get(c, "alternate_config_directories") : "",
				       ", \t\r\n");
	bool hit = false;

	for (size_t i = 0; i < list->len; i++)
		hit |= strcmp(list->items[i], dir) == 0 || strcmp(list->items[i], real) == 0;
	strv_free(&list);
	config_free(&c);
	buf_free(&why);
	return hit;
}

/* root_only - path is owned by root and only root can change it; a sticky
 * directory is allowed on the way (others cannot rename root's entries) */
static bool root_only(const char *path, bool final, mode_t type, struct buf *why)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		buf_printf(why, "%s: %s", path, strerror(errno));
		return false;
	}
	if ((st.st_mode & S_IFMT) != type || st.st_uid != 0 ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) && (final || !(st.st_mode & S_ISVTX)))) {
		buf_printf(why, "%s is not %s owned by root and writable only by root", path,
			   type == S_IFDIR ? "a directory" : "a file");
		return false;
	}
	return true;
}

/* is_root_controlled - real (no symlinks) and its main.cf only root can change */
static bool is_root_controlled(const char *real, struct buf *why)
{
	char *path = xstrdup(real), *main_cf;
	bool ok = root_only("/", false, S_IFDIR, why);
	struct stat st;

	for (char *slash = path + 1; ok && (slash = strchr(slash, '/')) != NULL; slash++) {
		*slash = '\0';
		ok = root_only(path, false, S_IFDIR, why);
		*slash = '/';
	}
	ok = ok && root_only(real, true, S_IFDIR, why);
	main_cf = xmalloc(strlen(real) + sizeof("/main.cf"));
	sprintf(main_cf, "%s/main.cf", real);
	if (ok && !(lstat(main_cf, &st) < 0 && errno == ENOENT))
		ok = root_only(main_cf, true, S_IFREG, why);
	free(main_cf);
	free(path);
	return ok;
}

/* postdrop_config - read and check the configuration of dir (NULL: the
 * default); a directory the caller may not use is fatal */
struct config *postdrop_config(const char *dir)
{
	struct buf *why = buf_new(0);
	const char *dflt = config_dir(NULL);	/* the environment is empty now */
	char *real = NULL;
	struct config *c;

	if (dir == NULL || strcmp(dir, dflt) == 0) {
		dir = dflt;
	} else if (postdrop_is_setid()) {
		if ((real = realpath(dir, NULL)) == NULL)
			log_fatal("configuration directory %s: %m", dir);
		if (!is_alternate(dir, real) && !is_root_controlled(real, why))
			log_fatal("configuration directory %s is not trusted: %s (with set-group-ID "
				  "rights postdrop accepts only %s, the directories listed in its "
				  "alternate_config_directories, and directories only root can change)",
				  dir, buf_str(why), dflt);
		dir = real;
	}
	c = config_read(dir, CONFIG_QUIET, why);
	if (c == NULL || config_validate(c, why) < 0)
		log_fatal("%s", buf_str(why));
	free(real);
	buf_free(&why);
	return c;
}
