/* smtpd_sasl_cyrus - the Cyrus SASL (libsasl2) back end of SMTP AUTH
 * (smtpd_sasl_type = cyrus), as Postfix does it: the application name is
 * smtpd_sasl_path (default "smtpd", so libsasl2 reads smtpd.conf, e.g.
 * "pwcheck_method: saslauthd" and "mech_list: plain login"), looked up in
 * cyrus_sasl_config_path when that is set; the realm is
 * smtpd_sasl_local_domain.  libsasl2 loads its plugins in init, before
 * the privilege drop and chroot; a chrooted smtpd needs saslauthd's socket
 * inside the chroot, as with Postfix.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>
#include <sasl/saslutil.h>

#include "log.h"
#include "mem.h"
#include "smtpd_sasl.h"

enum { SASL_BUF = 12288 };

static char *sasl_confpath;

static int on_log(void *ctx, int level, const char *message)
{
	(void)ctx;
	if (level <= SASL_LOG_ERR)
		log_warn("SASL: %s", message);
	else if (level <= SASL_LOG_NOTE)
		log_info("SASL: %s", message);
	return SASL_OK;
}

static int on_getconfpath(void *ctx, char **path)
{
	(void)ctx;
	*path = sasl_confpath;
	return SASL_OK;
}

typedef int (*sasl_cb_fn)(void);

static sasl_callback_t callbacks[] = {
	{ SASL_CB_LOG, (sasl_cb_fn)(void (*)(void))on_log, NULL },
	{ SASL_CB_LIST_END, NULL, NULL },	/* SASL_CB_GETCONFPATH when set */
	{ SASL_CB_LIST_END, NULL, NULL },
};

static bool cyrus_init(struct smtpd_global *g)
{
	int rc;

	if (*g->cf->cyrus_sasl_config_path) {
		sasl_confpath = xstrdup(g->cf->cyrus_sasl_config_path);
		callbacks[1] = (sasl_callback_t){ SASL_CB_GETCONFPATH,
						  (sasl_cb_fn)(void (*)(void))on_getconfpath, NULL };
	}
	if ((rc = sasl_server_init(callbacks, g->cf->smtpd_sasl_path)) != SASL_OK) {
		log_warn("SASL: cannot initialise the Cyrus SASL server (%s): AUTH is not offered",
			 sasl_errstring(rc, NULL, NULL));
		return false;
	}
	return true;
}

/* security_flags - smtpd_sasl_(tls_)security_options as SASL_SEC_* bits */
static unsigned security_flags(const char *opts)
{
	static const struct { const char *name; unsigned flag; } names[] = {
		{ "noplaintext", SASL_SEC_NOPLAINTEXT }, { "noactive", SASL_SEC_NOACTIVE },
		{ "nodictionary", SASL_SEC_NODICTIONARY }, { "noanonymous", SASL_SEC_NOANONYMOUS },
		{ "forward_secrecy", SASL_SEC_FORWARD_SECRECY }, { "mutual_auth", SASL_SEC_MUTUAL_AUTH },
	};
	unsigned flags = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strstr(opts, names[i].name))
			flags |= names[i].flag;
	return flags;
}

/* conn - the session's sasl_conn_t, made on first use */
static sasl_conn_t *conn(struct smtpd *st)
{
	const struct params *cf = st->g->cf;
	sasl_conn_t *c = NULL;
	sasl_security_properties_t props = { .maxbufsize = 0, .max_ssf = 0 };
	char lip[80], rip[80], local[64];
	int rc;

	if (st->sasl_ctx)
		return st->sasl_ctx;
	smtpd_sasl_local_address(st, local, sizeof(local));
	snprintf(lip, sizeof(lip), "%s;0", local);
	snprintf(rip, sizeof(rip), "%s;%s", st->addr, st->port);
	rc = sasl_server_new("smtp", cf->myhostname, *cf->smtpd_sasl_local_domain
			     ? cf->smtpd_sasl_local_domain : NULL, lip, rip, NULL, 0, &c);
	if (rc != SASL_OK) {
		log_warn("SASL: per-session initialisation failed: %s", sasl_errstring(rc, NULL, NULL));
		return NULL;
	}
	props.security_flags = security_flags(st->tls ? cf->smtpd_sasl_tls_security_options
					      : cf->smtpd_sasl_security_options);
	sasl_setprop(c, SASL_SEC_PROPS, &props);
	if (st->tls) {
		sasl_ssf_t ssf = 1;	/* TLS protects the exchange */

		sasl_setprop(c, SASL_SSF_EXTERNAL, &ssf);
	}
	st->sasl_ctx = c;
	return c;
}

