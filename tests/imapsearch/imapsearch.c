/* imapsearch - run SEARCH programs through imapmail_search on a Maildir
 * (a test tool, never installed).
 *
 *   imapsearch MAILDIR < queries     one "* SEARCH uid..." line per query
 *   imapsearch --envelope MAILDIR < queries   the same, each message given
 *                                    its envelope fields as the index's
 *                                    cache keeps them (mime_parts), its
 *                                    file only when a key still needs it
 *   imapsearch --utf7 < names        per mailbox name "ok UTF-8" or "bad"
 *   imapsearch --internaldate FILE   the file's mtime as INTERNALDATE
 *
 * Each input line is the text after "UID SEARCH", read by the command
 * reader imapd and imapmail use (global/imap_parse; no literals, but
 * quoted strings may hold UTF-8).  UIDs
 * come from MAILDIR/dovecot-uidlist (written by Dovecot on the same
 * Maildir), keywords from dovecot-keywords; flags from the file names,
 * sizes counted with CRLF line ends, internal dates from the mtimes.
 * Nothing is recent.  A bad program prints "BAD <why>" or "NO <why>".
 * RETURN (SAVE) keeps its hits for '$' in the programs after it.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap_date.h"
#include "imap_parse.h"
#include "imap_utf7.h"
#include "imapmail_search.h"
#include "mem.h"
#include "mime_parts.h"

struct msg {
	uint32_t uid;
	char path[8192];
	char flags[32];
	const char *kw[26];
	size_t n_kw;
	off_t size;
	time_t mtime;
};

static char *keywords[26];

/* load_keywords - "N name" lines of dovecot-keywords */
static void load_keywords(const char *dir)
{
	char path[4096], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dovecot-keywords", dir);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char name[1000];
		int i;

		if (sscanf(line, "%d %999s", &i, name) == 2 && i >= 0 && i < 26)
			keywords[i] = xstrdup(name);
	}
	fclose(f);
}

/* find_file - the file in cur/ or new/ whose base name is base */
static bool find_file(const char *dir, const char *base, struct msg *m)
{
	static const char *const subs[] = { "cur", "new" };

	for (int i = 0; i < 2; i++) {
		char d[4096];
		DIR *dp;
		struct dirent *e;

		snprintf(d, sizeof(d), "%s/%s", dir, subs[i]);
		if ((dp = opendir(d)) == NULL)
			continue;
		while ((e = readdir(dp)) != NULL) {
			size_t bl = strlen(base);

			if (strncmp(e->d_name, base, bl) == 0 && (e->d_name[bl] == ':' || e->d_name[bl] == '\0')) {
				snprintf(m->path, sizeof(m->path), "%s/%s", d, e->d_name);
				closedir(dp);
				return true;
			}
		}
		closedir(dp);
	}
	return false;
}

/* describe - flags, keywords, size and date of m's file */
static void describe(struct msg *m)
{
	const char *info = strstr(m->path, ":2,");
	struct stat st;
	FILE *f;
	int c, prev = 0;

	if (info != NULL) {
		for (const char *p = info + 3; *p; p++) {
			if (isupper((unsigned char)*p) && strlen(m->flags) < sizeof(m->flags) - 1)
				strncat(m->flags, p, 1);
			else if (*p >= 'a' && *p <= 'z' && keywords[*p - 'a'])
				m->kw[m->n_kw++] = keywords[*p - 'a'];
		}
	}
	if (stat(m->path, &st) == 0)
		m->mtime = st.st_mtime;
	if ((f = fopen(m->path, "r")) != NULL) {
		while ((c = getc(f)) != EOF) {
			m->size += 1 + (c == '\n' && prev != '\r');
			prev = c;
		}
		fclose(f);
	}
}

/* load - the messages in dovecot-uidlist order */
static struct msg *load(const char *dir, size_t *n_r)
{
	char path[4096], line[8192];
	struct msg *v = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/dovecot-uidlist", dir);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *sp;
		struct msg m = { 0 };

		if (!isdigit((unsigned char)line[0]) || colon == NULL)
			continue;
		m.uid = (uint32_t)strtoul(line, &sp, 10);
		colon[strcspn(colon, "\r\n")] = '\0';
		if (!find_file(dir, colon + 1, &m))
			continue;
		describe(&m);
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = m;
	}
	fclose(f);
	*n_r = n;
	return v;
}

/* program - q read by the command reader and parsed as a SEARCH
 * program, or NULL with the refusal printed */
static struct imapmail_search *program(const char *q)
{
	static const struct imap_limits lim = {
		.line_max = 65536, .literal_max = 65536, .command_max = 65536,
		.args_max = 10000, .depth_max = 100, .literal_plus = true,
	};
	struct imap_cmd *c = imap_cmd_new();
	struct imapmail_search *s = NULL;
	struct buf *why = buf_new(0), *line = buf_new(0);
	int rc;

	buf_printf(line, "x SEARCH %s\r\n", q);
	if (imap_cmd_parse_line(buf_str(line), buf_len(line), &lim, c) != IMAP_CMD_OK)
		printf("BAD %s\n", c->error ? c->error : "");
	else if ((rc = imapmail_search_parse(c->args, c->args_len, &s, why)) < 0)
		printf("%s %s\n", rc == -2 ? "NO" : "BAD", buf_str(why));
	imap_cmd_free(&c);
	buf_free(&why);
	buf_free(&line);
	return s;
}

