/* showq_flush - "deliver this now" requests from ordinary users:
 * postqueue -i ID and postqueue -s SITE.
 *
 * As Postfix's flush service does, a deferred message is moved back to
 * incoming/ (one rename, both directories fsync'ed: qfile_move) and the
 * queue manager is woken with 'A'; qmgr takes everything in incoming/ at
 * once, whatever the deferred file's retry time said.  A message already
 * in incoming/ or active/ is on its way: nothing to do.  A held message
 * stays held: releasing it is postsuper -H, for root.  The rename cannot
 * collide with qmgr's own deferred -> active move: whichever comes second
 * finds the file gone, and we then look again where it went.
 * Answers: 0; EX_USAGE for a malformed ID or site; EX_NOINPUT when there
 * is no such message or it is on hold; EX_TEMPFAIL when a move failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "qfile.h"
#include "queue_id.h"
#include "queue_scan.h"
#include "showq.h"
#include "strv.h"
#include "trigger.h"

enum { SITE_MAX = 255 };

/* wake_qmgr - one byte to public/qmgr (FIFO or UNIX socket); a stopped
 * qmgr scans at start */
static void wake_qmgr(void)
{
	if (trigger_send("public/qmgr", "A", 1) < 0 && errno != ENOENT && errno != ENXIO &&
	    errno != ECONNREFUSED)
		log_warn("wake the queue manager: %m");
}

/* in_queue - whether queue/id exists */
static bool in_queue(const char *queue, const char *id)
{
	struct buf *path = buf_new(64), *why = buf_new(0);
	bool found = qfile_make_path(path, ".", queue, id, why) == 0 && access(buf_str(path), F_OK) == 0;

	buf_free(&path);
	buf_free(&why);
	return found;
}

/* release - deferred/id to incoming/; 0, 1 when not there, -1 failed */
static int release(const char *id, struct buf *text)
{
	struct buf *why = buf_new(0);
	int rc = 0;

	if (qfile_move(".", id, "deferred", "incoming", 0, why) == 0) {
		log_info("%s: scheduled for delivery by postqueue", id);
	} else if (!in_queue("deferred", id)) {
		rc = 1;		/* gone (qmgr took it), or moved but not fsync'ed */
	} else {
		log_warn("%s: %s", id, buf_str(why));
		buf_printf(text, "%s: cannot schedule delivery: %s", id, buf_str(why));
		rc = -1;
	}
	buf_free(&why);
	return rc;
}

/* showq_deliver_id - postqueue -i */
int showq_deliver_id(const char *id, struct buf *text)
{
	if (!queue_id_valid(id)) {
		buf_printf(text, "invalid queue ID: \"%.40s\"", id);
		return EX_USAGE;
	}
	for (int tries = 0; tries < 2; tries++) {
		int rc = release(id, text);

		if (rc < 0)
			return EX_TEMPFAIL;
		if (rc == 0 || in_queue("incoming", id) || in_queue("active", id)) {
			wake_qmgr();
			return 0;
		}
		if (in_queue("hold", id)) {
			buf_printf(text, "%s: message is on hold (postsuper -H releases it)", id);
			return EX_NOINPUT;
		}
	}
	buf_printf(text, "%s: no such message in the queue", id);
	return EX_NOINPUT;
}

/* site_valid - a domain name or an address literal, no more */
static bool site_valid(const char *site)
{
	size_t n = strlen(site);

	if (n == 0 || n > SITE_MAX)
		return false;
	if (site[0] == '[')
		return n > 2 && site[n - 1] == ']'
		    && strspn(site + 1, "0123456789abcdefABCDEF.:IPv") == n - 2;
	return strspn(site, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == n
	    && site[0] != '.' && site[0] != '-';
}

/* wants_site - the deferred message id has a pending recipient at site */
static bool wants_site(const char *id, const char *site)
{
	struct showq_msg m;
	bool hit = false;

	if (showq_load("deferred", id, &m) < 0)
		return false;
	for (size_t i = 0; !hit && i < m.nrcpts; i++)
		hit = showq_rcpt_at(m.rcpts[i].address, site);
	showq_msg_clear(&m);
	return hit;
}

/* collect - the deferred messages with recipients at site */
static struct strv *collect(const char *site)
{
	struct strv *ids = strv_new();
	struct queue_scan qs;
	const char *id;

	if (queue_scan_open(&qs, "deferred", QUEUE_SCAN_IDS, 0) < 0) {
		log_warn("open deferred: %m");
		return ids;
	}
	while ((id = queue_scan_next(&qs)) != NULL)
		if (wants_site(id, site))
			strv_add(ids, id);
	queue_scan_close(&qs);
	return ids;
}

/* showq_deliver_site - postqueue -s */
int showq_deliver_site(const char *site, struct buf *text)
{
	struct strv *ids;
	size_t moved = 0;
	int rc = 0;

	if (!site_valid(site)) {
		buf_printf(text, "invalid site name: \"%.80s\"", site);
		return EX_USAGE;
	}
	ids = collect(site);
	for (size_t i = 0; i < ids->len; i++) {
		int r = release(ids->items[i], text);

		moved += r == 0;
		if (r < 0)
			rc = EX_TEMPFAIL;
	}
	if (moved)
		wake_qmgr();
	log_info("flush site %s: %zu message%s scheduled for delivery", site, moved, moved == 1 ? "" : "s");
	strv_free(&ids);
	return rc;
}
