/* sendmail_submit - one message into the queue through postdrop.
 *
 * The envelope comes first: V, F (4 when -t), the attributes uid= (for
 * information: pickup takes the uid from the file's owner), dsn_ret= and
 * dsn_envid=, S (the -f sender, else the login name; cleanup appends
 * @$myorigin), then N and R for every recipient named on the command line.
 * The content follows (sendmail_msg.c), then X and Z.  The records go
 * down a pipe into postdrop, which runs as a child: the one next to this
 * program, else $command_directory/postdrop.  postdrop's own messages
 * reach the caller's stderr; its exit status decides ours.  When the
 * message must be refused here (too large, -t without recipients),
 * postdrop is stopped first and removes its unfinished file.
 * sendmail_tx_* do the same for one SMTP transaction of -bs
 * (sendmail_smtp.c): sender and recipients from MAIL and RCPT, the
 * content as the client sent it (no From: added), a refusal answered,
 * not fatal.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "cleanup_client.h"
#include "fsutil.h"
#include "log.h"
#include "mem.h"
#include "qrec.h"
#include "sendmail.h"
#include "mail_acl.h"

enum { FLUSH_AT = 64 * 1024, NAME_MAX_LEN = 200 };

struct submit {
	const struct sendmail_opts *o;
	const struct params *cf;
	char *sender;
	struct strv *rcpts;		/* internal form */
	struct buf *out;		/* records not yet written */
	pid_t pid;			/* postdrop */
	int fd;				/* its stdin */
	bool broken;			/* postdrop stopped reading */
};

static pid_t child_pid = -1;		/* for the fatal hook */

/* stop_child - postdrop must not queue what we refuse */
static void stop_child(void)
{
	int status;

	if (child_pid > 0) {
		kill(child_pid, SIGTERM);
		while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR)
			continue;
		child_pid = -1;
	}
}

/* say_fatal - a "sendmail: fatal: ..." message; the caller exits */
static void say_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_FATAL, fmt, ap);
	va_end(ap);
}

/* die - fatal message, postdrop stopped, chosen exit status */
static void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int status, const char *fmt, ...)
{
	va_list ap;

	stop_child();
	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_FATAL, fmt, ap);
	va_end(ap);
	exit(status);
}

/* on_fatal - log_fatal: stop postdrop, tell the caller to try again */
static void on_fatal(void)
{
	stop_child();
	_exit(EX_TEMPFAIL);
}

/* sendmail_find_program - NAME next to this program, else in command_directory */
void sendmail_find_program(const struct params *cf, const char *name, struct buf *out)
{
	buf_reset(out);
	if (fsutil_exe_dir(out) == 0) {
		buf_printf(out, "/%s", name);
		if (access(buf_str(out), X_OK) == 0)
			return;
	}
	buf_reset(out);
	buf_printf(out, "%s/%s", cf->command_directory, name);
}

/* sendmail_from_line - "From: "Full Name" <sender@origin>" */
void sendmail_from_line(const char *full_name, const char *sender, const char *origin,
			struct buf *out)
{
	const char *at = strrchr(sender, '@');
	char *local = at ? xstrndup(sender, (size_t)(at - sender)) : xstrdup(sender);
	size_t n = 0;

	buf_set(out, "From: ");
	if (full_name && *full_name) {
		buf_putc(out, '"');
		for (const char *s = full_name; *s && n < NAME_MAX_LEN; s++, n++) {
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				continue;	/* no header injection through -F */
			if (*s == '"' || *s == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *s);
		}
		buf_cat(out, "\" <");
	}
	addr_external(out, local, at ? at + 1 : origin);
	if (full_name && *full_name)
		buf_putc(out, '>');
	free(local);
}

/* gecos_name - $NAME, else the GECOS full name ('&' is the login name) */
static void gecos_name(const struct passwd *pw, struct buf *out)
{
	const char *env = getenv("NAME"), *g = pw ? pw->pw_gecos : NULL;

	if (env && *env) {
		buf_set(out, env);
		return;
	}
	for (; g && *g && *g != ','; g++) {
		if (*g != '&') {
			buf_putc(out, *g);
			continue;
		}
		for (const char *l = pw->pw_name; *l; l++)
			buf_putc(out, l == pw->pw_name ? (char)toupper((unsigned char)*l) : *l);
	}
}

/* parse_rcpts - every argument is an address list ("a@x, B <b@y>") */
static void parse_rcpts(struct submit *s)
{
	struct buf *why = buf_new(0);

	for (size_t i = 0; i < s->o->rcpts->len; i++) {
		const char *arg = s->o->rcpts->items[i];
		size_t before = s->rcpts->len;

		buf_reset(why);
		if (addr_list_parse(arg, strlen(arg), s->rcpts, why) <= 0)
			die(EX_USAGE, "bad recipient address \"%s\": %s", arg,
			    buf_len(why) ? buf_str(why) : "no address");
		for (size_t k = before; k < s->rcpts->len; k++) {
			const char *a = s->rcpts->items[k];

			if (!*a || strlen(a) > QREC_ADDR_MAX || strpbrk(a, "\r\n\t"))
				die(EX_USAGE, "bad recipient address \"%s\"", arg);
		}
	}
	buf_free(&why);
}

