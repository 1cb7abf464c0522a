/* env_import_test - import_environment keeps, sets and removes. */
#include <stdlib.h>
#include <string.h>

#include "env_import.h"
#include "test.h"

extern char **environ;

/* env_count - variables now set */
static int env_count(void)
{
	int n = 0;

	while (environ && environ[n])
		n++;
	return n;
}

/* env_save - a copy of every NAME=VALUE, to put back after the cases */
static char **env_save(void)
{
	int n = env_count();
	char **copy = calloc((size_t)n + 1, sizeof(*copy));

	for (int i = 0; i < n; i++)
		copy[i] = strdup(environ[i]);
	return copy;
}

/* env_restore - the saved environment again, and the copy freed */
static void env_restore(char **copy)
{
	clearenv();
	for (int i = 0; copy[i]; i++) {
		char *eq = strchr(copy[i], '=');

		if (eq) {
			*eq = '\0';
			setenv(copy[i], eq + 1, 1);
		}
		free(copy[i]);
	}
	free(copy);
}

void test_env_import(void)
{
	char **saved = env_save();

	test_begin("env_import: keeps listed names, sets NAME=VALUE, removes the rest");
	setenv("TZ", "Europe/Paris", 1);
	setenv("LD_PRELOAD", "/tmp/evil.so", 1);
	setenv("HATO_SECRET", "x", 1);
	unsetenv("MAIL_DEBUG");
	env_import("MAIL_CONFIG, MAIL_DEBUG TZ LANG=C\tEMPTY=");
	test_assert_str(getenv("TZ"), "Europe/Paris");
	test_assert_str(getenv("LANG"), "C");
	test_assert_str(getenv("EMPTY"), "");
	test_assert(getenv("LD_PRELOAD") == NULL);
	test_assert(getenv("HATO_SECRET") == NULL);
	test_assert(getenv("MAIL_DEBUG") == NULL);
	test_assert(env_count() == 3);
	test_end();

	test_begin("env_import: a bad name is skipped with a warning; empty list empties");
	setenv("KEEP", "1", 1);
	env_import("1BAD=x KEEP A-B");
	test_expect_log("import_environment: ignoring \"1BAD=x\"");
	test_assert_str(getenv("KEEP"), "1");
	test_assert(env_count() == 1);
	env_import("");
	test_assert(env_count() == 0);
	test_end();

	env_restore(saved);
}
