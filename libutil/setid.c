/* setid - sanitize a set-ID program's process; see setid.h. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "mem.h"
#include "setid.h"

/* fix_fds - 0, 1 and 2 open; nothing else inherited */
static void fix_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EX_OSERR);	/* cannot even report it */
	}
	close_range(3, ~0U, 0);
}

/* setid_sanitize - a clean process; the value of $keep, or NULL */
char *setid_sanitize(mode_t mask, const char *keep)
{
	const char *value = getenv(keep);
	char *kept = value && *value ? xstrdup(value) : NULL;

	fix_fds();
	umask(mask);
	clearenv();
	setenv("PATH", "/usr/bin:/bin", 1);
	signal(SIGPIPE, SIG_IGN);
	return kept;
}
