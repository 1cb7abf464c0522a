/* test - the in-tree unit test framework (tests only, not in libutil.a).
 *
 *   void test_buf(void) {
 *       test_begin("buf_printf");
 *       test_assert(buf_len(b) == 3);
 *       test_assert_str(buf_str(b), "abc");
 *       test_expect_log("main.cf, line 5:");   // some log line contains it
 *       test_end();
 *   }
 *
 * Every FOO_test.c defines void test_FOO(void); the Makefile finds them and
 * generates the list (X-macro T(FOO)), so adding a test file needs no other
 * edit.  Output is one "ok - NAME" or "not ok - NAME" line per test case,
 * which tests/run counts.  Log messages are captured, not printed, during a
 * case; fatal errors longjmp back into TEST_FATAL() when armed.
 * test_storm_begin(sig, every_ms, count) has a child send sig to the
 * runner count times, every_ms apart, caught by a handler without
 * SA_RESTART (every blocking call sees EINTR); test_storm_end() stops it
 * and says how many arrived.
 */
#ifndef HATO_TEST_H
#define HATO_TEST_H

#include <setjmp.h>
#include <stdbool.h>
#include <sys/types.h>

void test_begin(const char *name);
bool test_end(void);
void test_fail_at(const char *file, int line, const char *what);
bool test_logged(const char *substr);
void test_expect_log_at(const char *file, int line, const char *substr);
const char *test_datadir(void);
char *test_tmpfile(const char *contents);
pid_t test_storm_begin(int sig, int every_ms, int count);
int test_storm_end(pid_t pid);

extern jmp_buf *test_fatal_jmp;

#define test_assert(cond) do { \
	if (!(cond)) test_fail_at(__FILE__, __LINE__, "assertion failed: " #cond); \
} while (0)
#define test_assert_str(got, want) do { \
	const char *test_g_ = (got), *test_w_ = (want); \
	if (test_g_ == NULL || strcmp(test_g_, test_w_) != 0) \
		test_fail_str(__FILE__, __LINE__, #got, test_g_, test_w_); \
} while (0)
#define test_expect_log(substr) test_expect_log_at(__FILE__, __LINE__, substr)

/* TEST_FATAL - true if running stmt called log_fatal() */
#define TEST_FATAL(stmt) ({ \
	jmp_buf test_jb_; bool test_hit_ = false; \
	test_fatal_jmp = &test_jb_; \
	if (setjmp(test_jb_) == 0) { stmt; } else test_hit_ = true; \
	test_fatal_jmp = NULL; test_hit_; })

void test_fail_str(const char *file, int line, const char *expr,
		   const char *got, const char *want);

#endif
