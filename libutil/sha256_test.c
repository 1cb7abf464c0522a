/* sha256_test - the FIPS 180-4 / NIST example digests, every tail length
 * around the padding's block edge, and agreement with OpenSSL's EVP. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "sha256.h"
#include "test.h"

/* hex - md as lowercase hex into out */
static const char *hex(const unsigned char *md, char out[2 * SHA256_LEN + 1])
{
	for (int i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return out;
}

/* of - the hex digest of s */
static const char *of(const char *s, size_t len, char out[2 * SHA256_LEN + 1])
{
	unsigned char md[SHA256_LEN];

	sha256(s, len, md);
	return hex(md, out);
}

void test_sha256(void)
{
	char h[2 * SHA256_LEN + 1], want[2 * SHA256_LEN + 1], buf[300];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	bool same = true;

	test_begin("sha256: the standard's examples");
	test_assert_str(of("", 0, h),
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	test_assert_str(of("abc", 3, h),
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	test_assert_str(of(two, strlen(two), h),
			"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	test_end();

	test_begin("sha256: every length to 300 bytes as OpenSSL's");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	for (size_t len = 0; len <= sizeof(buf); len++) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int n = 0;

		EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
		if (n != SHA256_LEN || strcmp(of(buf, len, h), hex(md, want)) != 0)
			same = false;
	}
	test_assert(same);
	test_end();
}
