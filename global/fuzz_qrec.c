/* fuzz_qrec - libFuzzer target for the record reader over memory and the
 * record checker.  Every record read is written back with qrec_put and
 * must give the very bytes it came from (lengths are minimal varints, so
 * the encoding is unique); the records also go through the checker in
 * both modes, which must never crash whatever the order. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "qrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct qrec_reader *r = qrec_reader_mem(data, size);
	struct buf *p = buf_new(0), *why = buf_new(0), *again = buf_new(0);
	struct qrec_check file, stream;
	int type, rc, frc = 0, src = 0;

	if (!quiet++)
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	qrec_check_init(&file, QREC_CHECK_FILE);
	qrec_check_init(&stream, QREC_CHECK_STREAM);
	for (;;) {
		off_t at = qrec_reader_offset(r);

		if ((rc = qrec_get(r, &type, p, QREC_MAX_LEN, why)) <= 0)
			break;
		buf_reset(again);
		if (qrec_put(again, type, buf_str(p), buf_len(p)) < 0
		    || (off_t)buf_len(again) != qrec_reader_offset(r) - at
		    || memcmp(buf_str(again), data + at, buf_len(again)) != 0)
			log_panic("record at %lld does not re-encode to its bytes", (long long)at);
		if (frc == 0)
			frc = qrec_check_record(&file, type, buf_str(p), buf_len(p), at, why);
		if (src == 0)
			src = qrec_check_record(&stream, type, buf_str(p), buf_len(p), at, why);
	}
	if (rc == 0 && frc == 0 && qrec_check_end(&file, why) == 0)
		(void)qrec_check_sizes(&file, why);
	if (rc == 0 && src == 0)
		(void)qrec_check_end(&stream, why);
	qrec_check_free(&file);
	qrec_check_free(&stream);
	qrec_reader_free(&r);
	buf_free(&p);
	buf_free(&why);
	buf_free(&again);
	return 0;
}
