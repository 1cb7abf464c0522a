/* showq_format - one queued message as Postfix's mailq text or as one
 * JSON object per line (postqueue -p, postqueue -j).
 *
 * Text, Postfix's layout for long queue IDs with the ID column widened to
 * 19 = an 18-character ID plus its status mark ('*' active, '!' hold):
 *   -----Queue ID------ --Size-- ---Arrival Time---- --Sender/Recipient------
 *   1nQd3A0fUq00Gx01Kp*     1234 Thu Jan  4 12:00:00 sender@example.org
 *                                                          (deferral reason)
 *                                                    rcpt@example.com
 * the reason line right-aligned to column 78 and printed when it differs
 * from the previous recipient's ("reason unavailable" after one with a
 * reason), a blank line between messages, "-- N Kbytes in M Requests."
 * or "Mail queue is empty" at the end.  The null sender is MAILER-DAEMON.
 * JSON: Postfix's field names and order (queue_name, queue_id,
 * arrival_time, message_size, forced_expire, sender, recipients with
 * address and, when known, delay_reason).  Control bytes become '?' in
 * the text and invalid UTF-8 becomes '?' in JSON, so neither a terminal
 * nor a JSON parser sees bytes it cannot take.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "showq.h"

#define EMPTY_SENDER "MAILER-DAEMON"

enum { ID_WIDTH = 19, REASON_RIGHT = 76 };

/* put_printable - s with control bytes as '?' */
static void put_printable(struct buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		buf_putc(out, *p < 0x20 || *p == 0x7f ? '?' : *p);
}

/* utf8_len - length of the valid UTF-8 sequence at p, 0 if invalid */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)		/* stops at the NUL too */
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* no overlong forms, surrogates or code points past U+10FFFF */
	if ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0)
	    || (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

/* put_json - s as a JSON string, invalid UTF-8 as '?' */
static void put_json(struct buf *out, const char *s)
{
	struct buf *clean = buf_new(strlen(s) + 1);

	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);

		if (n == 0) {
			buf_putc(clean, '?');
			p++;
		} else {
			buf_add(clean, p, n);
			p += n;
		}
	}
	json_quote(out, buf_str(clean));
	buf_free(&clean);
}

/* arrival_text - asctime()'s first 19 characters: "Thu Jan  4 12:00:00" */
static void arrival_text(char out[64], long arrival)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)arrival;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		tm = (struct tm){ .tm_mday = 1, .tm_year = 70 };
	snprintf(out, 64, "%.3s %.3s %2d %02d:%02d:%02d", days[tm.tm_wday % 7], months[tm.tm_mon % 12],
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* showq_text_msg - one message; first: the heading goes before it,
 * otherwise the blank line that separates messages */
void showq_text_msg(struct buf *out, const struct showq_msg *m, bool first)
{
	const char *mark = strcmp(m->queue, "active") == 0 ? "*" : strcmp(m->queue, "hold") == 0 ? "!" : "";
	const char *last_reason = "";
	char when[64], id[QUEUE_ID_SIZE + 2];

	if (first)
		buf_printf(out, "%-*s %8s %-19s %s\n", ID_WIDTH, "-----Queue ID------", "--Size--",
			   "---Arrival Time----", "--Sender/Recipient------");
	else
		buf_putc(out, '\n');
	arrival_text(when, m->arrival);
	snprintf(id, sizeof(id), "%s%s", m->id, mark);
	buf_printf(out, "%-*s %8ld %19.19s ", ID_WIDTH, id, m->size, when);
	put_printable(out, *m->sender ? m->sender : EMPTY_SENDER);
	buf_putc(out, '\n');
	for (size_t i = 0; i < m->nrcpts; i++) {
		const char *reason = m->rcpts[i].reason ? m->rcpts[i].reason : "";

		if (strcmp(reason, last_reason) != 0) {
			const char *show = *reason ? reason : "reason unavailable";
			int pad = REASON_RIGHT - (int)strlen(show);

			buf_printf(out, "%*s(", pad > 0 ? pad : 0, "");
			put_printable(out, show);
			buf_cat(out, ")\n");
			last_reason = reason;
		}
		buf_printf(out, "%*s", ID_WIDTH + 1 + 8 + 1 + 19 + 1, "");
		put_printable(out, m->rcpts[i].address);
		buf_putc(out, '\n');
	}
}

/* showq_text_end - the closing line */
void showq_text_end(struct buf *out, unsigned long count, unsigned long long bytes)
{
	if (count == 0)
		buf_cat(out, "Mail queue is empty\n");
	else
		buf_printf(out, "\n-- %llu Kbytes in %lu Request%s.\n", bytes / 1024, count,
			   count == 1 ? "" : "s");
}

/* showq_json_msg - one message as one line of JSON */
void showq_json_msg(struct buf *out, const struct showq_msg *m)
{
	buf_cat(out, "{\"queue_name\": ");
	put_json(out, m->queue);
	buf_cat(out, ", \"queue_id\": ");
	put_json(out, m->id);
	buf_printf(out, ", \"arrival_time\": %ld, \"message_size\": %ld, \"forced_expire\": false, "
		   "\"sender\": ", m->arrival, m->size);
	put_json(out, *m->sender ? m->sender : EMPTY_SENDER);
	buf_cat(out, ", \"recipients\": [");
	for (size_t i = 0; i < m->nrcpts; i++) {
		buf_cat(out, i ? ", {\"address\": " : "{\"address\": ");
		put_json(out, m->rcpts[i].address);
		if (m->rcpts[i].reason && *m->rcpts[i].reason) {
			buf_cat(out, ", \"delay_reason\": ");
			put_json(out, m->rcpts[i].reason);
		}
		buf_putc(out, '}');
	}
	buf_cat(out, "]}\n");
}
