/* imap_date - the dates of IMAP (RFC 9051 section 9: date, date-time) and
 * of RFC 5322's Date: field, for SEARCH, APPEND, INTERNALDATE and SORT.
 *
 *   int64_t day;                      // days since 1970-01-01
 *   imap_date_parse("1-Feb-1994", &day)                  -> 0 / -1
 *   imap_date_time_parse("17-Jul-1996 02:44:25 -0700", &t, &zone) -> 0 / -1
 *   imap_date_time_format(t, zone, out)  // "06-Dec-2026 20:34:11 +0000"
 *   imap_date_rfc5322(value, len, &t, &zone)             -> 0 / -1
 *   imap_date_day_of(t, zone)         // the day t falls on at that zone
 *
 * Zones are minutes east of UTC.  imap_date_parse takes the day with one
 * or two digits, the month's name in any case and four digits of year
 * (the caller has removed the quotes); imap_date_time_parse the fixed
 * form (day "dd" or " d").  The formatter writes Dovecot's form: a
 * two-digit day with a leading zero.
 * imap_date_rfc5322 takes RFC 5322 section 3.3 and its obsolete forms:
 * an optional day of week, comments and folding white space anywhere,
 * two- and three-digit years (section 4.3), missing seconds, zones as
 * +hhmm/-hhmm, UT, GMT, the US zones and military letters (the letters
 * count as -0000, as 4.3 advises) and no zone (UTC).
 * Errors: anything else, and anything out of range (years 1900-9999,
 * days beyond the month, hours > 23, zones beyond +-99:59), is -1.
 * Input comes from clients and from message headers: hostile.
 */
#ifndef HATO_IMAP_DATE_H
#define HATO_IMAP_DATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

/* imap_date_parse - SEARCH's date into *day_r (days since the epoch) */
int imap_date_parse(const char *s, int64_t *day_r);
/* imap_date_time_parse - APPEND's date-time into *t_r and its zone */
int imap_date_time_parse(const char *s, time_t *t_r, int *zone_r);
/* imap_date_time_format - t as seen at zone, appended to out (no quotes) */
void imap_date_time_format(time_t t, int zone, struct buf *out);
/* imap_date_time_format_local - the same at the server's local zone */
void imap_date_time_format_local(time_t t, struct buf *out);
/* imap_date_rfc5322 - a Date: field's value into *t_r and its zone */
int imap_date_rfc5322(const char *s, size_t len, time_t *t_r, int *zone_r);
/* imap_date_day_of - the day (since the epoch) t falls on at zone */
int64_t imap_date_day_of(time_t t, int zone);
/* imap_date_local_day - the day t falls on in the server's local zone */
int64_t imap_date_local_day(time_t t);
/* imap_date_days - days since the epoch of a civil date (month 1-12) */
int64_t imap_date_days(int year, int month, int day);

#endif
