/* pwhash - password hashes: Dovecot's {SCHEME} forms and crypt(3) strings.
 * See pwhash.h.  Trust: the password comes from the network, the stored
 * hash from the administrator's files (still checked: it may be garbage). */
#include <argon2.h>
#include <crypt.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base64.h"
#include "mem.h"
#include "pwhash.h"

enum kind { K_PLAIN, K_CRYPT, K_ARGON2 };

static const struct scheme {
	const char *name;
	enum kind kind;
	const char *prefix;	/* K_CRYPT: crypt_gensalt prefix ("" is DES) */
	argon2_type type;	/* K_ARGON2 */
} schemes[] = {
	{ "PLAIN", K_PLAIN, NULL, 0 },
	{ "CLEARTEXT", K_PLAIN, NULL, 0 },
	{ "CRYPT", K_CRYPT, "", 0 },
	{ "MD5-CRYPT", K_CRYPT, "$1$", 0 },
	{ "SHA256-CRYPT", K_CRYPT, "$5$", 0 },
	{ "SHA512-CRYPT", K_CRYPT, "$6$", 0 },
	{ "BLF-CRYPT", K_CRYPT, "$2b$", 0 },
	{ "ARGON2I", K_ARGON2, NULL, Argon2_i },
	{ "ARGON2ID", K_ARGON2, NULL, Argon2_id },
};

/* Argon2 limits for stored strings (memory in KiB) and for new hashes */
enum {
	ARGON2_MAX_M = 1 << 18, ARGON2_MAX_T = 32, ARGON2_MAX_P = 16,
	ARGON2_MAX_SALT = 64, ARGON2_MAX_HASH = 128,
	ARGON2_NEW_M = 65536, ARGON2_NEW_T = 2, ARGON2_NEW_P = 1,
	ARGON2_NEW_SALT = 16, ARGON2_NEW_HASH = 32,
	MAX_PASSWORD = 8192,
};

/* find - the scheme called name (len bytes), any case */
static const struct scheme *find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i].name) == len && strncasecmp(schemes[i].name, name, len) == 0)
			return &schemes[i];
	return NULL;
}

