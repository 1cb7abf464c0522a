/* group_sync - group commit of the fsync of incoming/ across the cleanup
 * processes of one instance.
 *
 *   uint64_t t = group_sync_note();        // right after the rename or create in incoming/
 *   ... write and fsync the file ...
 *   group_sync_dir_of("./incoming/ID", t);  // instead of fsync(incoming/): 1 skipped, 0 done, -1 error
 *
 * A new queue file's name must be durable before the 250 reply, so cleanup
 * fsyncs incoming/ after the file.  With many cleanup processes at work,
 * one such fsync also covers every rename into incoming/ that had returned
 * before it began.  The processes share two counters in a page the master
 * hands to every daemon (a memfd at MASTER_SYNC_FD, HATO_SYNC=1): "noted",
 * counted up after each change in incoming/ (a process's ticket), and
 * "synced", the highest count read just before an fsync of incoming/ that
 * has since completed.  group_sync_dir_of() skips its fsync when synced has
 * reached the ticket: that fsync began after the ticket's rename had
 * returned, so it made that rename durable.  Otherwise it reads noted,
 * fsyncs, and raises synced to what it read.  Without the page (a daemon
 * run by hand, tests) every call is a plain fsync and note returns 0.
 * Only incoming/ uses it: the counters are for one directory.
 *
 * group_sync_alone(t): every change noted before the ticket is synced and
 * none came after it, so no other process waits for an fsync of incoming/
 * now.  cleanup then
 * syncs its new name at once, while the client is still sending (one
 * fsync less when the message is committed); when others wait it leaves
 * the fsync to the commit, where one covers several messages.
 */
#ifndef HATO_GROUP_SYNC_H
#define HATO_GROUP_SYNC_H

#include <stdint.h>

int group_sync_attach(int fd);
uint64_t group_sync_note(void);
int group_sync_dir_of(const char *path, uint64_t ticket);
int group_sync_alone(uint64_t ticket);
int group_sync_page_new(void);

#endif
