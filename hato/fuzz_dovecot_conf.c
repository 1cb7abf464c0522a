/* fuzz_dovecot_conf - libFuzzer target for the Dovecot configuration
 * reader (dovecot_conf.c).  The input is split at NUL bytes into files
 * named /d/0, /d/1, ... (the first is dovecot.conf), so includes, include
 * loops and globs are reached.  Checks: a tree or an error that names a
 * file and a line; every node has a file, a positive line and a key; the
 * tree is no deeper than DOVECOT_MAX_NEST; hato import's translation of
 * the tree (hato_import_dovecot.c) makes master.cf lines that parse and a
 * main.cf that still reads. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovecot_conf.h"
#include "hato_import.h"
#include "master_cf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - abort (a finding) unless cond */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* walk - the node invariants, depth first */
static void walk(const struct dovecot_node *sec, int depth)
{
	check(depth <= DOVECOT_MAX_NEST);
	for (const struct dovecot_node *n = sec->child; n; n = n->next) {
		check(n->file && n->line > 0 && n->key && n->parent == sec);
		check((n->kind == DOVECOT_SETTING) == (n->value != NULL));
		if (n->kind == DOVECOT_SECTION)
			walk(n, depth + 1);
	}
}

/* translate - hato import's translation of the tree */
static void translate(const struct dovecot_node *root)
{
	static const char main_cf[] = "passdb = system\n";
	struct import im = { .dir = "/etc/hato", .services = buf_new(256), .headers = strv_new(),
			     .problems = strv_new(), .notes = strv_new() };
	struct buf *why = buf_new(64), *text = buf_new(256);
	struct master_cf *m;
	struct config *c;

	im.main_cf = cfgedit_from_text(main_cf, sizeof(main_cf) - 1);
	im.hato = config_read_text("/etc/hato/main.cf", main_cf, sizeof(main_cf) - 1, CONFIG_QUIET, why);
	import_dovecot_tree(&im, root, "/d/0");
	m = master_cf_parse_text("(generated)", buf_str(im.services), buf_len(im.services), why);
	check(m != NULL);
	cfgedit_text(im.main_cf, text);
	c = config_read_text("/etc/hato/main.cf", buf_str(text), buf_len(text), CONFIG_QUIET, why);
	check(c != NULL);
	config_free(&c);
	master_cf_free(&m);
	cfgedit_free(&im.main_cf);
	config_free(&im.hato);
	buf_free(&im.services);
	strv_free(&im.headers);
	strv_free(&im.problems);
	strv_free(&im.notes);
	buf_free(&why);
	buf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strv *names = strv_new(), *texts = strv_new();
	struct buf *why = buf_new(64);
	struct dovecot_conf *dc;
	size_t start = 0;
	char name[32];

	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\0')
			continue;
		snprintf(name, sizeof(name), "/d/%zu", names->len);
		strv_add(names, name);
		strv_addn(texts, (const char *)data + start, i - start);
		start = i + 1;
	}
	dc = dovecot_conf_read_memory(names, texts, why);
	if (dc) {
		walk(dc->root, 0);
		translate(dc->root);
	}
	else
		check(strstr(buf_str(why), "/d/") != NULL);
	dovecot_conf_free(&dc);
	strv_free(&names);
	strv_free(&texts);
	buf_free(&why);
	return 0;
}
