/* local_dotforward - the user's ~/.forward (forward_path), read as the user.
 *
 * forward_path is a list of file names with $user, $home, $shell,
 * $recipient, $extension, $domain, $local and $recipient_delimiter
 * (${name?text} / ${name:text} when defined / not); the first file that
 * exists wins.  Characters of the address outside Postfix's
 * forward_expansion_filter, and '/', become '_', so an extension cannot
 * name another directory.  A .forward that is not a regular file owned
 * by the user, or that is group or world writable, is ignored with a
 * warning (mail goes to the mailbox).  The file is opened and parsed in a
 * child running as the user; only the items come back.  When root can see
 * that the file does not exist (lstat says ENOENT), no child is started.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "log.h"
#include "mem.h"

static const char expansion_filter[] =
	"1234567890!@%-_=+:,.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* var_value - the value of name in vars {name, value, ..., NULL}; NULL
 * when undefined or empty */
static const char *var_value(const char *const *vars, const char *name, size_t len)
{
	for (size_t i = 0; vars[i]; i += 2)
		if (strlen(vars[i]) == len && strncmp(vars[i], name, len) == 0)
			return vars[i + 1] && *vars[i + 1] ? vars[i + 1] : NULL;
	return NULL;
}

/* local_dotforward_expand - $name, ${name}, $(name), ${name?text}, ${name:text}, $$ */
int local_dotforward_expand(struct buf *out, const char *pattern, const char *const *vars,
			    struct buf *why)
{
	for (const char *p = pattern; *p; p++) {
		const char *name, *end, *value, *alt = NULL;
		char op = 0;

		if (*p != '$') {
			buf_putc(out, *p);
			continue;
		}
		if (p[1] == '$') {
			buf_putc(out, '$');
			p++;
			continue;
		}
		if (p[1] == '{' || p[1] == '(') {
			char close = p[1] == '{' ? '}' : ')';

			name = p + 2;
			if ((end = strchr(name, close)) == NULL) {
				buf_printf(why, "\"%s\": missing '%c'", pattern, close);
				return -1;
			}
			p = end;
		} else {
			name = p + 1;
			for (end = name; isalnum((unsigned char)*end) || *end == '_'; end++)
				continue;
			p = end - 1;
		}
		size_t len = strcspn(name, "?:");
		if (name + len < end) {
			op = name[len];
			alt = name + len + 1;
		} else {
			len = (size_t)(end - name);
		}
		value = var_value(vars, name, len);
		if (op == '?' && value)
			buf_add(out, alt, (size_t)(end - alt));
		else if (op == ':' && !value)
			buf_add(out, alt, (size_t)(end - alt));
		else if (op == 0 && value)
			buf_cat(out, value);
	}
	return 0;
}

/* filtered - value with unsafe characters replaced by '_' (malloc'ed) */
static char *filtered(const char *value)
{
	char *s = xstrdup(value ? value : "");

	for (char *p = s; *p; p++)
		if (strchr(expansion_filter, *p) == NULL)
			*p = '_';
	return s;
}

struct forward_arg {
	const char *path, *home, *queue_id, *user;
	uid_t uid;
	bool home_required;		/* home_mailbox: no home, no delivery */
};

/* ignored - a .forward we do not trust: warn, deliver to the mailbox */
static void ignored(const struct forward_arg *a, struct agent_result *res, const char *why)
{
	log_warn("%s: %s: ignoring %s: %s", a->queue_id, a->user, a->path, why);
	deliver_agent_result_set(res, "2.0.0", "ignored");
}

