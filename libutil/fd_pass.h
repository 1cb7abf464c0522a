/* fd_pass - a descriptor passed over a UNIX socket (SCM_RIGHTS), with
 * the message it travels with: the delivery helper's requests and the
 * login handoff of pop3d.
 *
 *   fd_pass_send(sock, data, len, fd);          // fd < 0: no descriptor
 *   n = fd_pass_recv(sock, buf, sizeof(buf), &fd);   // fd -1 when none
 *
 * fd_pass_send: 0 when the whole message went, else -1 (errno).
 * fd_pass_recv: bytes read (buf NUL-terminated), 0 at EOF, -1 on an
 * error or a message or descriptor list that did not fit (refused, not
 * cut; a descriptor that came with it is closed).  Received descriptors
 * are close-on-exec.
 */
#ifndef HATO_FD_PASS_H
#define HATO_FD_PASS_H

#include <stddef.h>
#include <sys/types.h>

int fd_pass_send(int sock, const void *data, size_t len, int fd);
ssize_t fd_pass_recv(int sock, char *buf, size_t cap, int *fd_r);

#endif
