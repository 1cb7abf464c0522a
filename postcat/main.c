/* postcat - print a queue file: envelope records, message content, the
 * extracted section, with Postfix's section markers.
 *
 *   postcat [-c dir] [-e] [-h] [-b] [-q] FILE|ID ...
 * -e envelope, -h headers, -b body (default: all three, with markers);
 * with -h or -b alone only that content is printed, byte for byte apart
 * from line ends ("\n").  -q: the arguments are queue IDs, searched in
 * incoming, active, deferred, hold and corrupt.  The file is validated
 * like every reader does; a corrupt one is reported, not printed.
 * Exit: 0 all printed, 1 a file or ID was not found or is corrupt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "qfile.h"
#include "queue_id.h"

enum { SHOW_ENV = 1, SHOW_HDR = 2, SHOW_BODY = 4 };

static const char *const queues[] = { "incoming", "active", "deferred", "hold", "corrupt" };

/* print_envelope - the envelope records in Postfix's wording */
static void print_envelope(struct qfile *qf, const char *label)
{
	const struct qrec_sizes *sz = qfile_sizes(qf);
	struct timeval tv = qfile_arrival(qf);
	time_t t = tv.tv_sec;
	const struct qfile_attr *attrs;
	const struct qfile_rcpt *r;
	size_t n;

	printf("*** ENVELOPE RECORDS %s ***\n", label);
	printf("message_size: %15ld %15ld %15ld\n", sz->content_size, sz->content_offset,
	       sz->rcpt_count);
	printf("message_arrival_time: %s", ctime(&t));
	attrs = qfile_attrs(qf, &n);
	for (size_t i = 0; i < n; i++)
		printf("named_attribute: %s=%s\n", attrs[i].name, attrs[i].value);
	printf("sender: %s\n", qfile_sender(qf));
	r = qfile_rcpts(qf, &n);
	for (size_t i = 0; i < n; i++) {
		if (r[i].extracted)
			continue;
		if (r[i].orcpt)
			printf("original_recipient: %s\n", r[i].orcpt);
		if (r[i].notify)
			printf("notify_flags: %s\n", r[i].notify);
		printf("%s: %s\n", r[i].done ? "done_recipient" : "recipient", r[i].address);
	}
}

/* print_content - headers and/or body; 0 or -1 on a read error */
static int print_content(struct qfile *qf, int show, const char *label, bool markers)
{
	struct buf *why = buf_new(0);
	const char *line;
	size_t len;
	bool partial, in_body = false, start = true;
	int rc;

	if (markers)
		printf("*** MESSAGE CONTENTS %s ***\n", label);
	if (qfile_content_begin(qf, why) < 0) {
		log_error("%s: %s", label, buf_str(why));
		buf_free(&why);
		return -1;
	}
	while ((rc = qfile_content_next(qf, &line, &len, &partial, why)) > 0) {
		if (!in_body && start && len == 0 && !partial) {
			in_body = true;		/* the empty line after the headers */
			if (markers)
				putchar('\n');
			continue;
		}
		if (in_body ? show & SHOW_BODY : show & SHOW_HDR) {
			fwrite(line, 1, len, stdout);
			if (!partial)
				putchar('\n');
		}
		start = !partial;
	}
	if (rc < 0)
		log_error("%s: %s", label, buf_str(why));
	buf_free(&why);
	return rc < 0 ? -1 : 0;
}

/* print_extracted - recipients taken from the headers (sendmail -t) */
static void print_extracted(struct qfile *qf, const char *label)
{
	const struct qfile_rcpt *r;
	size_t n;

	printf("*** HEADER EXTRACTED %s ***\n", label);
	r = qfile_rcpts(qf, &n);
	for (size_t i = 0; i < n; i++)
		if (r[i].extracted)
			printf("%s: %s\n", r[i].done ? "done_recipient" : "recipient", r[i].address);
	printf("*** MESSAGE FILE END %s ***\n", label);
}

/* show_file - one queue file */
static int show_file(const char *path, const char *label, int show)
{
	struct buf *why = buf_new(0);
	int status, rc = 0;
	struct qfile *qf = qfile_open(path, QFILE_ANY_MODE | QFILE_ANY_OWNER, &status, why);
	bool all = show == (SHOW_ENV | SHOW_HDR | SHOW_BODY);

	if (qf == NULL) {
		log_error("%s", buf_str(why));
		buf_free(&why);
		return 1;
	}
	if (show & SHOW_ENV)
		print_envelope(qf, label);
	if (show & (SHOW_HDR | SHOW_BODY))
		rc = print_content(qf, show, label, all) < 0;
	if (all)
		print_extracted(qf, label);
	qfile_close(&qf);
	buf_free(&why);
	return rc;
}

/* show_id - find ID in the queues */
static int show_id(const char *queue_dir, const char *id, int show)
{
	struct buf *path = buf_new(0), *why = buf_new(0), *label = buf_new(0);
	int rc = 1;

	if (!queue_id_valid(id)) {
		log_error("bad queue ID: \"%s\"", id);
		goto out;
	}
	for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
		buf_reset(path);
		if (qfile_make_path(path, queue_dir, queues[i], id, why) == 0
		    && access(buf_str(path), F_OK) == 0) {
			buf_printf(label, "%s/%s", queues[i], id);
			rc = show_file(buf_str(path), buf_str(label), show);
			goto out;
		}
	}
	log_error("%s: no such queue file", id);
out:
	buf_free(&path);
	buf_free(&why);
	buf_free(&label);
	return rc;
}

int main(int argc, char **argv)
{
	const char *opt_c = NULL;
	bool by_id = false;
	int show = 0, ch, rc = 0;
	struct config *c = NULL;
	struct buf *why = buf_new(0);

	log_init("postcat");
	while ((ch = getopt(argc, argv, "c:behqv")) != -1) {
		switch (ch) {
		case 'c': opt_c = optarg; break;
		case 'b': show |= SHOW_BODY; break;
		case 'e': show |= SHOW_ENV; break;
		case 'h': show |= SHOW_HDR; break;
		case 'q': by_id = true; break;
		case 'v': break;
		default:
			fprintf(stderr, "usage: postcat [-c config_dir] [-behq] file|queue_id ...\n");
			return 1;
		}
	}
	if (show == 0)
		show = SHOW_ENV | SHOW_HDR | SHOW_BODY;
	if (by_id && (c = config_read(config_dir(opt_c), CONFIG_QUIET, why)) == NULL)
		log_fatal("%s", buf_str(why));
	for (int i = optind; i < argc; i++)
		rc |= by_id ? show_id(config_get(c, "queue_directory"), argv[i], show)
			    : show_file(argv[i], argv[i], show);
	config_free(&c);
	buf_free(&why);
	return rc;
}
