/* pwhash_test - known vectors (made once by hand with openssl passwd -6/-5/-1, mkpasswd -m
 * yescrypt/des/bcrypt, the argon2 CLI) for every scheme, refusals, and
 * round trips through pwhash_make; base64 edge cases too. */
#include <string.h>

#include "base64.h"
#include "pwhash.h"
#include "test.h"

static const char pw[] = "Secret pw 1";

static const struct vec {
	const char *password, *stored;
	int want;
} vectors[] = {
	/* unusable and locked forms first */
	{ pw, "", 0 }, { pw, "*", 0 }, { pw, "!", 0 }, { pw, "!!", 0 },
	{ pw, "!$6$saltsalt$L9wwZxs1anQPZs2GSufaUF22nbXuJyOggKc503gkWlO2gGAFCA4WXrlU2M5m7EztgEKHnS/fc8xPPv9LvV/d3.", 0 },
	{ pw, "{SHA512-CRYPT}", 0 }, { pw, "{PLAIN}", 0 }, { "", "{PLAIN}", 0 },
	{ pw, "{NOSUCH}abc", -1 }, { pw, "{SHA512-CRYPT", -1 },
	{ pw, "$9$garbage", -1 },
	{ pw, "{ARGON2ID}$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", -1 },
	{ pw, "{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ", -1 },
	{ pw, "{ARGON2I}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", -1 },
	/* plaintext */
	{ pw, "{PLAIN}Secret pw 1", 1 }, { pw, "{plain}Secret pw 1", 1 },
	{ pw, "{CLEARTEXT}Secret pw 1", 1 }, { pw, "{PLAIN}Secret pw 2", 0 },
	{ pw, "{PLAIN}Secret pw 1 ", 0 }, { "!x", "{PLAIN}!x", 1 },
	/* crypt(3): openssl passwd -6/-5/-1 -salt saltsalt */
	{ pw, "$6$saltsalt$L9wwZxs1anQPZs2GSufaUF22nbXuJyOggKc503gkWlO2gGAFCA4WXrlU2M5m7EztgEKHnS/fc8xPPv9LvV/d3.", 1 },
	{ "Secret pw 2", "$6$saltsalt$L9wwZxs1anQPZs2GSufaUF22nbXuJyOggKc503gkWlO2gGAFCA4WXrlU2M5m7EztgEKHnS/fc8xPPv9LvV/d3.", 0 },
	{ pw, "{SHA512-CRYPT}$6$saltsalt$L9wwZxs1anQPZs2GSufaUF22nbXuJyOggKc503gkWlO2gGAFCA4WXrlU2M5m7EztgEKHnS/fc8xPPv9LvV/d3.", 1 },
	{ pw, "{SHA256-CRYPT}$5$saltsalt$Ixdot3UCLtq69/gz882xx9jtT1.hzgwjOX2mdhTQwf1", 1 },
	{ pw, "$5$saltsalt$Ixdot3UCLtq69/gz882xx9jtT1.hzgwjOX2mdhTQwf1", 1 },
	{ pw, "{MD5-CRYPT}$1$saltsalt$LawRJFvJBcVwMD1.9HRYL1", 1 },
	{ "secret pw 1", "$1$saltsalt$LawRJFvJBcVwMD1.9HRYL1", 0 },
	/* mkpasswd -m yescrypt / des / bcrypt */
	{ pw, "$y$j9T$20wcHkf3260PZ5m3F41a40$CuNj/YjCEOWCL/ai7/lPiuRhPzNTycO5JgAu6aMCDjD", 1 },
	{ "Secret pw", "$y$j9T$20wcHkf3260PZ5m3F41a40$CuNj/YjCEOWCL/ai7/lPiuRhPzNTycO5JgAu6aMCDjD", 0 },
	{ pw, "{CRYPT}abZO8p/D5JR2.", 1 }, { pw, "abZO8p/D5JR2.", 1 },
	{ pw, "{BLF-CRYPT}$2b$05$k0bhE02mGBRxy9AbLyScbuGrhe.LO0c/cocUv7J3/jaSM1d0OpkJ6", 1 },
	{ "Secret pw 0", "$2b$05$k0bhE02mGBRxy9AbLyScbuGrhe.LO0c/cocUv7J3/jaSM1d0OpkJ6", 0 },
	/* argon2 CLI: echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1 -l 32 -e */
	{ "password", "{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", 1 },
	{ "passwore", "{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", 0 },
	{ "password", "{ARGON2I}$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", 1 },
	{ "password", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", 1 },
};

/* test_pwhash - vectors, then make/verify round trips */
void test_pwhash(void)
{
	struct buf *why = buf_new(0), *h = buf_new(0);
	static const char *const made[] = { "PLAIN", "CRYPT", "MD5-CRYPT", "SHA256-CRYPT",
					   "SHA512-CRYPT", "BLF-CRYPT", "ARGON2I", "ARGON2ID" };

	test_begin("pwhash: known vectors and refusals");
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		int got = pwhash_verify(vectors[i].password, vectors[i].stored, why);

		if (got != vectors[i].want)
			test_fail_str(__FILE__, __LINE__, "vector", vectors[i].stored,
				      vectors[i].want == 1 ? "match" : vectors[i].want ? "error" : "mismatch");
	}
	test_end();

	test_begin("pwhash: make then verify, every scheme");
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		buf_reset(h);
		test_assert(pwhash_make(made[i], pw, h, why) == 0);
		test_assert(strncmp(buf_str(h) + 1, made[i], strlen(made[i])) == 0);
		test_assert(pwhash_verify(pw, buf_str(h), why) == 1);
		test_assert(pwhash_verify("secret pw 1", buf_str(h), why) == 0);	/* DES: 8 chars */
	}
	buf_reset(h);
	test_assert(pwhash_make("sha512-crypt", pw, h, why) == 0 &&
		    strncmp(buf_str(h), "{SHA512-CRYPT}$6$", 17) == 0);
	test_assert(pwhash_make("MD4", pw, h, why) < 0 && strstr(buf_str(why), "unknown scheme"));
	test_assert(pwhash_plaintext("{PLAIN}abc") && strcmp(pwhash_plaintext("{PLAIN}abc"), "abc") == 0);
	test_assert(pwhash_plaintext("{SHA512-CRYPT}$6$x") == NULL && pwhash_plaintext("abc") == NULL);
	test_end();

	test_begin("base64: strict decoding");
	buf_reset(h);
	test_assert(base64_decode("AGEAYg==", 8, h, 0) == 0 && buf_len(h) == 4 &&
		    memcmp(buf_str(h), "\0a\0b", 4) == 0);
	buf_reset(h);
	test_assert(base64_decode("", 0, h, 0) == 0 && buf_len(h) == 0);
	test_assert(base64_decode("AGE", 3, h, 0) < 0);
	test_assert(base64_decode("AG=E", 4, h, 0) < 0);
	test_assert(base64_decode("AGF=", 4, h, 0) < 0);	/* non-zero spare bits */
	test_assert(base64_decode("A GE", 4, h, 0) < 0);
	test_assert(base64_decode("====", 4, h, 0) < 0);
	test_assert(base64_decode("c29tZXNhbHQ", 11, h, BASE64_NOPAD) == 0 &&
		    strcmp(buf_str(h), "somesalt") == 0);
	test_assert(base64_decode("AGE=", 4, h, BASE64_NOPAD) < 0);
	buf_reset(h);
	base64_encode("Username:", 9, h);
	test_assert_str(buf_str(h), "VXNlcm5hbWU6");
	buf_reset(h);
	base64_encode("ab", 2, h);
	test_assert_str(buf_str(h), "YWI=");
	test_end();
	buf_free(&why);
	buf_free(&h);
}
