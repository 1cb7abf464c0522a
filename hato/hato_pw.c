/* hato_pw - "hato pw [-s SCHEME] [-u USER]": print {SCHEME}hash for a
 * password, as Dovecot's "doveadm pw" does.
 *
 * The password is read from standard input: on a terminal it is asked for
 * twice without echo and a mismatch is refused; otherwise the first line
 * is the password (its LF or CRLF removed).  The default scheme is
 * SHA512-CRYPT; an unknown one is an error (exit 1).  -u USER is accepted
 * for doveadm compatibility: no scheme hato makes salts with the user name.
 * The password is wiped from memory after use and never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hato.h"
#include "log.h"
#include "pwhash.h"

enum { PW_MAX = 1024 };

/* read_line - one line from f into line (size PW_MAX + 2); -1 on EOF */
static int read_line(FILE *f, char *line)
{
	size_t len;

	if (fgets(line, PW_MAX + 2, f) == NULL)
		return -1;
	len = strlen(line);
	if (len > 0 && line[len - 1] != '\n' && len > PW_MAX)
		return -2;	/* too long */
	line[strcspn(line, "\r\n")] = '\0';
	return 0;
}

/* ask - prompt on the terminal, read without echo */
static int ask(const char *prompt, char *line)
{
	struct termios old, quiet;
	int rc;

	if (tcgetattr(STDIN_FILENO, &old) < 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSANOW, &quiet);	/* echo off before the prompt */
	fputs(prompt, stderr);
	fflush(stderr);
	rc = read_line(stdin, line);
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	fputc('\n', stderr);
	return rc;
}

/* get_password - from the terminal (twice) or the first line of stdin */
static int get_password(char *pw, char *again)
{
	int rc;

	if (!isatty(STDIN_FILENO)) {
		rc = read_line(stdin, pw);
	} else if ((rc = ask("Enter new password: ", pw)) == 0 &&
		   (rc = ask("Retype new password: ", again)) == 0 && strcmp(pw, again) != 0) {
		log_error("the passwords do not match");
		return -1;
	}
	if (rc == -2)
		log_error("password longer than %d bytes", PW_MAX);
	else if (rc < 0)
		log_error("no password on standard input");
	else if (*pw == '\0')
		log_error("empty password refused");
	return rc < 0 || *pw == '\0' ? -1 : 0;
}

/* hato_pw - the command */
int hato_pw(struct hato_ctx *ctx)
{
	const char *scheme = "SHA512-CRYPT";
	char pw[PW_MAX + 2], again[PW_MAX + 2];
	struct buf *out = buf_new(128), *why = buf_new(0);
	int rc = 1;

	for (char **a = ctx->args; *a; a++) {
		if (strcmp(*a, "-s") == 0 && a[1])
			scheme = *++a;
		else if (strcmp(*a, "-u") == 0 && a[1])
			a++;
		else {
			log_error("usage: hato pw [-s scheme] [-u user]");
			goto out;
		}
	}
	if (!pwhash_scheme_known(scheme)) {
		log_error("unknown scheme \"%s\" (known: %s)", scheme, pwhash_schemes());
		goto out;
	}
	if (get_password(pw, again) == 0 && pwhash_make(scheme, pw, out, why) == 0) {
		printf("%s\n", buf_str(out));
		rc = 0;
	} else if (buf_len(why)) {
		log_error("%s", buf_str(why));
	}
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	explicit_bzero(out->data, out->cap);
	buf_free(&out);
	buf_free(&why);
	return rc;
}