static char *cyrus_mechs(struct smtpd *st)
{
	sasl_conn_t *c = conn(st);
	const char *list;
	unsigned len;
	int count;
	char *out;

	if (c == NULL || sasl_listmech(c, NULL, "", " ", "", &list, &len, &count) != SASL_OK)
		return NULL;
	out = xstrdup(list);
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return out;
}

/* verdict - libsasl2's answer as ours; the challenge or user into out */
static enum auth_status verdict(struct smtpd *st, int rc, const char *data, unsigned len,
				struct buf *out)
{
	const void *user = NULL;
	char enc[SASL_BUF];
	unsigned enclen;

	if (rc == SASL_CONTINUE) {
		if (sasl_encode64(data, len, enc, sizeof(enc), &enclen) != SASL_OK) {
			buf_set(out, "challenge too long");
			return AUTH_TEMPFAIL;
		}
		buf_set(out, enc);
		return AUTH_CONTINUE;
	}
	if (rc == SASL_OK && sasl_getprop(st->sasl_ctx, SASL_USERNAME, &user) == SASL_OK && user) {
		buf_set(out, user);
		return AUTH_OK;
	}
	buf_set(out, sasl_errstring(rc, NULL, NULL));
	return rc == SASL_TRYAGAIN || rc == SASL_UNAVAIL || rc == SASL_NOMEM ? AUTH_TEMPFAIL : AUTH_FAIL;
}

/* decode - base64 from the client; false with out set */
static bool decode(const char *in, char *dec, unsigned *declen, struct buf *out)
{
	if (sasl_decode64(in, (unsigned)strlen(in), dec, SASL_BUF, declen) != SASL_OK) {
		buf_set(out, "Invalid base64 data");
		return false;
	}
	return true;
}

static enum auth_status cyrus_start(struct smtpd *st, const char *mech, const char *initial,
				    struct buf *out)
{
	sasl_conn_t *c = conn(st);
	char dec[SASL_BUF];
	unsigned declen = 0, outlen = 0;
	const char *data = NULL;
	int rc;

	if (c == NULL) {
		buf_set(out, "SASL server unavailable");
		return AUTH_TEMPFAIL;
	}
	if (initial && !decode(initial, dec, &declen, out))
		return AUTH_FAIL;
	rc = sasl_server_start(c, mech, initial ? dec : NULL, declen, &data, &outlen);
	explicit_bzero(dec, sizeof(dec));
	return verdict(st, rc, data, outlen, out);
}

static enum auth_status cyrus_step(struct smtpd *st, const char *response, struct buf *out)
{
	char dec[SASL_BUF];
	unsigned declen = 0, outlen = 0;
	const char *data = NULL;
	int rc;

	if (!decode(response, dec, &declen, out))
		return AUTH_FAIL;
	rc = sasl_server_step(st->sasl_ctx, dec, declen, &data, &outlen);
	explicit_bzero(dec, sizeof(dec));
	return verdict(st, rc, data, outlen, out);
}

/* cyrus_cancel - libsasl2 cannot abort an exchange: start a new conn */
static void cyrus_cancel(struct smtpd *st)
{
	sasl_conn_t *c = st->sasl_ctx;

	if (c)
		sasl_dispose(&c);
	st->sasl_ctx = NULL;
}

const struct smtpd_sasl_backend smtpd_sasl_cyrus = {
	.name = "cyrus", .init = cyrus_init, .mechs = cyrus_mechs, .start = cyrus_start,
	.step = cyrus_step, .cancel = cyrus_cancel, .end = cyrus_cancel,
};
