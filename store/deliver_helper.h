/* deliver_helper - a Maildir delivery child kept for the next message to
 * the same user: one fork per run of messages for a user instead of one
 * per message.  The helper is forked and drops to the user for good
 * exactly as deliver_agent_run's child does (deliver_agent_become), then
 * serves requests over a SOCK_SEQPACKET socketpair: the queue file's
 * descriptor (SCM_RIGHTS) with the size limit, home directory, Maildir
 * path, Delivered-To and X-Original-To values, the Maildir key
 * (maildir.h: exactly once) and whether it is a retry; it validates the queue
 * file again, writes the Maildir file and answers "dsn\0text\0".  A
 * request for other rights replaces the helper; a helper that died while
 * idle is replaced once; one that dies or runs past the time limit while
 * delivering is killed and leaves the step deferred.  It exits when the
 * agent closes its end (the agent exits, or the user changes).
 *
 *   deliver_helper_maildir(&privs, LOCAL_STEP_TIME, limit, home, "Maildir/",
 *                          m, delivered_to, original_to, &key, &res);
 */
#ifndef HATO_DELIVER_HELPER_H
#define HATO_DELIVER_HELPER_H

#include "deliver_agent.h"

void deliver_helper_maildir(const struct agent_privs *p, long time_limit, long limit, const char *dir,
			    const char *path, struct agent_msg *m, const char *delivered_to,
			    const char *original_to, const struct maildir_key *key, struct agent_result *res);
void deliver_helper_stop(void);

#endif
