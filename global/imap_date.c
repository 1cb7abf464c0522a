/* imap_date - IMAP's date and date-time, and RFC 5322 Date: values (see
 * the header).  Dates become day numbers (days since 1970-01-01) so that
 * SEARCH compares days, never instants at some midnight; time_t values
 * are computed from the civil date without mktime (no zone state). */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "imap_date.h"

enum {
	RFC5322_DATE_MAX = 1024,	/* bytes of a Date: value we look at */
	YEAR_MIN = 1900, YEAR_MAX = 9999,
	ZONE_MAX = 99 * 60 + 59,
};

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* imap_date_days - days from the civil date (proleptic Gregorian) */
int64_t imap_date_days(int year, int month, int day)
{
	int64_t y = year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* month_days - days in month (1-12) of year */
static int month_days(int year, int month)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : n[month - 1];
}

/* month_of - 1-12 for a three-letter month name at s (any case), or 0 */
static int month_of(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (strncasecmp(s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

/* digits - up to max digits at *sp (at least min) into *n_r */
static bool digits(const char **sp, int min, int max, int *n_r)
{
	const char *s = *sp;
	int n = 0, i = 0;

	while (i < max && s[i] >= '0' && s[i] <= '9')
		n = n * 10 + (s[i++] - '0');
	if (i < min)
		return false;
	*sp = s + i;
	*n_r = n;
	return true;
}

/* imap_date_parse - "d-Mon-yyyy" or "dd-Mon-yyyy" */
int imap_date_parse(const char *s, int64_t *day_r)
{
	int d, m, y;

	if (!digits(&s, 1, 2, &d) || *s++ != '-' || (m = month_of(s)) == 0)
		return -1;
	s += 3;
	if (*s++ != '-' || !digits(&s, 4, 4, &y) || *s != '\0')
		return -1;
	if (y < 1 || d < 1 || d > month_days(y, m))
		return -1;
	*day_r = imap_date_days(y, m, d);
	return 0;
}

/* zone_digits - "+hhmm" / "-hhmm" at *sp into minutes east */
static bool zone_digits(const char **sp, int *zone_r)
{
	const char *s = *sp;
	int sign, hhmm;

	if (*s != '+' && *s != '-')
		return false;
	sign = *s++ == '-' ? -1 : 1;
	if (!digits(&s, 4, 4, &hhmm) || hhmm % 100 > 59)
		return false;
	*zone_r = sign * (hhmm / 100 * 60 + hhmm % 100);
	*sp = s;
	return true;
}

/* make_time - the instant of a civil time at zone, or false if out of range */
static bool make_time(int y, int mo, int d, int h, int mi, int sec, int zone, time_t *t_r)
{
	if (y < YEAR_MIN || y > YEAR_MAX || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || sec > 60 || zone < -ZONE_MAX || zone > ZONE_MAX)
		return false;
	*t_r = (time_t)(imap_date_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - zone * 60);
	return true;
}

/* imap_date_time_parse - "dd-Mon-yyyy hh:mm:ss +zzzz" (day " d" or "d" too) */
int imap_date_time_parse(const char *s, time_t *t_r, int *zone_r)
{
	int d, m, y, h, mi, sec, zone;

	if (*s == ' ')
		s++;
	if (!digits(&s, 1, 2, &d) || *s++ != '-' || (m = month_of(s)) == 0)
		return -1;
	s += 3;
	if (*s++ != '-' || !digits(&s, 4, 4, &y) || *s++ != ' ')
		return -1;
	if (!digits(&s, 2, 2, &h) || *s++ != ':' || !digits(&s, 2, 2, &mi) || *s++ != ':' ||
	    !digits(&s, 2, 2, &sec) || *s++ != ' ' || !zone_digits(&s, &zone) || *s != '\0')
		return -1;
	if (!make_time(y, m, d, h, mi, sec, zone, t_r))
		return -1;
	*zone_r = zone;
	return 0;
}

/* civil - the civil date and time of t seen at zone */
static void civil(time_t t, int zone, int *y, int *mo, int *d, int *secs_r)
{
	int64_t s = (int64_t)t + zone * 60;
	int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*mo <= 2));
	*secs_r = (int)(s - days * 86400);
}

/* imap_date_time_format - "dd-Mon-yyyy hh:mm:ss +zzzz" */
void imap_date_time_format(time_t t, int zone, struct buf *out)
{
	int y, mo, d, secs, az = zone < 0 ? -zone : zone;

	civil(t, zone, &y, &mo, &d, &secs);
	buf_printf(out, "%02d-%s-%04d %02d:%02d:%02d %c%02d%02d", d, months[mo - 1], y,
		   secs / 3600, secs / 60 % 60, secs % 60, zone < 0 ? '-' : '+', az / 60, az % 60);
}

/* local_zone - the server's zone offset at t, in minutes east */
static int local_zone(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}

/* imap_date_time_format_local - at the local zone */
void imap_date_time_format_local(time_t t, struct buf *out)
{
	imap_date_time_format(t, local_zone(t), out);
}

/* imap_date_day_of - the day t falls on at zone */
int64_t imap_date_day_of(time_t t, int zone)
{
	int64_t s = (int64_t)t + zone * 60;

	return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}

/* imap_date_local_day - the day t falls on locally */
int64_t imap_date_local_day(time_t t)
{
	return imap_date_day_of(t, local_zone(t));
}

/* uncomment - s[0..len) into out (size RFC5322_DATE_MAX + 1), comments
 * (nested, with quoted pairs) and line ends turned into spaces; false if
 * the value is too long or a comment is not closed */
static bool uncomment(const char *s, size_t len, char *out)
{
	int depth = 0;
	size_t o = 0;

	if (len > RFC5322_DATE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (depth > 0 && c == '\\' && i + 1 < len) {
			i++;
		} else if (c == '(') {
			depth++;
		} else if (c == ')' && depth > 0) {
			depth--;
		} else if (depth == 0) {
			out[o++] = c == '\r' || c == '\n' || c == '\t' ? ' ' : c;
			continue;
		}
		out[o++] = ' ';
	}
	out[o] = '\0';
	return depth == 0;
}

/* skip_ws - past spaces */
static const char *skip_ws(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/* zone_name - an obsolete zone name (RFC 5322 4.3) at *sp: true with
 * *zone_r, or false if none is there */
static bool zone_name(const char **sp, int *zone_r)
{
	static const struct { const char *name; int zone; } names[] = {
		{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
		{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
		{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
	};
	const char *s = *sp;
	size_t n = 0;

	while (isalpha((unsigned char)s[n]))
		n++;
	if (n == 0)
		return false;
	*zone_r = 0;		/* military letters and unknown names: -0000 */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n && strncasecmp(s, names[i].name, n) == 0)
			*zone_r = names[i].zone;
	*sp = s + n;
	return true;
}

/* day_name - skip an optional "Mon," (the comma optional too) */
static const char *day_name(const char *s)
{
	static const char days[7][4] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

	for (int i = 0; i < 7; i++) {
		if (strncasecmp(s, days[i], 3) == 0 && !isalpha((unsigned char)s[3])) {
			s = skip_ws(s + 3);
			return *s == ',' ? skip_ws(s + 1) : s;
		}
	}
	return s;
}

/* full_year - RFC 5322 4.3: two digits below 50 are 20xx, else 19xx;
 * three digits add 1900 */
static int full_year(int y, int ndigits)
{
	if (ndigits == 2)
		return y < 50 ? 2000 + y : 1900 + y;
	if (ndigits == 3)
		return 1900 + y;
	return y;
}

/* imap_date_rfc5322 - [dow ","] d mon y hh:mm[:ss] [zone] */
int imap_date_rfc5322(const char *value, size_t len, time_t *t_r, int *zone_r)
{
	char text[RFC5322_DATE_MAX + 1];
	const char *s = text, *ys;
	int d, mo, y, h, mi, sec = 0, zone = 0;

	if (!uncomment(value, len, text))
		return -1;
	s = day_name(skip_ws(s));
	if (!digits(&s, 1, 2, &d))
		return -1;
	s = skip_ws(s);
	if ((mo = month_of(s)) == 0 || isalpha((unsigned char)s[3]))
		return -1;
	ys = s = skip_ws(s + 3);
	if (!digits(&s, 2, 4, &y) || (*s != ' ' && *s != '\0'))
		return -1;
	y = full_year(y, (int)(s - ys));
	s = skip_ws(s);
	if (!digits(&s, 1, 2, &h) || *(s = skip_ws(s)) != ':')
		return -1;
	s = skip_ws(s + 1);
	if (!digits(&s, 2, 2, &mi))
		return -1;
	s = skip_ws(s);
	if (*s == ':') {
		s = skip_ws(s + 1);
		if (!digits(&s, 2, 2, &sec))
			return -1;
		s = skip_ws(s);
	}
	if (!zone_digits(&s, &zone))
		(void)zone_name(&s, &zone);
	if (!make_time(y, mo, d, h, mi, sec, zone, t_r))
		return -1;
	*zone_r = zone;
	return 0;
}
