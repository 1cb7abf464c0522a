/* duration - a time value with a millisecond unit, for parameters that
 * need less than a second (auth_failure_delay = 300ms). */
#ifndef HATO_DURATION_H
#define HATO_DURATION_H

#include <stdbool.h>

/* "2s", "300ms", "1m"; a bare number is seconds; false unless the value
 * is well formed and at most max_ms */
bool duration_ms(const char *text, long max_ms, long *ms_r);

#endif
