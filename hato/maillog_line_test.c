/* maillog_line_test - the queue ID of text and JSON maillog lines. */
#include <string.h>

#include "maillog_line.h"
#include "test.h"

/* id_of - maillog_line_id of s, or "-" */
static const char *id_of(const char *s)
{
	static char id[MAILLOG_ID_SIZE];

	return maillog_line_id(s, strlen(s), id) ? id : "-";
}

/* session_of - maillog_line_session of s, or "-" */
static const char *session_of(const char *s)
{
	static char id[SESSION_ID_SIZE];

	return maillog_line_session(s, strlen(s), id) ? id : "-";
}

void test_maillog_line(void)
{
	char id[MAILLOG_ID_SIZE];
	const char *bounce = "Dec  7 12:00:01 mx hato/qmgr[7]: 1nQd3A0fUq00Gx01Kp: sender "
			     "non-delivery notification: 1nQd3B0aaa00Gx01Zz\n";

	test_begin("maillog_line: the queue ID of a text line, with or without a level");
	test_assert_str(id_of("Dec  7 12:00:00 mx hato/smtpd[12]: 1nQd3A0fUq00Gx01Kp: client=a[1.2.3.4]\n"),
			"1nQd3A0fUq00Gx01Kp");
	test_assert_str(id_of("Dec  7 12:00:00 mx postfix/qmgr[3]: warning: 4F3A2B1C0D: x\n"),
			"4F3A2B1C0D");
	test_assert_str(id_of("Dec  7 12:00:00 mx hato/smtpd[12]: connect from a[1.2.3.4]\n"), "-");
	test_assert_str(id_of("Dec  7 12:00:00 mx hato/anvil[12]: statistics: max rate 1/60s\n"),
			"-");
	test_assert_str(id_of("Dec  7 12:00:00 mx hato/smtpd[12]: NOQUEUE: reject: RCPT\n"), "-");
	test_assert_str(id_of("Dec  7 12:00:00 mx hato/smtpd[12]: 1nQd3A0fUq00Gx01Kp0123: x\n"),
			"-");		/* 22 characters: too long */
	test_assert_str(id_of("Dec  7 12:00:00 mx hato/smtpd[12]: 1nQd3A0fUq00Gx01Kp"), "-");
	test_assert_str(id_of("no bracket: 1nQd3A0fUq00Gx01Kp: x\n"), "-");
	test_end();

	test_begin("maillog_line: JSON lines, and the notification a line names");
	test_assert_str(id_of("{\"time\":\"t\",\"queue_id\":\"1nQd3A0fUq00Gx01Kp\",\"message\":\"x\"}\n"),
			"1nQd3A0fUq00Gx01Kp");
	test_assert_str(id_of("{\"time\":\"t\",\"message\":\"1nQd3A0fUq00Gx01Kp: x\"}\n"), "-");
	test_assert_str(id_of("{\"queue_id\":\"1nQd3A0fUq00Gx01Kp"), "-");	/* cut short */
	test_assert(maillog_line_after(bounce, strlen(bounce), "sender non-delivery notification: ",
				       id) && strcmp(id, "1nQd3B0aaa00Gx01Zz") == 0);
	test_assert(!maillog_line_after(bounce, strlen(bounce), "delay notification: ", id));
	test_assert(!maillog_line_after("notification:  x", 16, "notification: ", id));
	test_assert(log_id_like("1nQd3A0fUq", 10) && !log_id_like("abcdefghij", 10)
		    && !log_id_like("1nQd3A0f/q", 10) && !log_id_like("1nQd3A0fU", 9));
	test_end();

	test_begin("maillog_line: the session a text or JSON line ends with");
	test_assert_str(session_of("Dec  7 12:00:00 mx hato/imapd[9]: warning: x, "
				   "session=<q8Z5k3YV+Mt/AAAB>\n"), "q8Z5k3YV+Mt/AAAB");
	test_assert_str(session_of("Dec  7 12:00:00 mx hato/authd[9]: auth ok: user=<a>, "
				   "session=<q8Z5k3YV+Mt/AAAB>"), "q8Z5k3YV+Mt/AAAB");
	test_assert_str(session_of("{\"level\":\"info\",\"session\":\"q8Z5k3YV+Mt/AAAB\","
				   "\"message\":\"x\"}\n"), "q8Z5k3YV+Mt/AAAB");
	/* in the middle of a text line it is the client's text, not ours */
	test_assert_str(session_of("Dec  7 x hato/smtpd[9]: x, session=<q8Z5k3YV+Mt/AAAB> y\n"), "-");
	test_assert_str(session_of("Dec  7 x hato/imapd[9]: x, session=<q8Z5k3YV+Mt/AAA>\n"), "-");
	test_assert_str(session_of("Dec  7 x hato/imapd[9]: x, session=<q8Z5k3YV+Mt/AA!B>\n"), "-");
	test_assert_str(session_of("{\"session\":\"q8Z5k3YV+Mt/AAAB"), "-");	/* cut short */
	test_assert_str(session_of(">"), "-");
	test_end();
}
