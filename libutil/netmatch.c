/* netmatch - address match lists; see netmatch.h.
 * The client address and host name come from the network: they are only
 * parsed (inet_addr_parse) and compared, never used to build a path. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dict.h"
#include "inet_prefix.h"
#include "mem.h"
#include "netmatch.h"
#include "strv.h"

enum item_kind { ITEM_PREFIX, ITEM_TABLE, ITEM_HOST };
enum { MAX_FILE_DEPTH = 8, MAX_ITEMS = 100000 };

struct item {
	enum item_kind kind;
	bool negate;
	struct inet_prefix prefix;
	struct dict *dict;
	char *host;		/* lower case; leading '.' = subdomains only */
};

struct netmatch {
	char *title;
	struct item *items;
	size_t len, cap;
	struct buf *error;
};

static int add_list(struct netmatch *m, const char *list, const char *where, int depth,
		    struct buf *why);

/* push - a new zeroed item at the end */
static struct item *push(struct netmatch *m)
{
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->items = xrealloc(m->items, mem_mul_size(m->cap, sizeof(*m->items)));
	}
	memset(&m->items[m->len], 0, sizeof(m->items[0]));
	return &m->items[m->len++];
}

/* add_file - the items in a file, line by line */
static int add_file(struct netmatch *m, const char *path, int depth, struct buf *why)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, where[4200];
	size_t cap = 0;
	int lineno = 0, rc = 0;

	if (fp == NULL) {
		buf_printf(why, "%s: open %s: %m", m->title, path);
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, fp) >= 0) {
		char *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = '\0';
		snprintf(where, sizeof(where), "%s, line %d", path, lineno);
		rc = add_list(m, line, where, depth + 1, why);
	}
	free(line);
	fclose(fp);
	return rc;
}

/* is_host_pattern - letters, digits, '-', '.', '_' only */
static bool is_host_pattern(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != '_')
			return false;
	return true;
}

/* is_table_spec - "type:name" with a known table type */
static bool is_table_spec(const char *word)
{
	const char *colon = strchr(word, ':');
	char type[32];
	size_t n = colon ? (size_t)(colon - word) : 0;

	if (n == 0 || n >= sizeof(type))
		return false;
	memcpy(type, word, n);
	type[n] = '\0';
	return dict_type_known(type);
}

/* add_item - one word of a list */
static int add_item(struct netmatch *m, const char *word, const char *where, int depth,
		    struct buf *why)
{
	bool negate = false;
	struct item *it;
	struct buf *err;

	while (*word == '!') {
		negate = !negate;
		word++;
	}
	if (*word == '/' && !negate) {
		if (depth < MAX_FILE_DEPTH)
			return add_file(m, word, depth, why);
		buf_printf(why, "%s: %s: files nested too deeply", m->title, word);
		return -1;
	}
	if (m->len >= MAX_ITEMS) {
		buf_printf(why, "%s: more than %d items", m->title, MAX_ITEMS);
		return -1;
	}
	it = push(m);
	it->negate = negate;
	err = buf_new(0);
	if (is_table_spec(word)) {
		it->kind = ITEM_TABLE;
		it->dict = dict_open_surrogate(word, DICT_FLAG_FOLD_KEY);
	} else if (inet_prefix_parse(word, &it->prefix, err) == 0) {
		it->kind = ITEM_PREFIX;
	} else if (is_host_pattern(word) && strspn(word, "0123456789./") != strlen(word)) {
		it->kind = ITEM_HOST;
		it->host = xstrdup(word);
		for (char *p = it->host; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	} else {
		buf_printf(why, "%s: %s", where ? where : m->title, buf_str(err));
		m->len--;
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	return 0;
}

/* add_list - every word of a comma/space separated list */
static int add_list(struct netmatch *m, const char *list, const char *where, int depth,
		    struct buf *why)
{
	struct strv *words = strv_split(list, ", \t\r\n");
	int rc = 0;

	for (size_t i = 0; i < words->len && rc == 0; i++)
		rc = add_item(m, words->items[i], where, depth, why);
	strv_free(&words);
	return rc;
}

/* netmatch_new - parse a list; NULL with why on a bad item */
struct netmatch *netmatch_new(const char *title, const char *list, struct buf *why)
{
	struct netmatch *m = xmalloc(sizeof(*m));

	m->title = xstrdup(title);
	m->error = buf_new(0);
	if (add_list(m, list, NULL, 0, why) < 0)
		netmatch_free(&m);
	return m;
}

/* netmatch_free - release the list and its tables */
void netmatch_free(struct netmatch **mp)
{
	struct netmatch *m = *mp;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->len; i++) {
		dict_close(&m->items[i].dict);
		free(m->items[i].host);
	}
	free(m->items);
	free(m->title);
	buf_free(&m->error);
	free(m);
	*mp = NULL;
}

/* host_matches - "example.com" matches it and subdomains; ".example.com" subdomains */
static bool host_matches(const char *pattern, const char *host)
{
	size_t plen = strlen(pattern), hlen = strlen(host);

	if (pattern[0] == '.')
		return hlen > plen && strcasecmp(host + hlen - plen, pattern) == 0;
	if (strcasecmp(host, pattern) == 0)
		return true;
	return hlen > plen && host[hlen - plen - 1] == '.' &&
	       strcasecmp(host + hlen - plen, pattern) == 0;
}

/* table_matches - look up the address, then the host name */
static int table_matches(struct netmatch *m, struct item *it, const char *addr,
			 const char *host)
{
	const char *keys[] = { addr, host };
	const char *v;

	for (size_t i = 0; i < 2; i++) {
		int rc;

		if (keys[i] == NULL || *keys[i] == '\0' || strcmp(keys[i], "unknown") == 0)
			continue;
		rc = dict_lookup(it->dict, keys[i], &v);
		if (rc < 0) {
			buf_reset(m->error);
			buf_printf(m->error, "%s: %s:%s: %s", m->title, it->dict->type,
				   it->dict->name, dict_error(it->dict));
			return -1;
		}
		if (rc == 1)
			return 1;
	}
	return 0;
}

/* item_matches - 1, 0 or -1 (table error) for one item */
static int item_matches(struct netmatch *m, struct item *it, const char *addr,
			const struct inet_addr *a, bool have_addr, const char *host)
{
	switch (it->kind) {
	case ITEM_PREFIX:
		return have_addr && inet_prefix_contains(&it->prefix, a);
	case ITEM_HOST:
		return host && *host && strcmp(host, "unknown") != 0 && host_matches(it->host, host);
	case ITEM_TABLE:
		return table_matches(m, it, addr, host);
	}
	return 0;
}

/* netmatch_match - 1 if the client matches, 0 if not, -1 on a table error */
int netmatch_match(struct netmatch *m, const char *addr, const char *hostname)
{
	struct inet_addr a;
	bool have_addr = addr && inet_addr_parse(addr, &a) == 0;

	for (size_t i = 0; i < m->len; i++) {
		int rc = item_matches(m, &m->items[i], addr, &a, have_addr, hostname);

		if (rc != 0)
			return rc < 0 ? -1 : !m->items[i].negate;
	}
	return 0;
}

/* netmatch_error - why netmatch_match returned -1 */
const char *netmatch_error(const struct netmatch *m)
{
	return buf_str(m->error);
}
