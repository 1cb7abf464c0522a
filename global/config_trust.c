/* config_trust - see config_trust.h.  Only lstat() and realpath(): nothing
 * here follows a symlink the caller planted to a file it then reads. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_trust.h"
#include "mem.h"
#include "strv.h"

/* config_trust_is_setid - running with rights the caller does not have */
bool config_trust_is_setid(void)
{
	return getuid() != 0 && (getuid() != geteuid() || getgid() != getegid());
}

/* is_alternate - dir is in the default main.cf's alternate_config_directories */
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

/* root_only - path is root's and only root may change it (a sticky
 * directory may be on the way: others cannot rename root's entries) */
static bool root_only(const char *path, bool final, mode_t type, struct buf *why)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		buf_printf(why, "%s: %s", path, strerror(errno));
		return false;
	}
	if ((st.st_mode & S_IFMT) != type || st.st_uid != 0
	    || ((st.st_mode & (S_IWGRP | S_IWOTH)) && (final || !(st.st_mode & S_ISVTX)))) {
		buf_printf(why, "%s is not %s owned by root and writable only by root", path,
			   type == S_IFDIR ? "a directory" : "a file");
		return false;
	}
	return true;
}

/* is_root_controlled - real (symlinks resolved) and its main.cf */
static bool is_root_controlled(const char *real, struct buf *why)
{
	struct buf *path = buf_new(PATH_MAX);
	bool ok = root_only("/", false, S_IFDIR, why);
	struct stat st;

	for (const char *slash = real + 1; ok && (slash = strchr(slash, '/')) != NULL; slash++) {
		buf_reset(path);
		buf_add(path, real, (size_t)(slash - real));
		ok = root_only(buf_str(path), false, S_IFDIR, why);
	}
	ok = ok && root_only(real, true, S_IFDIR, why);
	buf_reset(path);
	buf_printf(path, "%s/main.cf", real);
	if (ok && !(lstat(buf_str(path), &st) < 0 && errno == ENOENT))
		ok = root_only(buf_str(path), true, S_IFREG, why);
	buf_free(&path);
	return ok;
}

/* config_trust_check - the rule of config_trust.h */
int config_trust_check(const char *dir, char **real_r, struct buf *why)
{
	char *real = realpath(dir, NULL);

	*real_r = NULL;
	if (real == NULL) {
		buf_printf(why, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!is_alternate(dir, real) && !is_root_controlled(real, why)) {
		free(real);
		return -1;
	}
	*real_r = real;
	return 0;
}

struct config *config_trust_read(const char *dir, const char *prog, char **dir_r,
				 bool *untrusted_r, struct buf *why)
{
	const char *dflt = config_dir(NULL);	/* the caller emptied the environment */
	char *real = NULL;
	struct config *c = NULL;

	*untrusted_r = false;
	if (dir == NULL || strcmp(dir, dflt) == 0) {
		dir = dflt;
	} else if (config_trust_is_setid()) {
		struct buf *reason = buf_new(0);

		if (config_trust_check(dir, &real, reason) < 0) {
			buf_printf(why, "configuration directory %s is not trusted: %s (with "
				   "set-group-ID rights %s accepts only %s, the directories listed "
				   "in its alternate_config_directories, and directories only root "
				   "can change)", dir, buf_str(reason), prog, dflt);
			*untrusted_r = true;
		}
		buf_free(&reason);
		if (real == NULL)
			return NULL;
		dir = real;
	}
	c = config_read(dir, CONFIG_QUIET, why);
	if (c && config_validate(c, why) < 0)
		config_free(&c);
	if (c && dir_r)
		*dir_r = xstrdup(dir);
	free(real);
	return c;
}
