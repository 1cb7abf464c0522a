/* sha256 - SHA-256 (FIPS 180-4) of a byte string, in libutil so that a
 * process needing only a digest (the connection counter's file names,
 * libutil/conn_count.c) does not load libcrypto: mapping it costs every
 * mail process about 400 KB of private, relocated pages (measured on an
 * idle imapmail, smaps), more than the rest of the session.
 *
 *   unsigned char md[SHA256_LEN];
 *   sha256(data, len, md);
 *
 * No errors; not for secrets (no constant-time or wiping concerns: the
 * input is a login name and an address).
 */
#ifndef HATO_SHA256_H
#define HATO_SHA256_H

#include <stddef.h>

enum { SHA256_LEN = 32 };

/* sha256 - the digest of len bytes at data into md */
void sha256(const void *data, size_t len, unsigned char md[SHA256_LEN]);

#endif