/* forward_child - as the user: open, check and parse the .forward */
static void forward_child(void *arg, struct agent_result *res)
{
	const struct forward_arg *a = arg;
	struct stat st;
	char *text;
	ssize_t n;
	int fd;

	if (stat(a->home, &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (a->home_required)
			deliver_agent_result_set(res, "4.2.0", "cannot access home directory %s: %s", a->home,
					       errno ? strerror(errno) : "not a directory");
		else
			deliver_agent_result_set(res, "2.0.0", "absent");
		return;
	}
	if ((fd = open(a->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			deliver_agent_result_set(res, "2.0.0", "absent");
		else
			ignored(a, res, strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		ignored(a, res, "not a regular file");
	else if (st.st_uid != a->uid)
		ignored(a, res, "not owned by the user");
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		ignored(a, res, (st.st_mode & S_IWOTH) ? "world writable" : "group writable");
	else if (st.st_size > LOCAL_MAX_LIST_FILE)
		ignored(a, res, "too large");
	else {
		text = xmalloc((size_t)st.st_size + 1);
		n = read(fd, text, (size_t)st.st_size);
		if (n < 0) {
			deliver_agent_result_set(res, "4.2.0", "read %s: %s", a->path, strerror(errno));
		} else {
			local_item_split(text, (size_t)n, res->items);
			deliver_agent_result_set(res, "2.0.0", "found");
		}
		free(text);
	}
	close(fd);
}

/* add_new - path to out unless there already, and only if absolute */
static void add_new(struct strv *out, const char *path)
{
	for (size_t k = 0; k < out->len; k++)
		if (strcmp(out->items[k], path) == 0)
			return;
	if (path[0] == '/')
		strv_add(out, path);
}

/* expand_paths - forward_path for this user */
static struct strv *expand_paths(struct local_rcpt *r, const struct local_user *u)
{
	const char *delims = r->g->cf->recipient_delimiter;
	char *local = filtered(r->address), *ext = filtered(r->extension), *domain = filtered(r->domain);
	char *rcpt = filtered(r->address), delim[2] = { delims[0], 0 };
	struct strv *patterns = strv_split(r->g->cf->forward_path, ", \t\n"), *out = strv_new();
	struct buf *path = buf_new(128), *why = buf_new(0);
	const char *vars[] = { "user", u->name, "home", u->home, "shell", u->shell,
			       "recipient", rcpt, "extension", ext, "domain", domain,
			       "local", local, "recipient_delimiter", delim, NULL };

	local[strcspn(local, "@")] = '\0';
	if (r->extension && *delims && local[strcspn(local, delims)])
		delim[0] = local[strcspn(local, delims)];	/* the one this address used */
	for (size_t i = 0; i < patterns->len; i++) {
		buf_reset(path);
		buf_reset(why);
		if (local_dotforward_expand(path, patterns->items[i], vars, why) < 0)
			log_warn("forward_path: %s", buf_str(why));
		else
			add_new(out, buf_str(path));
	}
	strv_free(&patterns);
	buf_free(&path);
	buf_free(&why);
	free(local);
	free(ext);
	free(domain);
	free(rcpt);
	return out;
}

/* surely_absent - no such .forward, as root can see without reading
 * anything of the user's: saves the child for the common case.  Only a
 * definite ENOENT/ENOTDIR under an existing home counts; anything else
 * (a file, EACCES on a root-squashed NFS home) is left to the child. */
static bool surely_absent(const struct forward_arg *a)
{
	struct stat st;

	if (stat(a->home, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	return lstat(a->path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* local_dotforward - deliver to the first .forward's items, if any */
int local_dotforward(struct local_rcpt *r, const struct local_user *u, const char *to)
{
	struct strv *paths = expand_paths(r, u);
	struct agent_result res;
	struct agent_privs privs;
	int handled = 0;

	deliver_agent_result_init(&res);
	deliver_agent_privs(&privs, u->uid, u->gid, u->name);
	for (size_t i = 0; i < paths->len && !handled; i++) {
		struct forward_arg a = { .path = paths->items[i], .home = u->home, .uid = u->uid,
					 .queue_id = r->m->rq->queue_id, .user = u->name,
					 .home_required = *r->g->cf->home_mailbox != '\0' };

		if (surely_absent(&a))
			continue;
		deliver_agent_run(&privs, LOCAL_STEP_TIME, forward_child, &a, &res);
		if (deliver_agent_result_status(&res) != DELIVER_SENT) {
			log_warn("%s: %s: %s", r->m->rq->queue_id, u->name, buf_str(res.text));
			local_recipient_result(r, to, &res);
			handled = 1;
		} else if (strcmp(buf_str(res.text), "found") == 0 && res.items->len > 0) {
			struct local_source src = { .cls = LOCAL_CLASS_FORWARD, .name = u->name,
						    .user = u, .to = to };

			local_item_privs(r->g, &src, u->uid, u->gid, u->name);
			local_item_list(r, res.items, &src);
			handled = 1;
		} else if (strcmp(buf_str(res.text), "absent") != 0) {
			break;		/* found but ignored or empty: the mailbox */
		}
	}
	deliver_agent_result_free(&res);
	strv_free(&paths);
	return handled;
}