/* flush - write the buffered records to postdrop */
static void flush(struct submit *s)
{
	const char *p = buf_str(s->out);
	size_t left = buf_len(s->out);

	while (left > 0 && !s->broken) {
		ssize_t n = write(s->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->broken = true;	/* postdrop died: its status tells why */
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	buf_reset(s->out);
}

/* emit - a content record from sendmail_msg */
static void emit(void *ctx, int type, const char *p, size_t len)
{
	struct submit *s = ctx;

	qrec_put_line(s->out, p, len, type == QREC_PART);
	if (buf_len(s->out) >= FLUSH_AT)
		flush(s);
}

/* start_postdrop - the child that writes maildrop/ */
static void start_postdrop(struct submit *s)
{
	struct buf *path = buf_new(64);
	const char *argv[4] = { "postdrop", NULL, NULL, NULL };
	int p[2];

	sendmail_find_program(s->cf, "postdrop", path);
	if (s->o->config_dir) {
		argv[1] = "-c";
		argv[2] = s->o->config_dir;
	}
	log_debug("running %s", buf_str(path));
	if (pipe2(p, O_CLOEXEC) < 0)
		log_fatal("pipe: %m");
	if ((s->pid = fork()) < 0)
		log_fatal("fork: %m");
	if (s->pid == 0) {
		if (dup2(p[0], STDIN_FILENO) < 0)
			_exit(EX_OSERR);
		execv(buf_str(path), (char **)argv);
		log_error("execute %s: %m", buf_str(path));
		_exit(EX_UNAVAILABLE);
	}
	child_pid = s->pid;
	close(p[0]);
	s->fd = p[1];
	buf_free(&path);
}

/* wait_postdrop - its exit status, reported when not 0 */
static int wait_postdrop(struct submit *s)
{
	int status;

	close(s->fd);
	while (waitpid(s->pid, &status, 0) < 0)
		if (errno != EINTR)
			log_fatal("waitpid: %m");
	child_pid = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status)) {
		say_fatal("postdrop was killed by signal %d; the message was not queued",
			  WTERMSIG(status));
		return EX_TEMPFAIL;
	}
	say_fatal("postdrop failed with exit status %d; the message was not queued",
		  WEXITSTATUS(status));
	return WEXITSTATUS(status) >= EX__BASE && WEXITSTATUS(status) <= EX__MAX ?
	       WEXITSTATUS(status) : EX_TEMPFAIL;
}

/* envelope - the records before the content */
static void envelope(struct submit *s)
{
	qrec_put_str(s->out, QREC_VERSION, QREC_VERSION_TEXT);
	if (s->o->extract)
		qrec_putf(s->out, QREC_FLAGS, "%d", CLEANUP_F_EXTRACT);
	qrec_putf(s->out, QREC_ATTR, "uid=%lu", (unsigned long)getuid());
	if (s->o->ret)
		qrec_putf(s->out, QREC_ATTR, "dsn_ret=%s", s->o->ret);
	if (s->o->envid)
		qrec_putf(s->out, QREC_ATTR, "dsn_envid=%s", s->o->envid);
	qrec_put_str(s->out, QREC_SENDER, s->sender);
	for (size_t i = 0; i < s->rcpts->len; i++) {
		if (s->o->notify)
			qrec_put_str(s->out, QREC_NOTIFY, s->o->notify);
		qrec_put_str(s->out, QREC_RCPT, s->rcpts->items[i]);
	}
	qrec_put(s->out, QREC_MESG, "", 0);
	flush(s);
}

/* content - stdin through sendmail_msg; refuses what postdrop must not queue */
static void content(struct submit *s, const char *from_line)
{
	struct sendmail_msg *m = sendmail_msg_new(&(struct sendmail_msg_opts){
		.ignore_dots = s->o->ignore_dots, .from_line = from_line,
		.size_limit = s->cf->message_size_limit }, emit, s);
	char *in = xmalloc(FLUSH_AT);
	enum sendmail_msg_status st = SENDMAIL_MSG_MORE;
	ssize_t n;

	while (st == SENDMAIL_MSG_MORE && !s->broken) {
		if ((n = read(STDIN_FILENO, in, FLUSH_AT)) < 0 && errno == EINTR)
			continue;
		if (n < 0)
			log_fatal("read the message from stdin: %m");
		if (n == 0)
			break;
		st = sendmail_msg_input(m, in, (size_t)n);
	}
	if (sendmail_msg_end(m) == SENDMAIL_MSG_TOO_BIG)
		die(EX_DATAERR, "message file too big: it exceeds message_size_limit (%ld bytes)",
		    s->cf->message_size_limit);
	if (s->o->extract && s->rcpts->len == 0 && sendmail_msg_header_rcpts(m) == 0)
		die(EX_USAGE, "No recipient addresses found in message header");
	sendmail_msg_free(&m);
	free(in);
}

