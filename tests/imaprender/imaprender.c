/* imaprender - print FETCH items of one message file as imapmail's
 * renderers write them (the differential test's hato side, until
 * imapmail serves FETCH).
 *
 *   imaprender FILE ITEM...     ITEM: ENVELOPE, BODY, BODYSTRUCTURE,
 *                               RFC822.SIZE, or a section attribute
 *
 * Each item is printed as "<n>\n" then n bytes: the item as a FETCH
 * answer holds it ("ENVELOPE (...)", "BODY[1] {5}\r\nhello").  A bad
 * attribute prints "BAD why", an unknown encoding "NO UNKNOWN-CTE",
 * base64 that does not decode "NO [PARSE] Invalid data in MIME part".
 * The parts are read with mime_parts_read and also sent through
 * mime_parts_encode/decode, as the index cache would give them.
 * Exit 0, or 1 on a usage or read error.  Input: a test's own file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imapmail_render.h"
#include "mime_parts.h"

/* item - one item's answer into out */
static void item(int fd, const struct mime_parts *p, const struct mime_parts *env, const char *att,
		 struct buf *out)
{
	struct imapmail_section sec;
	struct buf *why = buf_new(0);
	int rc;

	if (strcmp(att, "ENVELOPE") == 0) {
		buf_cat(out, "ENVELOPE ");
		imapmail_envelope_write(buf_str(env->envelope), buf_len(env->envelope), out);
	} else if (strcmp(att, "BODY") == 0 || strcmp(att, "BODYSTRUCTURE") == 0) {
		buf_printf(out, "%s ", att);
		imapmail_bodystructure_write(p, 0, att[4] == 'S', out);
	} else if (strcmp(att, "RFC822.SIZE") == 0) {
		buf_printf(out, "RFC822.SIZE %llu", p->len ? (unsigned long long)(p->parts[0].hdr_vsize + p->parts[0].body_vsize) : 0ULL);
	} else if (imapmail_section_parse(att, &sec, why) < 0) {
		buf_printf(out, "BAD %s", buf_str(why));
	} else {
		rc = imapmail_section_write(fd, p, &sec, out, why);
		if (rc == IMAPMAIL_RENDER_UNKNOWN_CTE)
			buf_cat(out, "NO UNKNOWN-CTE");
		else if (rc == IMAPMAIL_RENDER_PARSE)
			buf_cat(out, "NO [PARSE] Invalid data in MIME part");
		else if (rc < 0)
			buf_printf(out, "NO %s", buf_str(why));
		imapmail_section_clear(&sec);
	}
	buf_free(&why);
}

/* main - the items of one file, in order */
int main(int argc, char **argv)
{
	struct mime_parts *read_p = NULL, *p = NULL;
	struct buf *why = buf_new(0), *enc = buf_new(0), *out = buf_new(0);
	int fd;

	if (argc < 2 || (fd = open(argv[1], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: imaprender FILE ITEM...\n");
		return 1;
	}
	if (mime_parts_read(fd, &read_p, why) < 0) {
		fprintf(stderr, "imaprender: %s\n", buf_str(why));
		return 1;
	}
	mime_parts_encode(read_p, enc);
	if (mime_parts_decode(buf_str(enc), buf_len(enc), &p) < 0) {
		fprintf(stderr, "imaprender: the parts do not decode\n");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		buf_reset(out);
		item(fd, p, read_p, argv[i], out);
		printf("%zu\n", buf_len(out));
		fwrite(buf_str(out), 1, buf_len(out), stdout);
	}
	mime_parts_free(&p);
	mime_parts_free(&read_p);
	buf_free(&why);
	buf_free(&enc);
	buf_free(&out);
	close(fd);
	return 0;
}
