/* smtpd_space - is there room in the queue file system for one more
 * message?  Asked at MAIL FROM, as Postfix's smtpd_check_queue does.
 *
 * The answer is 452 4.3.1 "Insufficient system storage" when the free
 * bytes of the queue file system (the process's working directory: the
 * queue directory, or its chroot) are no more than queue_minfree, or no
 * more than 1.5 x message_size_limit (postconf(5) queue_minfree), or no
 * more than 1.5 x the client's SIZE= (matters when message_size_limit = 0).
 * statvfs failing is not a reason to refuse mail: cleanup still catches a
 * real write error (451 4.3.0).  No input from the network beyond SIZE,
 * which the caller parsed and bounded.
 */
#include <stdint.h>
#include <sys/statvfs.h>

#include "log.h"
#include "smtpd.h"

/* smtpd_space_needed - bytes the queue must have free for this message */
unsigned long long smtpd_space_needed(long queue_minfree, long size_limit, long long declared)
{
	unsigned long long need = queue_minfree > 0 ? (unsigned long long)queue_minfree : 0;
	unsigned long long lim = size_limit > 0 ? (unsigned long long)size_limit : 0;
	unsigned long long size = declared > 0 ? (unsigned long long)declared : 0;
	unsigned long long by_limit = lim + lim / 2, by_size = size + size / 2;	/* < 2^64 */

	if (by_limit > need)
		need = by_limit;
	if (by_size > need)
		need = by_size;
	return need;
}

/* smtpd_space_check - NULL when there is room, else the 452 reply */
const char *smtpd_space_check(struct smtpd *st)
{
	const struct params *cf = st->g->cf;
	unsigned long long need, avail;
	struct statvfs sv;

	need = smtpd_space_needed(cf->queue_minfree, cf->message_size_limit, st->declared_size);
	if (need == 0)
		return NULL;
	if (statvfs(".", &sv) < 0) {
		log_warn("statvfs of the queue directory: %m");
		return NULL;
	}
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (avail > need)
		return NULL;
	log_warn("not enough free space in mail queue: %llu bytes < %llu "
		 "(queue_minfree %ld, message_size_limit %ld, SIZE %lld)",
		 avail, need, cf->queue_minfree, cf->message_size_limit, st->declared_size);
	return "452 4.3.1 Insufficient system storage";
}
