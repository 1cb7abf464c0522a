/* pwhash - verify a password against a stored hash, and make new hashes.
 *
 *   switch (pwhash_verify(password, stored, why)) {
 *   case 1:  the password matches
 *   case 0:  it does not (also: "*", "!", "!!", "" and locked "!..." hashes)
 *   case -1: the stored hash is unusable (unknown scheme, malformed): why
 *   }
 *   pwhash_make("SHA512-CRYPT", password, out, why);  // "{SHA512-CRYPT}$6$..."
 *
 * Stored forms: "{SCHEME}data" with Dovecot's schemes PLAIN, CLEARTEXT,
 * CRYPT, MD5-CRYPT, SHA256-CRYPT, SHA512-CRYPT, BLF-CRYPT (when crypt(3)
 * knows "$2b$"), ARGON2I, ARGON2ID ("$argon2id$v=19$m=..,t=..,p=..$salt$hash"),
 * or a bare crypt(3) string as in /etc/shadow ($y$, $6$, $5$, $1$, DES).
 * crypt schemes go through libxcrypt's crypt_rn, Argon2 through libargon2
 * (with limits on its cost parameters: the stored string is data too).
 * Every comparison is constant-time (CRYPTO_memcmp); every copy of a
 * password this module makes is wiped.  Nothing here logs.
 */
#ifndef HATO_PWHASH_H
#define HATO_PWHASH_H

#include <stdbool.h>

#include "buf.h"

int pwhash_verify(const char *password, const char *stored, struct buf *why);
int pwhash_make(const char *scheme, const char *password, struct buf *out, struct buf *why);
/* pwhash_scheme_known - a scheme name pwhash_make can make (any case) */
bool pwhash_scheme_known(const char *scheme);
/* pwhash_plaintext - the password of a {PLAIN}/{CLEARTEXT} hash, else NULL
 * (CRAM-MD5 needs it); points into stored */
const char *pwhash_plaintext(const char *stored);
/* pwhash_schemes - the scheme names, space separated, for messages */
const char *pwhash_schemes(void);

#endif
