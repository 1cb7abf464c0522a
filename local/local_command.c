/* local_command - "|command" items: the message on the command's standard
 * input, in a child with the item's rights (never root).
 *
 * The command runs as local_command_shell -c COMMAND (/bin/sh when the
 * parameter is empty) in its own process group, in the user's home
 * directory (else /), with a small environment (HOME, USER, LOGNAME,
 * SHELL, SENDER, RECIPIENT, LOCAL, EXTENSION, DOMAIN, ORIGINAL_RECIPIENT,
 * PATH) and nothing inherited beyond descriptors 0-2.  A feeder process
 * writes the message (From_ line, Return-Path, X-Original-To,
 * Delivered-To, content) while the child reads the output, so neither
 * side can block the other; a command that stops reading early is fine.
 * Results as Postfix: exit 0 sent; sysexits codes mapped to their DSN
 * (EX_TEMPFAIL and EX_OSERR defer); other codes bounce 5.3.0 with the
 * first output line; a signal defers; command_time_limit kills the
 * process group and bounces.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "fsutil.h"
#include "local.h"
#include "mem.h"

enum { OUTPUT_KEEP = 512, EXEC_FAILED = 126 };

struct command_arg {
	struct agent_msg *m;
	const char *command, *shell, *cwd;
	long time_limit;
	struct strv *env;
	const char *delivered_to, *original_to;
};

/* sysexits - what a sysexits(3) code means, as Postfix maps it */
static const struct { int code; const char *dsn, *text; } sysexits[] = {
	{ 64, "5.3.0", "command line usage error" }, { 65, "5.6.0", "data format error" },
	{ 66, "5.3.0", "cannot open input" }, { 67, "5.1.1", "user unknown" },
	{ 68, "5.1.2", "host name unknown" }, { 69, "5.3.0", "service unavailable" },
	{ 70, "5.3.0", "internal software error" }, { 71, "4.3.0", "system resource problem" },
	{ 72, "5.3.0", "critical OS file missing" }, { 73, "5.2.0", "can't create output file" },
	{ 74, "5.3.0", "input/output error" }, { 75, "4.3.0", "temporary failure" },
	{ 76, "5.5.0", "remote error in protocol" }, { 77, "5.7.0", "permission denied" },
	{ 78, "5.3.5", "local configuration error" },
};

/* exec_command - in the grandchild: become the command */
static void __attribute__((noreturn)) exec_command(const struct command_arg *a, int in, int out)
{
	const char *argv[] = { a->shell, "-c", a->command, NULL };

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(EXEC_FAILED);
	close_range(3, ~0U, 0);
	if (chdir(a->cwd) < 0 && chdir("/") < 0)
		_exit(EXEC_FAILED);
	execve(a->shell, (char *const *)argv, a->env->items);
	dprintf(2, "cannot execute %s: %s\n", a->shell, strerror(errno));
	_exit(EXEC_FAILED);
}

/* feed - in the feeder: the message into the command's input; exit 1
 * only when the queue file could not be read */
static void __attribute__((noreturn)) feed(const struct command_arg *a, int in)
{
	struct mbox_copy c;
	struct buf *why = buf_new(0);

	deliver_agent_copy(&c, a->m, MBOX_COPY_FROM_LINE, a->delivered_to, a->original_to);
	_exit(mbox_write(in, &c, NULL, why) == -2 ? 1 : 0);
}


/* first_line - printable text of the first output line */
static void first_line(struct buf *output)
{
	size_t n = strcspn(buf_str(output), "\r\n");

	buf_truncate(output, n > OUTPUT_KEEP ? OUTPUT_KEEP : n);
	for (size_t i = 0; i < buf_len(output); i++)
		if (!isprint((unsigned char)output->data[i]))
			output->data[i] = '?';
}

/* judge - the exit status into a result */
static void judge(const struct command_arg *a, int status, bool timed_out, int feeder,
		  struct buf *output, struct agent_result *res)
{
	first_line(output);
	if (timed_out) {
		deliver_agent_result_set(res, "5.3.0", "Command time limit exceeded: \"%s\"", a->command);
	} else if (feeder != 0) {
		deliver_agent_result_set(res, "4.3.0", "cannot read the queue file for command \"%s\"", a->command);
	} else if (WIFSIGNALED(status)) {
		deliver_agent_result_set(res, "4.3.0", "Command died with signal %d: \"%s\"", WTERMSIG(status),
				       a->command);
	} else if (WEXITSTATUS(status) == 0) {
		deliver_agent_result_set(res, "2.0.0", "delivered to command: %s", a->command);
	} else {
		int code = WEXITSTATUS(status);
		const char *dsn = "5.3.0", *text = NULL;

		for (size_t i = 0; i < sizeof(sysexits) / sizeof(sysexits[0]); i++) {
			if (sysexits[i].code == code) {
				dsn = sysexits[i].dsn;
				text = sysexits[i].text;
			}
		}
		deliver_agent_result_set(res, dsn, "Command died with status %d%s%s: \"%s\"%s%s", code,
				       text ? " " : "", text ? text : "", a->command,
				       buf_len(output) ? ". Command output: " : "", buf_str(output));
	}
}

