/* smtpd_sasl - SMTP AUTH (RFC 4954) inside smtpd: the command, the EHLO
 * keyword, and two back ends behind one interface: authd (hato's auth
 * daemon, docs/auth-protocol.md; the default) and cyrus (libsasl2 with
 * the application's smtpd.conf, e.g. pwcheck_method: saslauthd). */
#ifndef HATO_SMTPD_SASL_H
#define HATO_SMTPD_SASL_H

#include "auth_client.h"
#include "smtpd.h"

struct smtpd_sasl_backend {
	const char *name;
	/* once per process, before the privilege drop; false: AUTH unusable */
	bool (*init)(struct smtpd_global *g);
	/* the mechanisms to offer, upper case, space separated (caller frees) */
	char *(*mechs)(struct smtpd *st);
	/* base64 in and out; initial is NULL without an initial response */
	enum auth_status (*start)(struct smtpd *st, const char *mech, const char *initial,
				  struct buf *out);
	enum auth_status (*step)(struct smtpd *st, const char *response, struct buf *out);
	void (*cancel)(struct smtpd *st);
	void (*end)(struct smtpd *st);	/* the session is over */
};

extern const struct smtpd_sasl_backend smtpd_sasl_authd, smtpd_sasl_cyrus;

#endif
