/* duration - parse "2s", "300ms", "1m" into milliseconds. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

bool duration_ms(const char *text, long max_ms, long *ms_r)
{
	char *end;
	long v, mult;

	if (!isdigit((unsigned char)*text))
		return false;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || v > max_ms)
		return false;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (*end == '\0' || strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else
		return false;
	if (v > max_ms / mult)
		return false;
	*ms_r = v * mult;
	return true;
}
