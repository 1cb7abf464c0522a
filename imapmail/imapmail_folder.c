/* imapmail_folder - IMAP mailbox names and the Maildir++ folders they
 * are: "INBOX" (any case) is the Maildir itself, any other name NAME is
 * the directory ".NAME" beside it, with "." as the hierarchy separator,
 * as Dovecot lays out Maildir++ (names stay modified UTF-7 on disk).
 * The client's name is checked before it touches the file system: no
 * '/', no empty level, no leading '.', no "..", no control byte or 8-bit
 * byte, at most MAILDIR_FOLDER_MAX bytes (maildir_folder_valid), so that
 * no name leaves the Maildir or makes a hidden file. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imap_utf7.h"
#include "imapmail.h"
#include "maildir_folder.h"

/* name_problem - what is wrong with a name, in Dovecot's words, or NULL */
static const char *name_problem(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "Empty name";
	if (name[0] == '.')
		return "Begins with hierarchy separator";
	if (name[len - 1] == '.')
		return "Ends with hierarchy separator";
	if (strstr(name, "..") != NULL)
		return "Has adjacent hierarchy separators";
	if (strchr(name, '/') != NULL)
		return "Name must not have '/' characters";
	if (name[0] == '~')
		return "Name must not begin with '~'";
	for (const char *p = name; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "Name must not have control characters";
		if ((unsigned char)*p >= 0x80)
			return "Name is not valid mUTF-7";
	}
	if (len > MAILDIR_FOLDER_MAX)
		return "Name is too long";
	return NULL;
}

/* decoded_ok - the name as UTF-8 holds no control character (mUTF-7 can
 * encode one: "&AAE-") */
static bool decoded_ok(const char *name)
{
	struct buf *u = buf_new(64);
	bool ok = imap_utf7_to_utf8(name, u) == 0;

	for (size_t i = 0; ok && i < buf_len(u); i++) {
		unsigned char c = (unsigned char)buf_str(u)[i];

		ok = c >= 0x20 && c != 0x7f;
	}
	buf_free(&u);
	return ok;
}

/* imapmail_folder_check - the folder a client's mailbox name is */
bool imapmail_folder_check(const char *name, struct buf *out, struct buf *why)
{
	const char *problem;

	buf_reset(out);
	if (strcasecmp(name, "INBOX") == 0) {
		buf_cat(out, "INBOX");
		return true;
	}
	if (!imap_utf7_is_valid(name) || !decoded_ok(name)) {
		buf_set(why, "Mailbox name is not valid mUTF-7");
		return false;
	}
	if ((problem = name_problem(name)) != NULL || !maildir_folder_valid(name, NULL)) {
		buf_printf(why, "[CANNOT] Invalid mailbox name: %s",
			   problem ? problem : "Not a valid folder name");
		return false;
	}
	buf_cat(out, name);
	return true;
}

/* imapmail_folder_open - INBOX is the Maildir; others are ".NAME" */
int imapmail_folder_open(struct imapmail *m, const char *folder)
{
	struct buf *path = buf_new(64);
	int fd;

	if (strcmp(folder, "INBOX") == 0)
		buf_cat(path, ".");
	else
		buf_printf(path, ".%s", folder);
	fd = openat(m->root_fd, buf_str(path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	buf_free(&path);
	return fd;
}

/* imapmail_folder_special - "Name=\Use ..." as name, use, name, use */
struct strv *imapmail_folder_special(const struct params *cf)
{
	struct strv *words = strv_split(cf->imap_special_use, " \t,"), *pairs = strv_new();

	for (size_t i = 0; i < words->len; i++) {
		const char *w = words->items[i], *eq = strchr(w, '=');

		if (eq == NULL || eq == w || eq[1] != '\\')
			continue;
		strv_addn(pairs, w, (size_t)(eq - w));
		strv_add(pairs, eq + 1);
	}
	strv_free(&words);
	return pairs;
}