static uint32_t *saved;		/* RETURN (SAVE)'s UIDs, for '$' */
static size_t n_saved;

/* save - the hits of a RETURN (SAVE) program, as imapmail keeps them:
 * with MIN and/or MAX alone only those (RFC 5182 2.1) */
static void save(unsigned ret, const uint32_t *hits, size_t n)
{
	bool minmax = (ret & (IMAPMAIL_SEARCH_RET_MIN | IMAPMAIL_SEARCH_RET_MAX)) &&
		      !(ret & (IMAPMAIL_SEARCH_RET_ALL | IMAPMAIL_SEARCH_RET_COUNT));

	free(saved);
	saved = xcalloc(n + 1, sizeof(*saved));
	n_saved = 0;
	for (size_t i = 0; i < n; i++)
		if (!minmax || (i == 0 && (ret & IMAPMAIL_SEARCH_RET_MIN)) ||
		    (i == n - 1 && (ret & IMAPMAIL_SEARCH_RET_MAX)))
			saved[n_saved++] = hits[i];
}

static bool use_envelope;	/* --envelope */

/* envelope_of - the envelope fields of the file at path into m, as the
 * index's cache has them: the parts holding them (NULL when not cacheable) */
static struct mime_parts *envelope_of(const char *path, struct imapmail_search_msg *m)
{
	struct buf *why = buf_new(0);
	struct mime_parts *p = NULL;
	int fd = open(path, O_RDONLY);

	if (fd >= 0 && mime_parts_read(fd, &p, why) == 0 && !p->envelope_over) {
		m->envelope = buf_str(p->envelope);
		m->envelope_len = buf_len(p->envelope);
	}
	if (fd >= 0)
		close(fd);
	buf_free(&why);
	return p;
}

/* run - one query line: its answer as UID SEARCH gives it ("* SEARCH"
 * when the writer says nothing, as for RETURN (SAVE) alone) */
static void run(const struct msg *v, size_t n, const char *q)
{
	struct imapmail_search *s = program(q);
	struct buf *out;
	uint32_t *hits;
	size_t k = 0;

	if (s == NULL)
		return;
	out = buf_new(0);
	hits = xcalloc(n + 1, sizeof(*hits));
	if (imapmail_search_uses_saved(s))
		imapmail_search_set_saved(s, saved, n_saved);
	for (size_t i = 0; i < n; i++) {
		struct imapmail_search_msg m = {
			.seq = (uint32_t)i + 1, .uid = v[i].uid, .flags = v[i].flags,
			.keywords = v[i].kw, .n_keywords = v[i].n_kw, .size = v[i].size,
			.internal_date = v[i].mtime, .fd = -1,
		};
		struct mime_parts *p = NULL;
		int rc;

		if (use_envelope && imapmail_search_envelope_helps(s))
			p = envelope_of(v[i].path, &m);
		rc = imapmail_search_match(s, &m, (uint32_t)n, n ? v[n - 1].uid : 0);
		if (rc < 0 && imapmail_search_needs_file(s) && (m.fd = open(v[i].path, O_RDONLY)) >= 0)
			rc = imapmail_search_match(s, &m, (uint32_t)n, n ? v[n - 1].uid : 0);
		if (rc == 1)
			hits[k++] = v[i].uid;
		if (m.fd >= 0)
			close(m.fd);
		mime_parts_free(&p);
	}
	if (imapmail_search_return(s) & IMAPMAIL_SEARCH_RET_SAVE)
		save(imapmail_search_return(s), hits, k);
	imapmail_search_result(s, "x", true, false, hits, k, 0, out);
	fputs(buf_len(out) ? buf_str(out) : "* SEARCH\n", stdout);
	imapmail_search_free(&s);
	free(hits);
	buf_free(&out);
}

/* codecs - the --utf7 and --internaldate modes: 0, or -1 if not one */
static int codecs(int argc, char **argv)
{
	char line[4096];
	struct buf *b = buf_new(64);
	struct stat st;

	if (argc == 2 && strcmp(argv[1], "--utf7") == 0) {
		while (fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = '\0';
			buf_reset(b);
			if (imap_utf7_to_utf8(line, b) == 0)
				printf("ok %s\n", buf_str(b));
			else
				printf("bad\n");
		}
	} else if (argc == 3 && strcmp(argv[1], "--internaldate") == 0 && stat(argv[2], &st) == 0) {
		imap_date_time_format_local(st.st_mtime, b);
		printf("\"%s\"\n", buf_str(b));
	} else {
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	return 0;
}

/* main - the codec modes, or the queries on stdin against MAILDIR */
int main(int argc, char **argv)
{
	char line[65536];
	struct msg *v;
	size_t n = 0;

	if (argc == 3 && strcmp(argv[1], "--envelope") == 0) {
		use_envelope = true;
		argv++;
		argc--;
	}
	if (argc > 1 && argv[1][0] == '-')
		return codecs(argc, argv) == 0 ? 0 : 2;
	if (argc != 2) {
		fprintf(stderr, "usage: imapsearch MAILDIR < queries\n");
		return 2;
	}
	load_keywords(argv[1]);
	if ((v = load(argv[1], &n)) == NULL) {
		fprintf(stderr, "imapsearch: no dovecot-uidlist in %s\n", argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		run(v, n, line);
		fflush(stdout);
	}
	return 0;
}
