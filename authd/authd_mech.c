/* authd_mech - the SASL mechanisms: PLAIN (RFC 4616), LOGIN (the
 * draft-murchison-sasl-login exchange: "Username:", "Password:") and
 * CRAM-MD5 (RFC 2195).  Each gets the decoded client responses and ends
 * by handing the credentials to authd_request.c, or by failing.  The
 * decoded responses hold passwords: the caller wipes them. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>

#include "authd.h"
#include "log.h"

/* plain_step - the one PLAIN response */
static void plain_step(struct authd_req *r, const struct buf *resp)
{
	struct sasl_plain p;

	if (sasl_plain_parse(buf_str(resp), buf_len(resp), &p) < 0) {
		authd_req_fail(r, "Invalid PLAIN response", "malformed PLAIN response", false);
		return;
	}
	if (*p.authzid && strcmp(p.authzid, p.authcid) != 0) {
		authd_req_fail(r, "Authorization identity differs from authentication identity",
			       "authzid differs from authcid", false);
		return;
	}
	authd_req_password(r, p.authcid, p.passwd);
}

/* plain_start - with an initial response, done; else an empty challenge */
static void plain_start(struct authd_req *r, const struct buf *resp)
{
	if (resp)
		plain_step(r, resp);
	else
		authd_req_challenge(r, "", 0);
}

/* login_cont - the user name, then the password */
static void login_cont(struct authd_req *r, const struct buf *resp)
{
	if (memchr(buf_str(resp), '\0', buf_len(resp)) != NULL) {
		authd_req_fail(r, "Invalid LOGIN response", "NUL in LOGIN response", false);
	} else if (authd_req_state(r) == NULL) {
		authd_req_set_state(r, buf_str(resp));
		authd_req_challenge(r, "Password:", 9);
	} else {
		authd_req_password(r, authd_req_state(r), buf_str(resp));
	}
}

/* login_start - an initial response is the user name */
static void login_start(struct authd_req *r, const struct buf *resp)
{
	if (resp)
		login_cont(r, resp);
	else
		authd_req_challenge(r, "Username:", 9);
}

/* cram_start - the challenge "<random.time@myhostname>" */
static void cram_start(struct authd_req *r, const struct buf *resp)
{
	unsigned long long rnd = 0;
	char ch[300];

	if (resp) {
		authd_req_fail(r, "CRAM-MD5 takes no initial response", "initial response to CRAM-MD5", false);
		return;
	}
	if (RAND_bytes((unsigned char *)&rnd, sizeof(rnd)) != 1)
		log_fatal("RAND_bytes failed");
	snprintf(ch, sizeof(ch), "<%llu.%lld@%s>", rnd, (long long)time(NULL), authd.cf->myhostname);
	authd_req_set_state(r, ch);
	authd_req_challenge(r, ch, strlen(ch));
}

/* cram_cont - "user digest" */
static void cram_cont(struct authd_req *r, const struct buf *resp)
{
	struct buf *user = buf_new(64);
	unsigned char digest[16];

	if (sasl_cram_parse(buf_str(resp), buf_len(resp), user, digest) < 0)
		authd_req_fail(r, "Invalid CRAM-MD5 response", "malformed CRAM-MD5 response", false);
	else
		authd_req_cram(r, buf_str(user), digest);
	buf_free(&user);
}

static const struct mech mechs[] = {
	{ "PLAIN", MECH_PLAIN, true, plain_start, plain_step },
	{ "LOGIN", MECH_LOGIN, true, login_start, login_cont },
	{ "CRAM-MD5", MECH_CRAM_MD5, false, cram_start, cram_cont },
};

/* authd_mech_find - the mechanism called name (SASL names are upper case) */
const struct mech *authd_mech_find(const char *name)
{
	for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (strcasecmp(mechs[i].name, name) == 0)
			return &mechs[i];
	return NULL;
}

/* authd_mech_table - every mechanism authd knows */
const struct mech *authd_mech_table(size_t *n_r)
{
	*n_r = sizeof(mechs) / sizeof(mechs[0]);
	return mechs;
}
