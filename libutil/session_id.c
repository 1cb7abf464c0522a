/* session_id - random session names for the logs; see session_id.h */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "base64.h"
#include "buf.h"
#include "session_id.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* session_id_new - 12 random bytes in base64; without the kernel's
 * randomness (never expected), the time and pid make it unique enough
 * for a log */
void session_id_new(char *id)
{
	unsigned char raw[12];
	struct buf *b = buf_new(SESSION_ID_SIZE);

	if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) != (ssize_t)sizeof(raw)) {
		struct timespec ts;
		unsigned long long mix;

		clock_gettime(CLOCK_REALTIME, &ts);
		mix = (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
		memcpy(raw, &mix, 8);
		mix = (unsigned long long)getpid();
		memcpy(raw + 8, &mix, 4);
	}
	base64_encode(raw, sizeof(raw), b);
	memcpy(id, buf_str(b), SESSION_ID_LEN);
	id[SESSION_ID_LEN] = '\0';
	buf_free(&b);
}

/* session_id_valid - see session_id.h */
bool session_id_valid(const char *s)
{
	return s != NULL && strlen(s) == SESSION_ID_LEN && strspn(s, alphabet) == SESSION_ID_LEN;
}
