/* fsyncops - the machine's ceiling for durable queue-file writes, for
 * make bench.  Usage: fsyncops DIR COUNT WRITERS.  WRITERS processes each
 * do COUNT/WRITERS times what an MTA does to make one file durable:
 * create (O_EXCL) a file, write 4 KB, fsync it, close, rename it to a
 * new name, fsync the directory.  Prints "OPS SECONDS OPS_PER_SECOND"
 * on stdout; the files are removed afterwards (not timed).  Exit 1 on
 * any system call failure.  A benchmark tool only: never installed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { PAYLOAD = 4096 };

/* die - report a failed system call and exit */
static void die(const char *what, const char *path)
{
	fprintf(stderr, "fsyncops: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

/* one_op - create+write+fsync+rename+fsync-dir of one 4 KB file */
static void one_op(int dirfd, const char *dir, int w, int i, const char *data)
{
	char tmp[64], fin[64];
	int fd;

	snprintf(tmp, sizeof(tmp), "t.%d.%d", w, i);
	snprintf(fin, sizeof(fin), "f.%d.%d", w, i);
	if ((fd = openat(dirfd, tmp, O_CREAT | O_EXCL | O_WRONLY, 0600)) < 0)
		die("create in", dir);
	if (write(fd, data, PAYLOAD) != PAYLOAD)
		die("write in", dir);
	if (fsync(fd) < 0)
		die("fsync in", dir);
	if (close(fd) < 0)
		die("close in", dir);
	if (renameat(dirfd, tmp, dirfd, fin) < 0)
		die("rename in", dir);
	if (fsync(dirfd) < 0)
		die("fsync", dir);
}

/* writer - one child: COUNT operations, then exit 0 */
static void writer(const char *dir, int w, int count)
{
	char data[PAYLOAD];
	int dirfd;

	memset(data, 'x', sizeof(data));
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		die("open", dir);
	for (int i = 0; i < count; i++)
		one_op(dirfd, dir, w, i, data);
	_exit(0);
}

/* cleanup - remove the files the writers made */
static void cleanup(const char *dir, int writers, int count)
{
	char path[4096];

	for (int w = 0; w < writers; w++)
		for (int i = 0; i < count; i++) {
			snprintf(path, sizeof(path), "%s/f.%d.%d", dir, w, i);
			unlink(path);
		}
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int count, writers, failed = 0;

	if (argc != 4 || (count = atoi(argv[2])) <= 0 || (writers = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: fsyncops DIR COUNT WRITERS\n");
		return 2;
	}
	count = (count + writers - 1) / writers;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int w = 0; w < writers; w++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork for", argv[1]);
		if (pid == 0)
			writer(argv[1], w, count);
	}
	for (int st; wait(&st) > 0;)
		failed |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cleanup(argv[1], writers, count);
	if (failed)
		return 1;
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%d %.3f %.1f\n", count * writers, secs, count * writers / secs);
	return 0;
}
