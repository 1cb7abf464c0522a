/* selfpid - the process ID without a system call each time.
 *
 * glibc no longer caches getpid(); log lines, master status lines, queue
 * IDs and Maildir names ask for it on every message.  self_pid() asks the
 * kernel once per process and again in the child after every fork(2)
 * (a pthread_atfork handler clears the copy).
 */
#ifndef HATO_SELFPID_H
#define HATO_SELFPID_H

#include <sys/types.h>

pid_t self_pid(void);

#endif