/* same - constant-time equality of two byte strings of public length */
static bool same(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

/* verify_plain - compare SHA-256 digests: no early exit, no length leak */
static int verify_plain(const char *password, const char *data, struct buf *why)
{
	unsigned char a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
	unsigned int alen = 0, blen = 0;
	int rc;

	if (!EVP_Digest(password, strlen(password), a, &alen, EVP_sha256(), NULL) ||
	    !EVP_Digest(data, strlen(data), b, &blen, EVP_sha256(), NULL)) {
		buf_cat(why, "SHA-256 failed");
		return -1;
	}
	rc = same(a, alen, b, blen);
	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
	return rc;
}

/* verify_crypt - crypt(3) the password with the stored setting, compare */
static int verify_crypt(const char *password, const char *data, struct buf *why)
{
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	const char *out = crypt_rn(password, data, cd, (int)sizeof(*cd));
	int rc;

	if (out == NULL || out[0] == '*') {
		buf_printf(why, "crypt(3) does not understand the stored hash%s",
			   errno == EINVAL || errno == ENOSYS ? " (unknown or disabled method)" : "");
		rc = -1;
	} else {
		rc = same(out, strlen(out), data, strlen(data));
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* parse_u32 - a decimal number 1..max at *pp followed by stop; advances */
static bool parse_u32(const char **pp, const char *key, char stop, uint32_t max, uint32_t *v_r)
{
	const char *p = *pp;
	uint64_t v = 0;
	size_t klen = strlen(key);

	if (strncmp(p, key, klen) != 0)
		return false;
	p += klen;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (uint64_t)(*p - '0')) > max)
			return false;
	if (*p != stop || v == 0)
		return false;
	*v_r = (uint32_t)v;
	*pp = p + 1;
	return true;
}

struct argon2_enc {
	argon2_type type;
	uint32_t version, m, t, p;
	struct buf *salt, *hash;
};

/* parse_argon2 - "$argon2id$v=19$m=M,t=T,p=P$SALT$HASH" within limits */
static bool parse_argon2(const char *s, struct argon2_enc *e)
{
	const char *salt, *dollar;

	if (strncmp(s, "$argon2id$", 10) == 0)
		e->type = Argon2_id, s += 10;
	else if (strncmp(s, "$argon2i$", 9) == 0)
		e->type = Argon2_i, s += 9;
	else
		return false;
	e->version = ARGON2_VERSION_10;
	if (strncmp(s, "v=", 2) == 0 && !parse_u32(&s, "v=", '$', 0x13, &e->version))
		return false;
	if (!parse_u32(&s, "m=", ',', ARGON2_MAX_M, &e->m) ||
	    !parse_u32(&s, "t=", ',', ARGON2_MAX_T, &e->t) ||
	    !parse_u32(&s, "p=", '$', ARGON2_MAX_P, &e->p))
		return false;
	if ((e->version != ARGON2_VERSION_10 && e->version != ARGON2_VERSION_13) || e->m < 8 * e->p)
		return false;
	salt = s;
	if ((dollar = strchr(salt, '$')) == NULL)
		return false;
	if (base64_decode(salt, (size_t)(dollar - salt), e->salt, BASE64_NOPAD) < 0 ||
	    base64_decode(dollar + 1, strlen(dollar + 1), e->hash, BASE64_NOPAD) < 0)
		return false;
	return buf_len(e->salt) >= ARGON2_MIN_SALT_LENGTH && buf_len(e->salt) <= ARGON2_MAX_SALT &&
	       buf_len(e->hash) >= ARGON2_MIN_OUTLEN && buf_len(e->hash) <= ARGON2_MAX_HASH;
}

/* verify_argon2 - recompute the raw hash with the stored parameters */
static int verify_argon2(const struct scheme *sc, const char *password, const char *data,
			 struct buf *why)
{
	struct argon2_enc e = { .salt = buf_new(64), .hash = buf_new(64) };
	unsigned char out[ARGON2_MAX_HASH];
	int rc = -1, err;

	if (!parse_argon2(data, &e) || (sc && sc->type != e.type)) {
		buf_cat(why, "malformed Argon2 hash (or parameters beyond hato's limits)");
		goto out;
	}
	err = argon2_hash(e.t, e.m, e.p, password, strlen(password), buf_str(e.salt),
			  buf_len(e.salt), out, buf_len(e.hash), NULL, 0, e.type, e.version);
	if (err != ARGON2_OK) {
		buf_printf(why, "Argon2: %s", argon2_error_message(err));
		goto out;
	}
	rc = same(out, buf_len(e.hash), buf_str(e.hash), buf_len(e.hash));
	explicit_bzero(out, sizeof(out));
out:
	buf_free(&e.salt);
	buf_free(&e.hash);
	return rc;
}

/* is_locked - forms that never verify: empty, "*", "!", "!!", "!anything" */
static bool is_locked(const char *s)
{
	return *s == '\0' || *s == '!' || strcmp(s, "*") == 0;
}

/* pwhash_verify - 1 match, 0 mismatch, -1 unusable stored hash */
int pwhash_verify(const char *password, const char *stored, struct buf *why)
{
	const struct scheme *sc = NULL;
	const char *data = stored;

	if (strlen(password) > MAX_PASSWORD)
		return 0;
	if (stored[0] == '{') {
		const char *end = strchr(stored, '}');

		if (end == NULL || (sc = find(stored + 1, (size_t)(end - stored - 1))) == NULL) {
			buf_printf(why, "unknown password scheme %.*s", end ? (int)(end - stored + 1) : 20,
				   stored);
			return -1;
		}
		data = end + 1;
	}
	if (sc && sc->kind == K_PLAIN)	/* a plaintext password may start with '!' */
		return *data ? verify_plain(password, data, why) : 0;
	if (is_locked(data))
		return 0;
	if ((sc && sc->kind == K_ARGON2) || strncmp(data, "$argon2", 7) == 0)
		return verify_argon2(sc, password, data, why);
	return verify_crypt(password, data, why);
}

/* make_crypt - a new salt from crypt_gensalt_rn, then crypt_rn */
static int make_crypt(const struct scheme *sc, const char *password, struct buf *out,
		      struct buf *why)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int rc = -1;

	if (crypt_gensalt_rn(sc->prefix, 0, NULL, 0, setting, sizeof(setting)) == NULL) {
		buf_printf(why, "crypt(3) cannot make %s hashes here: %s", sc->name, strerror(errno));
		return -1;
	}
	cd = xcalloc(1, sizeof(*cd));
	if ((h = crypt_rn(password, setting, cd, (int)sizeof(*cd))) == NULL || h[0] == '*') {
		buf_printf(why, "crypt(3) failed for %s", sc->name);
	} else {
		buf_printf(out, "{%s}%s", sc->name, h);
		rc = 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* make_argon2 - Argon2 with a random salt, in the PHC encoded form */
static int make_argon2(const struct scheme *sc, const char *password, struct buf *out,
		       struct buf *why)
{
	unsigned char salt[ARGON2_NEW_SALT];
	size_t elen = argon2_encodedlen(ARGON2_NEW_T, ARGON2_NEW_M, ARGON2_NEW_P,
					ARGON2_NEW_SALT, ARGON2_NEW_HASH, sc->type);
	char *enc = xmalloc(elen);
	int err, rc = -1;

	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		buf_cat(why, "no random bytes for the salt");
	} else if ((err = argon2_hash(ARGON2_NEW_T, ARGON2_NEW_M, ARGON2_NEW_P, password,
				      strlen(password), salt, sizeof(salt), NULL, ARGON2_NEW_HASH,
				      enc, elen, sc->type, ARGON2_VERSION_13)) != ARGON2_OK) {
		buf_printf(why, "Argon2: %s", argon2_error_message(err));
	} else {
		buf_printf(out, "{%s}%s", sc->name, enc);
		rc = 0;
	}
	free(enc);
	return rc;
}

/* pwhash_make - "{SCHEME}hash" of password appended to out */
int pwhash_make(const char *scheme, const char *password, struct buf *out, struct buf *why)
{
	const struct scheme *sc = find(scheme, strlen(scheme));

	if (sc == NULL) {
		buf_printf(why, "unknown scheme \"%s\" (known: %s)", scheme, pwhash_schemes());
		return -1;
	}
	if (strlen(password) > MAX_PASSWORD) {
		buf_printf(why, "password longer than %d bytes", MAX_PASSWORD);
		return -1;
	}
	switch (sc->kind) {
	case K_PLAIN:
		buf_printf(out, "{%s}%s", sc->name, password);
		return 0;
	case K_CRYPT:
		return make_crypt(sc, password, out, why);
	case K_ARGON2:
		return make_argon2(sc, password, out, why);
	}
	return -1;
}

/* pwhash_scheme_known - see pwhash.h */
bool pwhash_scheme_known(const char *scheme)
{
	return find(scheme, strlen(scheme)) != NULL;
}

/* pwhash_plaintext - see pwhash.h */
const char *pwhash_plaintext(const char *stored)
{
	const char *end;
	const struct scheme *sc;

	if (stored[0] != '{' || (end = strchr(stored, '}')) == NULL ||
	    (sc = find(stored + 1, (size_t)(end - stored - 1))) == NULL || sc->kind != K_PLAIN)
		return NULL;
	return end + 1;
}

/* pwhash_schemes - see pwhash.h */
const char *pwhash_schemes(void)
{
	return "PLAIN CLEARTEXT CRYPT MD5-CRYPT SHA256-CRYPT SHA512-CRYPT BLF-CRYPT ARGON2I ARGON2ID";
}
