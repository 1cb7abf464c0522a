/* fuzz_pickup_file - libFuzzer target for pickup's validating pass over a
 * maildrop file (pickup_file_check): the record stream any local user can
 * leave in maildrop/ through postdrop.  The input is the file's content,
 * held in a memfd so that the real fd-based reader runs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "pickup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool started;
	struct pickup_info info = { 0 };
	struct buf *why = buf_new(0);
	int fd, rc;

	if (!started) {
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
		started = true;
	}
	if ((fd = memfd_create("maildrop", MFD_CLOEXEC)) < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	rc = pickup_file_check(fd, &info, why);
	if (rc == 0 && (info.flags & ~CLEANUP_F_EXTRACT))
		abort();	/* only -t may pass from a file to cleanup */
	if (rc < 0 && buf_len(why) == 0)
		abort();	/* a refusal always says why */
	pickup_file_info_free(&info);
	close(fd);
	buf_free(&why);
	return 0;
}