/* command_child - with the item's rights: run the command, judge it */
static void command_child(void *arg, struct agent_result *res)
{
	const struct command_arg *a = arg;
	int in[2], out[2], status = 0, fstatus = 0;
	struct buf *output = buf_new(OUTPUT_KEEP);
	pid_t cmd, feeder;
	bool done;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || (cmd = fork()) < 0) {
		deliver_agent_result_set(res, "4.3.0", "cannot run command: %s", strerror(errno));
		return;
	}
	if (cmd == 0)
		exec_command(a, in[0], out[1]);
	setpgid(cmd, cmd);
	close(in[0]);
	close(out[1]);
	if ((feeder = fork()) == 0) {
		close(out[0]);
		feed(a, in[1]);
	}
	close(in[1]);
	if (feeder < 0) {
		deliver_agent_result_set(res, "4.3.0", "cannot run command: %s", strerror(errno));
		kill(-cmd, SIGKILL);
		close(out[0]);
		waitpid(cmd, &status, 0);
		buf_free(&output);
		return;
	}
	done = fsutil_read_until(out[0], deadline_in(a->time_limit * 1000LL), output, OUTPUT_KEEP) != 0;
	close(out[0]);
	if (!done) {
		kill(-cmd, SIGKILL);
		kill(feeder, SIGKILL);
	}
	while (waitpid(cmd, &status, 0) < 0 && errno == EINTR)
		continue;
	while (waitpid(feeder, &fstatus, 0) < 0 && errno == EINTR)
		continue;
	judge(a, status, !done, done && WIFEXITED(fstatus) ? WEXITSTATUS(fstatus) : 0, output, res);
	buf_free(&output);
}

/* env_add - "NAME=value" */
static void env_add(struct strv *env, const char *name, const char *value)
{
	struct buf *b = buf_new(64);

	buf_printf(b, "%s=%s", name, value ? value : "");
	strv_take(env, buf_steal(&b));
}

/* local_command - deliver to a command item */
void local_command(struct local_rcpt *r, const char *command, const struct local_source *src)
{
	const char *orig = deliver_agent_orig_to(r->m, r->index), *at = strrchr(r->address, '@');
	const struct local_user *u = src->user;
	struct command_arg a = { .m = r->m, .command = command, .time_limit = r->g->cf->command_time_limit,
				 .shell = *r->g->cf->local_command_shell ? r->g->cf->local_command_shell
									 : "/bin/sh",
				 .cwd = u ? u->home : "/", .env = strv_new(), .delivered_to = src->to,
				 .original_to = orig ? orig : r->address };
	char *local = at ? xstrndup(r->address, (size_t)(at - r->address)) : xstrdup(r->address);
	struct agent_result res;

	while (isspace((unsigned char)*a.command))
		a.command++;
	if (src->privs.uid == 0) {
		local_recipient_status(r, src->to, "4.3.5", "no rights to run \"%s\": default_privs is unusable",
				       command);
		goto out;
	}
	env_add(a.env, "HOME", u ? u->home : "/");
	env_add(a.env, "USER", u ? u->name : src->privs.name);
	env_add(a.env, "LOGNAME", u ? u->name : src->privs.name);
	env_add(a.env, "SHELL", u ? u->shell : a.shell);
	env_add(a.env, "SENDER", r->m->rq->sender);
	env_add(a.env, "RECIPIENT", r->address);
	env_add(a.env, "LOCAL", local);
	env_add(a.env, "EXTENSION", r->extension);
	env_add(a.env, "DOMAIN", r->domain);
	env_add(a.env, "ORIGINAL_RECIPIENT", a.original_to);
	env_add(a.env, "PATH", "/usr/bin:/bin");
	deliver_agent_result_init(&res);
	deliver_agent_run(&src->privs, a.time_limit + 60, command_child, &a, &res);
	local_recipient_result(r, src->to, &res);
	deliver_agent_result_free(&res);
out:
	free(local);
	strv_free(&a.env);
}
