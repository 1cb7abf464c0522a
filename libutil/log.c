/* log - diagnostics to stderr, maillog_file or syslog; see log.h.
 * One write(2) per line so concurrent daemons appending to one file do not
 * interleave.  errno is preserved across calls so "%m" reports the caller's
 * error. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <paths.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "selfpid.h"

static struct {
	char progname[64];
	char syslog_ident[128];
	char host[256];
	int dests;
	int fd;
	enum log_format format;
	int verbose;
	log_hook_fn *hook;
	log_fatal_fn *fatal_hook;
	char session[LOG_SESSION_SIZE];	/* "" when no session is set */
	bool session_in_text;
} st = { .progname = "hato", .dests = LOG_DEST_STDERR, .fd = -1 };

static const char *const level_names[] = {
	[LOG_LEVEL_INFO] = "info", [LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_ERROR] = "error", [LOG_LEVEL_FATAL] = "fatal",
	[LOG_LEVEL_PANIC] = "panic",
};

/* log_init - name the program for every later message */
void log_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');

	snprintf(st.progname, sizeof(st.progname), "%s", slash ? slash + 1 : progname);
	snprintf(st.syslog_ident, sizeof(st.syslog_ident), "hato/%s", st.progname);
	if (gethostname(st.host, sizeof(st.host) - 1) < 0)
		snprintf(st.host, sizeof(st.host), "localhost");
}

/* log_progname - the name given to log_init */
const char *log_progname(void)
{
	return st.progname;
}

/* log_open - choose destinations; file is maillog_file, "" for none */
int log_open(int dests, const char *file, enum log_format format,
	     const char *syslog_name, const char **error_r)
{
	if ((dests & LOG_DEST_FILE) && file && *file) {
		int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0640);

		if (fd < 0) {
			*error_r = strerror(errno);
			return -1;
		}
		if (st.fd >= 0)
			close(st.fd);
		st.fd = fd;
	}
	if (syslog_name && *syslog_name)
		snprintf(st.syslog_ident, sizeof(st.syslog_ident), "%s/%s",
			 syslog_name, st.progname);
	if (dests & LOG_DEST_SYSLOG)
		openlog(st.syslog_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	st.dests = dests;
	st.format = format;
	return 0;
}

/* log_open_fd - maillog_file's lines (and extra: LOG_DEST_STDERR) to fd,
 * a datagram socket whose reader writes them to the file, one line per
 * datagram (master's log sink: a daemon never opens the file) */
void log_open_fd(int fd, int extra, enum log_format format, const char *syslog_name)
{
	if (st.fd >= 0 && st.fd != fd)
		close(st.fd);
	st.fd = fd;
	if (syslog_name && *syslog_name)
		snprintf(st.syslog_ident, sizeof(st.syslog_ident), "%s/%s",
			 syslog_name, st.progname);
	st.dests = LOG_DEST_FILE | (extra & LOG_DEST_STDERR);
	st.format = format;
}

/* log_write_line - a line another process formatted (len bytes), to
 * maillog_file as it is, its line end added when it has none; nothing
 * when the file is not a destination */
void log_write_line(const char *line, size_t len)
{
	struct iovec iov[2] = { { (void *)line, len }, { "\n", 1 } };

	if (!(st.dests & LOG_DEST_FILE) || st.fd < 0 || len == 0)
		return;
	if (writev(st.fd, iov, line[len - 1] == '\n' ? 1 : 2) < 0) {
		/* nowhere left to report it */
	}
}

/* log_file_fd - the maillog_file descriptor, -1 when there is none (a
 * child that closes every other descriptor keeps it) */
int log_file_fd(void)
{
	return (st.dests & LOG_DEST_FILE) ? st.fd : -1;
}

/* log_syslog_reopen - after closelog() and a descriptor purge: connect
 * to syslog again when it is a destination */
void log_syslog_reopen(void)
{
	if (st.dests & LOG_DEST_SYSLOG)
		openlog(st.syslog_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* log_syslog_ready - whether syslog(3) would reach a syslog daemon: a
 * socket at _PATH_LOG that accepts a connection (datagram, else stream,
 * as the C library tries them) */
bool log_syslog_ready(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	int saved = errno, rc = -1;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", _PATH_LOG);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && rc < 0; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);

		if (fd < 0)
			break;
		rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
		close(fd);
		if (rc < 0 && errno != EPROTOTYPE)
			break;
	}
	errno = saved;
	return rc == 0;
}

/* log_syslog_path - where log_syslog_ready looks */
const char *log_syslog_path(void)
{
	return _PATH_LOG;
}

/* log_set_hook - see every message (tests, the master's status) */
void log_set_hook(log_hook_fn *fn)
{
	st.hook = fn;
}

/* log_set_fatal_hook - called instead of exit(1) after a fatal message */
void log_set_fatal_hook(log_fatal_fn *fn)
{
	st.fatal_hook = fn;
}

/* log_set_verbose - enable log_debug output (-v) */
void log_set_verbose(int level)
{
	st.verbose = level;
}

/* log_verbose_level - the -v count */
int log_verbose_level(void)
{
	return st.verbose;
}

/* log_id_like - see log.h */
bool log_id_like(const char *s, size_t n)
{
	bool digit = false;

	if (n < 10 || n >= LOG_ID_SIZE)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]))
			return false;
		digit = digit || isdigit((unsigned char)s[i]);
	}
	return digit;
}

