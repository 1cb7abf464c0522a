/* sendmail_args - the Sendmail/Postfix command line.
 *   sendmail [-B type] [-C config] [-F name] [-f sender] [-r sender] [-i] [-oi]
 *            [-N dsn] [-R ret] [-V envid] [-t] [-v] [-bm|-bi|-bp|-bs] [-q]
 *            [-I] [--] [recipient ...]
 * Options Postfix accepts and ignores are accepted and ignored here too
 * (-G -L -O -U -X -c -e -h -m -n -p -x, -o other than -oi, -B, -q with an
 * interval).  Options end at the first argument that is not one, or "--".
 * Everything here is the caller's own input: it is checked for what the
 * queue records allow (no control characters, lengths) and for the values
 * DSN allows; the recipients are parsed later (sendmail_submit.c).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "log.h"
#include "mem.h"
#include "qrec.h"
#include "sendmail.h"

enum { ENVID_MAX = 100 };

/* has_ctl - a control character (the queue records refuse them) */
static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* parse_sender - -f/-r: "<>" and "" are the null sender */
static int parse_sender(struct sendmail_opts *o, const char *arg, struct buf *why)
{
	size_t len = strlen(arg);
	static char *copy;

	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>') {
		free(copy);
		copy = xstrndup(arg + 1, len - 2);
		arg = copy;
	}
	if (strlen(arg) > QREC_ADDR_MAX || has_ctl(arg)) {
		buf_printf(why, "bad sender address: -f %s", arg);
		return -1;
	}
	o->sender = arg;
	return 0;
}

/* parse_notify - -N never, or a comma list of success, delay, failure */
static int parse_notify(struct sendmail_opts *o, const char *arg, struct buf *why)
{
	static char text[64];
	size_t n = 0;
	bool never = false, ok = true;
	char *dup = xstrdup(arg), *save = NULL;

	text[0] = '\0';
	for (char *w = strtok_r(dup, ", ", &save); ok && w; w = strtok_r(NULL, ", ", &save), n++) {
		if (strcasecmp(w, "never") == 0)
			never = true;
		else if (strcasecmp(w, "success") && strcasecmp(w, "delay") && strcasecmp(w, "failure"))
			ok = false;
		if (ok && strlen(text) + strlen(w) + 2 < sizeof(text))
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", *text ? "," : "", w);
	}
	free(dup);
	if (!ok || n == 0 || (never && n > 1)) {
		buf_printf(why, "bad -N value \"%s\": use never, or a list of success, delay, failure", arg);
		return -1;
	}
	for (char *s = text; *s; s++)
		*s = (char)toupper((unsigned char)*s);
	o->notify = text;
	return 0;
}

/* parse_envid - -V: printable ASCII, as DSN ENVID allows after xtext decoding */
static int parse_envid(struct sendmail_opts *o, const char *arg, struct buf *why)
{
	bool ok = *arg && strlen(arg) <= ENVID_MAX;

	for (const char *s = arg; ok && *s; s++)
		ok = *s > 0x20 && *s < 0x7f;
	if (!ok) {
		buf_printf(why, "bad -V envelope ID: 1 to %d printable characters", ENVID_MAX);
		return -1;
	}
	o->envid = arg;
	return 0;
}

/* parse_b - -bm, -bi, -bp, -bs; others are named in the error */
static void parse_b(struct sendmail_opts *o, const char *arg)
{
	o->mode_name = arg;
	if (strcmp(arg, "m") == 0)
		o->mode = SENDMAIL_SEND;
	else if (strcmp(arg, "i") == 0)
		o->mode = SENDMAIL_NEWALIASES;
	else if (strcmp(arg, "p") == 0)
		o->mode = SENDMAIL_MAILQ;
	else if (strcmp(arg, "s") == 0)
		o->mode = SENDMAIL_SMTP;
	else
		o->mode = SENDMAIL_UNSUPPORTED;
}

/* config_arg - -C names main.cf or its directory */
static const char *config_arg(const char *arg)
{
	static char *dir;
	struct stat st;
	const char *slash = strrchr(arg, '/');

	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		free(dir);
		dir = slash ? xstrndup(arg, slash == arg ? 1 : (size_t)(slash - arg)) : xstrdup(".");
		return dir;
	}
	return arg;
}

/* option - one option; 0 or -1 with why */
static int option(struct sendmail_opts *o, int ch, const char *arg, struct buf *why)
{
	switch (ch) {
	case 'C': o->config_dir = config_arg(arg); break;
	case 'F': o->full_name = arg; break;
	case 'I': o->mode = SENDMAIL_NEWALIASES; break;
	case 'N': return parse_notify(o, arg, why);
	case 'R':
		if (strcasecmp(arg, "full") && strcasecmp(arg, "hdrs")) {
			buf_printf(why, "bad -R value \"%s\": use full or hdrs", arg);
			return -1;
		}
		o->ret = strcasecmp(arg, "full") == 0 ? "FULL" : "HDRS";
		break;
	case 'V': return parse_envid(o, arg, why);
	case 'b': parse_b(o, arg); break;
	case 'f': case 'r': return parse_sender(o, arg, why);
	case 'i': o->ignore_dots = true; break;
	case 'o': o->ignore_dots |= strcmp(arg, "i") == 0; break;
	case 'q': if (arg == NULL) o->mode = SENDMAIL_FLUSH; break;	/* -qINTERVAL: ignored */
	case 't': o->extract = true; break;
	case 'v': log_set_verbose(log_verbose_level() + 1); break;
	case 'B': case 'G': case 'L': case 'O': case 'U': case 'X': case 'c': case 'e':
	case 'h': case 'm': case 'n': case 'p': case 'x':
		break;		/* accepted for compatibility, no effect */
	default:
		buf_printf(why, "usage: sendmail [options] [--] recipient ...");
		return -1;
	}
	return 0;
}

/* sendmail_args_parse - argv into o */
int sendmail_args_parse(int argc, char **argv, struct sendmail_opts *o, struct buf *why)
{
	int ch;

	*o = (struct sendmail_opts){ .rcpts = strv_new() };
	opterr = 0;		/* our own message, through the log */
	optind = 0;		/* glibc: a full restart; 1 would keep the position
				 * inside a previous argv's "-abc" cluster */
	while ((ch = getopt(argc, argv, "+:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:q::r:tvx")) != -1) {
		if (ch == '?' || ch == ':') {
			buf_printf(why, "%s -%c; usage: sendmail [options] [--] recipient ...",
				   ch == ':' ? "a value is missing after" : "unknown option",
				   optopt ? optopt : '?');
			return -1;
		}
		if (option(o, ch, optarg, why) < 0)
			return -1;
	}
	for (int i = optind; i < argc; i++)
		strv_add(o->rcpts, argv[i]);
	return 0;
}

/* sendmail_args_free - release what parsing made */
void sendmail_args_free(struct sendmail_opts *o)
{
	strv_free(&o->rcpts);
}