struct sendmail_tx {
	struct submit s;
	struct sendmail_msg *m;
	bool too_big;
};

/* sendmail_tx_begin - postdrop started, the envelope written: sender and
 * rcpts (internal form) as MAIL and RCPT gave them */
struct sendmail_tx *sendmail_tx_begin(const struct sendmail_opts *o, const struct params *cf,
				      const char *sender, const struct strv *rcpts)
{
	struct sendmail_tx *tx = xcalloc(1, sizeof(*tx));

	log_set_fatal_hook(on_fatal);
	signal(SIGPIPE, SIG_IGN);
	tx->s = (struct submit){ .o = o, .cf = cf, .sender = xstrdup(sender), .rcpts = strv_new(),
				 .out = buf_new(FLUSH_AT + 8192) };
	for (size_t i = 0; i < rcpts->len; i++)
		strv_add(tx->s.rcpts, rcpts->items[i]);
	start_postdrop(&tx->s);
	envelope(&tx->s);
	tx->m = sendmail_msg_new(&(struct sendmail_msg_opts){ .ignore_dots = true,
		.size_limit = cf->message_size_limit }, emit, &tx->s);
	return tx;
}

/* sendmail_tx_write - content bytes (lines end in "\n"); false once the
 * message is over message_size_limit */
bool sendmail_tx_write(struct sendmail_tx *tx, const char *p, size_t len)
{
	if (!tx->too_big && sendmail_msg_input(tx->m, p, len) == SENDMAIL_MSG_TOO_BIG)
		tx->too_big = true;
	return !tx->too_big;
}

/* sendmail_tx_end - queue the message (commit) or drop it: 0 queued, else
 * EX_DATAERR (too big), postdrop's status, or EX_TEMPFAIL; tx is freed */
int sendmail_tx_end(struct sendmail_tx **txp, bool commit)
{
	struct sendmail_tx *tx = *txp;
	int rc;

	if (commit && !tx->too_big && sendmail_msg_end(tx->m) == SENDMAIL_MSG_TOO_BIG)
		tx->too_big = true;
	if (!commit || tx->too_big) {
		stop_child();		/* postdrop removes its unfinished file */
		close(tx->s.fd);
		rc = tx->too_big ? EX_DATAERR : EX_TEMPFAIL;
	} else {
		qrec_put(tx->s.out, QREC_XTRA, "", 0);
		qrec_put(tx->s.out, QREC_END, "", 0);
		flush(&tx->s);
		rc = wait_postdrop(&tx->s);
	}
	sendmail_msg_free(&tx->m);
	strv_free(&tx->s.rcpts);
	buf_free(&tx->s.out);
	free(tx->s.sender);
	free(tx);
	*txp = NULL;
	return rc;
}

/* sendmail_check_submit_users - authorized_submit_users: postdrop enforces it, asking
 * here first gives the caller the plain message (as Postfix's sendmail) */
void sendmail_check_submit_users(const struct params *cf)
{
	struct buf *why = buf_new(0);
	int rc = mail_acl_check("authorized_submit_users", cf->authorized_submit_users,
				"submit mail", getuid(), NULL, why);

	if (rc != 0)
		die(rc, "%s", buf_str(why));
	buf_free(&why);
}

/* sendmail_submit - queue the message on stdin; the exit status */
int sendmail_submit(const struct sendmail_opts *o, const struct params *cf)
{
	struct passwd *pw = getpwuid(getuid());
	struct submit s = { .o = o, .cf = cf, .rcpts = strv_new(), .out = buf_new(FLUSH_AT + 8192) };
	struct buf *name = buf_new(64), *from = buf_new(128);
	int rc;

	log_set_fatal_hook(on_fatal);
	signal(SIGPIPE, SIG_IGN);	/* a dead postdrop shows in its exit status */
	sendmail_check_submit_users(cf);
	if (o->sender == NULL && pw == NULL)
		die(EX_TEMPFAIL, "no login name for user ID %lu; use -f sender", (unsigned long)getuid());
	s.sender = xstrdup(o->sender ? o->sender : pw->pw_name);
	parse_rcpts(&s);
	if (s.rcpts->len == 0 && !o->extract)
		die(EX_USAGE, "Recipient addresses must be specified on the command line or via the -t option");
	if (o->full_name)
		buf_set(name, o->full_name);
	else if (o->sender == NULL)
		gecos_name(pw, name);	/* someone else's address gets no name of ours */
	if (*s.sender)
		sendmail_from_line(buf_str(name), s.sender, cf->myorigin, from);
	start_postdrop(&s);
	envelope(&s);
	content(&s, *s.sender ? buf_str(from) : NULL);
	qrec_put(s.out, QREC_XTRA, "", 0);
	qrec_put(s.out, QREC_END, "", 0);
	flush(&s);
	rc = wait_postdrop(&s);
	strv_free(&s.rcpts);
	buf_free(&s.out);
	buf_free(&name);
	buf_free(&from);
	free(s.sender);
	return rc;
}
