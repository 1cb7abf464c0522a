/* selfpid - getpid() once per process; see selfpid.h. */
#include <pthread.h>
#include <unistd.h>

#include "selfpid.h"

static pid_t cached;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* forget - in a new child: its own ID is asked for again */
static void forget(void)
{
	cached = 0;
}

/* install - the fork handler, once */
static void install(void)
{
	pthread_atfork(NULL, NULL, forget);
}

pid_t self_pid(void)
{
	if (cached == 0) {
		pthread_once(&once, install);
		cached = getpid();
	}
	return cached;
}
