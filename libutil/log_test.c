/* log_test - maillog_file lines in Postfix's format and in JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "test.h"

/* slurp - a small file's contents */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s = xmalloc(4096);
	size_t n = fp ? fread(s, 1, 4095, fp) : 0;

	if (fp)
		fclose(fp);
	s[n] = '\0';
	return s;
}

/* test_log - file destination, both formats, no line forging */
void test_log(void)
{
	const char *err = NULL;
	char path[512], want[128], *text;

	snprintf(path, sizeof(path), "%s/maillog", test_datadir());
	test_begin("log: maillog_file in Postfix's line format");
	test_assert(log_open(LOG_DEST_FILE, path, LOG_FORMAT_TEXT, "hato", &err) == 0);
	log_info("3F2A1B: client=localhost[127.0.0.1]");
	log_warn("bad thing\nforged line");
	text = slurp(path);
	snprintf(want, sizeof(want), " hato/unit[%ld]: 3F2A1B: client=localhost[127.0.0.1]\n", (long)getpid());
	test_assert(strstr(text, want) != NULL);
	test_assert(strstr(text, ": warning: bad thing forged line\n") != NULL);
	test_assert(text[3] == ' ' && text[6] == ' ' && text[9] == ':');	/* "Mon DD HH:MM:SS" */
	free(text);
	test_end();

	test_begin("log: maillog_format = json");
	unlink(path);
	test_assert(log_open(LOG_DEST_FILE, path, LOG_FORMAT_JSON, "hato", &err) == 0);
	log_warn("quote \" and \\ and \t tab");
	text = slurp(path);
	test_assert(strncmp(text, "{\"time\":\"", 9) == 0);
	test_assert(strstr(text, "\"program\":\"hato/unit\"") != NULL);
	test_assert(strstr(text, "\"level\":\"warning\",\"message\":\"quote \\\" and \\\\ and \\t tab\"}\n") != NULL);
	free(text);
	test_end();

	test_begin("log: a JSON line about a message has its queue_id");
	unlink(path);
	test_assert(log_open(LOG_DEST_FILE, path, LOG_FORMAT_JSON, "hato", &err) == 0);
	log_info("1nQd3A0fUq00Gx01Kp: removed");
	log_info("statistics: 1 connection");
	text = slurp(path);
	test_assert(strstr(text, "\"level\":\"info\",\"queue_id\":\"1nQd3A0fUq00Gx01Kp\","
			   "\"message\":\"1nQd3A0fUq00Gx01Kp: removed\"}\n") != NULL);
	test_assert(strstr(text, "\"level\":\"info\",\"message\":\"statistics: 1 connection\"}\n")
		    != NULL);
	free(text);
	test_end();

	test_begin("log: a session's lines carry its id (JSON always, text when asked)");
	unlink(path);
	test_assert(log_open(LOG_DEST_FILE, path, LOG_FORMAT_JSON, "hato", &err) == 0);
	log_set_session("q8Z5k3YV+Mt/AAAB", false);
	log_info("connect from a[1.2.3.4]");
	log_set_session(NULL, false);
	log_info("statistics: none");
	text = slurp(path);
	test_assert(strstr(text, "\"level\":\"info\",\"session\":\"q8Z5k3YV+Mt/AAAB\","
			   "\"message\":\"connect from a[1.2.3.4]\"}\n") != NULL);
	test_assert(strstr(text, "\"message\":\"statistics: none\"}\n") != NULL);
	test_assert(strstr(text, "statistics: none\"}") && strstr(strstr(text, "statistics"), "session") == NULL);
	free(text);
	unlink(path);
	test_assert(log_open(LOG_DEST_FILE, path, LOG_FORMAT_TEXT, "hato", &err) == 0);
	log_set_session("q8Z5k3YV+Mt/AAAB", false);
	log_info("connect from b[1.2.3.4]");
	log_set_session("q8Z5k3YV+Mt/AAAB", true);
	log_warn("user x: logged in");
	log_set_session("bad id\n", true);		/* refused: none is set */
	log_info("after a bad id");
	test_assert(strcmp(log_session(), "") == 0);
	text = slurp(path);
	test_assert(strstr(text, ": connect from b[1.2.3.4]\n") != NULL);
	test_assert(strstr(text, ": warning: user x: logged in, session=<q8Z5k3YV+Mt/AAAB>\n") != NULL);
	test_assert(strstr(text, ": after a bad id\n") != NULL);
	free(text);
	test_end();

	test_begin("log: unwritable maillog_file is an error, not a crash");
	test_assert(log_open(LOG_DEST_FILE, "/nonexistent/dir/maillog", LOG_FORMAT_TEXT, NULL, &err) == -1);
	test_assert(err != NULL);
	test_end();
	log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
}
