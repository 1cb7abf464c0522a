/* postmap_query - look keys up (-q) and list tables (-s).
 *
 * -q KEY prints the value from the first table that has KEY; -q - reads
 * keys from standard input, one per line, and prints "key<TAB>value" for
 * each one found.  Exit 0 when something was found, 1 when not, 2 when a
 * table could not be read (a temporary error is never "not found").
 * postalias prints and lists "key:<TAB>value", as Postfix does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "log.h"
#include "mem.h"
#include "postmap.h"

enum { STDIN_MAX = 64 << 20 };

/* postmap_read_stdin - all of standard input, bounded */
int postmap_read_stdin(struct buf *text)
{
	char chunk[8192];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (buf_len(text) + n > STDIN_MAX) {
			log_error("standard input is larger than %d bytes", STDIN_MAX);
			return -1;
		}
		buf_add(text, chunk, n);
	}
	if (ferror(stdin)) {
		log_error("read standard input: %m");
		return -1;
	}
	return 0;
}

/* open_tables - every table argument for reading; NULL entries failed */
static struct dict **open_tables(const struct postmap_opts *o, char **args, int n, int *errors)
{
	struct dict **d = xcalloc((size_t)n + 1, sizeof(*d));
	struct buf *why = buf_new(0);

	for (int i = 0; i < n; i++) {
		char *spec = postmap_spec(o, args[i]);

		buf_reset(why);
		if ((d[i] = dict_open(spec, o->fold ? DICT_FLAG_FOLD_KEY : 0, why)) == NULL) {
			log_error("%s", buf_str(why));
			(*errors)++;
		} else if (d[i]->nerrors) {
			(*errors)++;
		}
		free(spec);
	}
	buf_free(&why);
	return d;
}

/* lookup_first - the value of key in the first table that has it */
static int lookup_first(struct dict **d, int n, const char *key, const char **value_r)
{
	for (int i = 0; i < n; i++) {
		int rc;

		if (d[i] == NULL)
			continue;
		if ((rc = dict_lookup(d[i], key, value_r)) < 0)
			log_error("%s:%s: %s", d[i]->type, d[i]->name, dict_error(d[i]));
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* print_entry - "key<TAB>value" (postalias: "key:<TAB>value") */
static void print_entry(const struct postmap_opts *o, const char *key, const char *value)
{
	printf("%s%s\t%s\n", key, o->syntax == MAPFILE_ALIASES ? ":" : "", value);
}

/* postmap_query - -q KEY or -q - */
int postmap_query(const struct postmap_opts *o, const char *key, char **args, int n)
{
	int errors = 0, found = 0, rc;
	struct dict **d = open_tables(o, args, n, &errors);
	const char *value;

	if (strcmp(key, "-") != 0) {
		if ((rc = lookup_first(d, n, key, &value)) > 0)
			printf("%s\n", value);
		found = rc > 0;
		errors += rc < 0;
	} else {
		struct buf *text = buf_new(4096);
		struct strv *keys = NULL;

		if (postmap_read_stdin(text) < 0)
			errors++;
		else
			keys = strv_split(buf_str(text), "\r\n");
		for (size_t k = 0; keys && k < keys->len; k++) {
			if ((rc = lookup_first(d, n, keys->items[k], &value)) > 0)
				print_entry(o, keys->items[k], value);
			found += rc > 0;
			errors += rc < 0;
		}
		strv_free(&keys);
		buf_free(&text);
	}
	for (int i = 0; i < n; i++)
		dict_close(&d[i]);
	free(d);
	fflush(stdout);
	return errors ? 2 : found ? 0 : 1;
}

/* postmap_show - -s: every entry of the table */
int postmap_show(const struct postmap_opts *o, const char *arg)
{
	int errors = 0, rc;
	struct dict **d = open_tables(o, (char **)&arg, 1, &errors);
	const char *k, *v;

	if (d[0] == NULL) {
		free(d);
		return 2;
	}
	for (rc = dict_seq(d[0], DICT_SEQ_FIRST, &k, &v); rc > 0;
	     rc = dict_seq(d[0], DICT_SEQ_NEXT, &k, &v))
		print_entry(o, k, v);
	if (rc < 0) {
		log_error("%s:%s: %s", d[0]->type, d[0]->name, dict_error(d[0]));
		errors++;
	}
	dict_close(&d[0]);
	free(d);
	fflush(stdout);
	return errors ? 2 : 0;
}
