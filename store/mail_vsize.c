/* mail_vsize - counting a message's virtual size; see mail_vsize.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mail_vsize.h"

/* mail_vsize_add - len more bytes of the message */
void mail_vsize_add(struct mail_vsize *v, const void *data, size_t len)
{
	const unsigned char *start = data, *end = start + len, *p = start, *lf;

	if (len == 0)
		return;
	v->size += (off_t)len;
	v->vsize += (off_t)len;
	while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (!(lf > start ? lf[-1] == '\r' : v->last_cr))
			v->vsize++;
		p = lf + 1;
	}
	v->last_cr = end[-1] == '\r';
}

/* mail_vsize_fd - the virtual size of the file at fd, from offset 0 */
int mail_vsize_fd(int fd, off_t limit, off_t *vsize_r)
{
	unsigned char chunk[MAIL_VSIZE_BUF];
	struct mail_vsize v = { 0 };
	ssize_t n;

	while ((n = pread(fd, chunk, sizeof(chunk), v.size)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (limit > 0 && v.size + n > limit) {
			errno = EFBIG;
			return -1;
		}
		mail_vsize_add(&v, chunk, (size_t)n);
	}
	*vsize_r = v.vsize;
	return 0;
}
