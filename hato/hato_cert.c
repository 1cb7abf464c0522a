/* hato_cert - a self-signed certificate for a new instance (OpenSSL).
 * An EC P-256 key (written 0600) and an X.509 v3 certificate for the host
 * name, valid ten years, so STARTTLS works out of the box; administrators
 * replace both with real ones (smtpd_tls_cert_file, smtpd_tls_key_file). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "hato.h"

/* ssl_error - append OpenSSL's last error to why */
static int ssl_error(struct buf *why, const char *what)
{
	char text[256];

	ERR_error_string_n(ERR_get_error(), text, sizeof(text));
	buf_printf(why, "%s: %s", what, text);
	return -1;
}

/* write_pem - create path with mode and let fn write into it */
static int write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert, struct buf *why)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	int ok;

	if (fp == NULL) {
		buf_printf(why, "create %s: %m", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = key ? PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL)
		 : PEM_write_X509(fp, cert);
	if (fclose(fp) != 0 || !ok)
		return ssl_error(why, path);
	return 0;
}

/* make_cert - a self-signed certificate for key and cn */
static X509 *make_cert(EVP_PKEY *key, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *name;
	unsigned char serial[16];
	BIGNUM *bn;

	if (x == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		return NULL;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	X509_set_version(x, 2);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, key, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* hato_cert_create - key and certificate files for cn */
int hato_cert_create(const char *cert_path, const char *key_path, const char *cn,
		     struct buf *why)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = key ? make_cert(key, cn) : NULL;
	int rc = -1;

	if (key == NULL || cert == NULL)
		ssl_error(why, "generate certificate");
	else if (write_pem(key_path, 0600, key, NULL, why) == 0 &&
		 write_pem(cert_path, 0644, NULL, cert, why) == 0)
		rc = 0;
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}
