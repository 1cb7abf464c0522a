/* queue_id - unique, printable, filename-safe queue IDs.
 *
 *   char id[QUEUE_ID_SIZE];
 *   queue_id_new(id);                 // e.g. "1nQd3A0fUq00Gx01Kp"
 *   if (!queue_id_valid(argv[i])) refuse(...);
 *
 * A generated ID is QUEUE_ID_LEN characters of [0-9A-Za-z], fixed-width
 * base-62 fields in ASCII order, so IDs sort by creation time:
 *   6 seconds since the epoch, 4 microseconds, 4 process ID,
 *   2 per-process sequence, 2 random.
 * Unique across concurrent processes on one host: the process ID tells
 * living processes apart, and within a process the (time, sequence) pair
 * never repeats even when the clock steps back.  The random part covers
 * PID reuse after a clock step and PID namespaces sharing one queue;
 * qfile_create() still opens with O_EXCL and retries on a collision.
 * queue_id_valid() is the syntax check every tool applies to an ID from
 * the command line or a directory listing before it builds a path: 10 to
 * 20 characters of [0-9A-Za-z], so "../x" or "a/b" never pass.
 */
#ifndef HATO_QUEUE_ID_H
#define HATO_QUEUE_ID_H

#include <stdbool.h>
#include <sys/time.h>

enum {
	QUEUE_ID_LEN = 18,		/* what queue_id_new() makes */
	QUEUE_ID_MIN_LEN = 10,		/* what queue_id_valid() accepts */
	QUEUE_ID_MAX_LEN = 20,
	QUEUE_ID_SIZE = QUEUE_ID_MAX_LEN + 1,
};

void queue_id_new(char id[QUEUE_ID_SIZE]);
bool queue_id_valid(const char *s);
/* queue_id_time - creation time of an ID made by queue_id_new; false if not one */
bool queue_id_time(const char *id, struct timeval *tv_r);

#endif