/* log_text_id - see log.h */
size_t log_text_id(const char *text, size_t len, char *id)
{
	size_t n = 0;

	while (n < len && n < LOG_ID_SIZE && isalnum((unsigned char)text[n]))
		n++;
	if (n == len || text[n] != ':' || !log_id_like(text, n))
		return 0;
	memcpy(id, text, n);
	id[n] = '\0';
	return n;
}

/* log_set_session - see log.h */
void log_set_session(const char *id, bool in_text)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n >= sizeof(st.session) || strspn(id, LOG_SESSION_CHARS) != n) {
		st.session[0] = '\0';
		return;
	}
	memcpy(st.session, id, n + 1);
	st.session_in_text = in_text;
}

/* log_session - see log.h */
const char *log_session(void)
{
	return st.session;
}

/* add_session_text - ", session=<ID>" after a text line's message, when
 * the session is to show there */
static void add_session_text(struct buf *out)
{
	if (st.session[0] && st.session_in_text)
		buf_printf(out, ", session=<%s>", st.session);
}

/* format_file_line - Postfix's maillog line or a JSON object */
static void format_file_line(struct buf *out, enum log_level level, const char *text)
{
	struct timeval tv;
	struct tm tm;
	char stamp[64], id[LOG_ID_SIZE];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	if (st.format == LOG_FORMAT_JSON) {
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		buf_printf(out, "{\"time\":\"%s.%06ld\",\"host\":", stamp, (long)tv.tv_usec);
		json_quote(out, st.host);
		buf_cat(out, ",\"program\":");
		json_quote(out, st.syslog_ident);
		buf_printf(out, ",\"pid\":%ld,\"level\":\"%s\",", (long)self_pid(),
			   level_names[level]);
		if (log_text_id(text, strlen(text), id))
			buf_printf(out, "\"queue_id\":\"%s\",", id);
		if (st.session[0])
			buf_printf(out, "\"session\":\"%s\",", st.session);
		buf_cat(out, "\"message\":");
		json_quote(out, text);
		buf_cat(out, "}\n");
		return;
	}
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	buf_printf(out, "%s %s %s[%ld]: ", stamp, st.host, st.syslog_ident, (long)self_pid());
	if (level != LOG_LEVEL_INFO)
		buf_printf(out, "%s: ", level_names[level]);
	buf_cat(out, text);
	add_session_text(out);
	buf_putc(out, '\n');
}

/* emit - send one finished message to every destination */
static void emit(enum log_level level, const char *text)
{
	static const int prio[] = { LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT, LOG_CRIT };
	struct buf *line = buf_new(256);

	if (st.hook)
		st.hook(level, text);
	if (st.dests & LOG_DEST_STDERR) {
		buf_printf(line, "%s: ", st.progname);
		if (level != LOG_LEVEL_INFO)
			buf_printf(line, "%s: ", level_names[level]);
		buf_cat(line, text);
		add_session_text(line);
		buf_putc(line, '\n');
		if (write(STDERR_FILENO, line->data, line->len) < 0) {
			/* nowhere left to report it */
		}
	}
	if ((st.dests & LOG_DEST_FILE) && st.fd >= 0) {
		buf_reset(line);
		format_file_line(line, level, text);
		if (write(st.fd, line->data, line->len) < 0 && errno == EMSGSIZE) {
			/* longer than a datagram to the log sink: its head */
			buf_truncate(line, LOG_LINE_MAX - 1);
			buf_putc(line, '\n');
			(void)!write(st.fd, line->data, line->len);
		}
	}
	if (st.dests & LOG_DEST_SYSLOG) {
		buf_reset(line);
		if (level != LOG_LEVEL_INFO)
			buf_printf(line, "%s: ", level_names[level]);
		buf_cat(line, text);
		add_session_text(line);
		syslog(prio[level], "%s", buf_str(line));
	}
	buf_free(&line);
}

/* log_vmsg - format and emit one message; "%m" means strerror(errno) */
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	int saved = errno;
	struct buf *text = buf_new(128);

	errno = saved;
	buf_vprintf(text, fmt, ap);
	/* one line per message: a newline in the text would forge a log line */
	for (size_t i = 0; i < text->len; i++)
		if (text->data[i] == '\n' || text->data[i] == '\r')
			text->data[i] = ' ';
	emit(level, text->data);
	buf_free(&text);
	errno = saved;
}

#define LOG_BODY(level) do { \
	va_list ap; va_start(ap, fmt); log_vmsg(level, fmt, ap); va_end(ap); \
} while (0)

/* log_debug - info-level message shown only with -v */
void log_debug(const char *fmt, ...)
{
	if (st.verbose > 0)
		LOG_BODY(LOG_LEVEL_INFO);
}

/* log_info - routine message */
void log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_INFO);
}

/* log_warn - bad input that we survived */
void log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_WARN);
}

/* log_error - an operation failed; the program goes on */
void log_error(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_ERROR);
}

/* log_fatal - the environment failed: log and exit 1 */
void log_fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_FATAL);
	if (st.fatal_hook)
		st.fatal_hook();
	exit(1);
}

/* log_panic - our own bug: log and dump core */
void log_panic(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_PANIC);
	abort();
}
