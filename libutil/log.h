/* log - diagnostics for every hato program.
 *
 * Levels: info; warn (bad input we survived); error; fatal (the environment
 * failed: exit 1, master restarts us with backoff); panic (our own bug:
 * abort and dump core).  Formats are printf's, "%m" included.
 *
 * Destinations (log_open): stderr in the command-line form
 * "postconf: warning: text", a file (maillog_file) or syslog in Postfix's
 * form "Mon DD HH:MM:SS host hato/prog[pid]: warning: text", or, with
 * maillog_format = json, one JSON object per line.  Interactive commands
 * keep stderr as well.  Callers must never pass a password.
 * log_syslog_ready() tells whether syslog has a daemon to talk to, so a
 * program can warn before its messages go nowhere.
 *
 * Tests: log_set_hook() sees every message; log_set_fatal_hook() lets a test
 * turn fatal errors into a longjmp instead of exit.
 */
#ifndef HATO_LOG_H
#define HATO_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR,
		 LOG_LEVEL_FATAL, LOG_LEVEL_PANIC };

enum log_dest {
	LOG_DEST_STDERR = 1,	/* "prog: warning: text" on stderr */
	LOG_DEST_FILE = 2,	/* maillog_file */
	LOG_DEST_SYSLOG = 4,	/* syslog(3), facility mail */
};

enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

typedef void log_hook_fn(enum log_level level, const char *text);
typedef void log_fatal_fn(void);

void log_init(const char *progname);
const char *log_progname(void);
/* log_id_like - s (n bytes) has a queue ID's shape: 10 to 20 of
 * [0-9A-Za-z] with a digit among them (a word such as "statistics" has
 * not); log_text_id - the queue ID a message (len bytes) starts with,
 * "ID: ...", into id (LOG_ID_SIZE): its length, or 0.  JSON lines carry
 * it as "queue_id" */
enum { LOG_ID_SIZE = 21 };
bool log_id_like(const char *s, size_t n);
size_t log_text_id(const char *text, size_t len, char *id);
/* log_set_session - the session this process serves now (a login or mail
 * process: one client at a time), NULL or "" for none; an id longer than
 * LOG_SESSION_SIZE - 1 or with a byte outside LOG_SESSION_CHARS sets none.
 * JSON lines carry it as "session"; text lines (file, syslog, stderr) end
 * in ", session=<ID>" (as Dovecot's) when in_text, so smtpd can keep
 * Postfix's text lines as they are.  log_session - the id set, or "" */
enum { LOG_SESSION_SIZE = 33 };
#define LOG_SESSION_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
void log_set_session(const char *id, bool in_text);
const char *log_session(void);
int log_open(int dests, const char *file, enum log_format format,
	     const char *syslog_name, const char **error_r);
/* log_open_fd - maillog_file's lines to a datagram socket (master's log
 * sink), extra: LOG_DEST_STDERR too; log_write_line - the sink's reader
 * writes a line another process formatted to maillog_file.  A line longer
 * than a datagram is cut to LOG_LINE_MAX bytes */
enum { LOG_LINE_MAX = 16384 };
void log_open_fd(int fd, int extra, enum log_format format, const char *syslog_name);
void log_write_line(const char *line, size_t len);
/* log_syslog_ready - whether a syslog daemon listens at log_syslog_path()
 * (without one, LOG_DEST_SYSLOG loses every message) */
bool log_syslog_ready(void);
const char *log_syslog_path(void);
void log_set_hook(log_hook_fn *fn);
int log_file_fd(void);
void log_syslog_reopen(void);
void log_set_fatal_hook(log_fatal_fn *fn);
void log_set_verbose(int level);
int log_verbose_level(void);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void log_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
