/* postqueue - private interface of the queue command for every user.
 *
 *   postqueue [-v] [-c config_dir] -p | -j | -f | -i queue_id | -s site
 *   mailq [-v] [-c config_dir]            (a link: postqueue -p)
 * -p and -j list the queue, -i and -s schedule deferred mail: all through
 * the showq service at public/showq (postqueue_showq.c), because the
 * queue itself is readable by mail_owner only.  -f writes 'F' to the
 * queue manager's FIFO public/qmgr (postqueue_flush.c).  public/ is
 * mail_owner:setgid_group mode 0710, so postqueue is installed set-group-ID
 * setgid_group (as Postfix's is setgid postdrop) and starts like postdrop:
 * clean fds, environment and umask, and a configuration directory other
 * than the default only when root controls it (libutil/setid.c,
 * postqueue_env.c).
 * When showq cannot be reached the listing fails with "Queue report
 * unavailable - mail system is down" (exit 69), except for a caller who
 * may read the queue itself (root, or mail_owner in a --dev instance):
 * postqueue then runs "showq -S" from daemon_directory, with set-ID
 * rights dropped, and talks to it over a socketpair.
 * Exit status: 0, or a sysexits code: EX_USAGE, EX_UNAVAILABLE (mail
 * system down), EX_NOINPUT (no such message), EX_SOFTWARE (bad answer).
 */
#ifndef HATO_POSTQUEUE_H
#define HATO_POSTQUEUE_H

#include <stdbool.h>

#include "config.h"
#include "params.h"

enum postqueue_mode { PQ_NONE, PQ_LIST_TEXT, PQ_LIST_JSON, PQ_FLUSH, PQ_DELIVER_ID, PQ_SITE };

/* postqueue_env.c */
struct config *postqueue_config(const char *dir, char **dir_r);
void postqueue_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* postqueue_showq.c: list (text or JSON) or ask for delivery; exits on failure */
void postqueue_showq(const struct params *cf, const char *config_dir, enum postqueue_mode mode,
		     const char *arg);

/* postqueue_flush.c */
void postqueue_flush(const struct params *cf);

#endif
