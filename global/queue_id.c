/* queue_id - unique, time-sortable queue IDs; see queue_id.h.
 * The per-process state is a logical clock: the last (time, sequence) pair
 * handed out.  A new ID uses the current time if it is later, otherwise
 * the last time with the next sequence number, so one process never makes
 * the same pair twice.  After fork() the PID differs, which is enough. */
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include "queue_id.h"
#include "selfpid.h"

static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

enum { SEQ_LIMIT = 62 * 62, USEC_LIMIT = 1000000 };

static struct {
	long sec, usec;
	unsigned seq;
} last;

/* put62 - write v as width base-62 digits, most significant first */
static void put62(char *out, unsigned long long v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = digits[v % 62];
		v /= 62;
	}
}

/* get62 - read width base-62 digits; false on a character outside the set */
static bool get62(const char *in, int width, unsigned long long *v_r)
{
	unsigned long long v = 0;

	for (int i = 0; i < width; i++) {
		const char *d = in[i] ? strchr(digits, in[i]) : NULL;

		if (d == NULL)
			return false;
		v = v * 62 + (unsigned long long)(d - digits);
	}
	*v_r = v;
	return true;
}

/* next_stamp - the next (time, sequence) pair of this process */
static void next_stamp(void)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	if (now.tv_sec > last.sec || (now.tv_sec == last.sec && now.tv_usec > last.usec)) {
		last.sec = now.tv_sec;
		last.usec = now.tv_usec;
		last.seq = 0;
		return;
	}
	/* same microsecond, or the clock stepped back: advance logically */
	if (++last.seq < SEQ_LIMIT)
		return;
	last.seq = 0;
	if (++last.usec == USEC_LIMIT) {
		last.usec = 0;
		last.sec++;
	}
}

/* queue_id_new - make a new ID into id */
void queue_id_new(char id[QUEUE_ID_SIZE])
{
	uint16_t rnd = 0;

	next_stamp();
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd = 0;		/* the PID and clock still make it unique */
	put62(id, (unsigned long long)last.sec, 6);
	put62(id + 6, (unsigned long long)last.usec, 4);
	put62(id + 10, (unsigned long long)self_pid(), 4);
	put62(id + 14, last.seq, 2);
	put62(id + 16, rnd, 2);
	id[QUEUE_ID_LEN] = '\0';
}

/* queue_id_valid - 10 to 20 characters of [0-9A-Za-z] */
bool queue_id_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n >= QUEUE_ID_MAX_LEN || !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
					       || (c >= 'a' && c <= 'z')))
			return false;
	}
	return n >= QUEUE_ID_MIN_LEN;
}

/* queue_id_time - the creation time encoded in a generated ID */
bool queue_id_time(const char *id, struct timeval *tv_r)
{
	unsigned long long sec, usec;

	if (!queue_id_valid(id) || strlen(id) != QUEUE_ID_LEN || !get62(id, 6, &sec)
	    || !get62(id + 6, 4, &usec) || usec >= USEC_LIMIT)
		return false;
	tv_r->tv_sec = (time_t)sec;
	tv_r->tv_usec = (suseconds_t)usec;
	return true;
}
