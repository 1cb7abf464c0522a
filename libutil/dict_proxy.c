/* dict_proxy - "proxy:TYPE:NAME" tables: the client side of the proxymap
 * protocol (see dict_proxy.h for the wire format and limits).
 *
 * The connection is opened at the first lookup, not at open time: daemons
 * open their tables before they chroot, when the working directory is not
 * yet the queue directory.  A connection proxymap closed while we were idle
 * (ipc_idle) or lost to a restart is reopened once per lookup.
 * Without a proxymap service (no private/proxymap socket, or nobody
 * listening on it: a master.cf without the proxymap line, or a command
 * run outside the queue directory such as postmap -q) the table is opened
 * directly, as Postfix's clients cannot but hato's may: the process reads
 * only what it could read anyway.  In a chroot that direct table fails
 * its lookups with the reason (unix: tables check for /etc/passwd), never
 * with a false "not found".  Every other failure is -1: the caller defers.
 * Trust: the reply comes from proxymap (a hato daemon); its sizes are
 * bounded by the attr reader.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "dict.h"
#include "dict_proxy.h"
#include "log.h"
#include "mem.h"
#include "unix_connect.h"

struct dict_proxy {
	struct dict dict;
	int inner_flags;	/* DICT_FLAG_FOLD_KEY or 0, for proxymap */
	int fd;			/* to proxymap; -1: not connected */
	struct attr_in *in;
	struct buf *value;
	struct dict *direct;	/* no proxymap service: the table itself */
};

/* new_reader - a reader for a new connection (one that failed refuses
 * further reads, and bytes of the old one must not leak into the next) */
static void new_reader(struct dict_proxy *p)
{
	attr_in_free(&p->in);
	p->in = attr_in_new(DICT_PROXY_MAX_VALUE, DICT_PROXY_MAX_VALUE + DICT_PROXY_MAX_REQUEST);
}

/* disconnect - forget the connection (the next lookup reconnects) */
static void disconnect(struct dict_proxy *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	new_reader(p);
}

/* connect_proxymap - 0 connected, 1 no proxymap service, -1 error + why */
static int connect_proxymap(struct dict_proxy *p, struct buf *why)
{
	int fd = unix_connect(DICT_PROXY_SOCKET, why);

	if (fd < 0)
		return errno == ENOENT || errno == ECONNREFUSED ? 1 : -1;
	if (attr_hello_read(p->in, fd, DICT_PROXY_PROTOCOL, DICT_PROXY_VERSION,
			    DICT_PROXY_TIMEOUT_MS, why) < 0) {
		close(fd);
		new_reader(p);
		return -1;
	}
	p->fd = fd;
	return 0;
}

/* exchange - send one lookup and read its reply; 0 or -1 + why */
static int exchange(struct dict_proxy *p, const char *key, struct buf *why)
{
	struct attr_out *o = attr_out_new();
	int rc;

	attr_put_str(o, "request", "lookup");
	attr_put_str(o, "table", p->dict.name);
	attr_put_int(o, "flags", p->inner_flags);
	attr_put_str(o, "key", key);
	attr_end(o);
	rc = attr_write(p->fd, o, DICT_PROXY_TIMEOUT_MS, why);
	attr_out_free(&o);
	if (rc == 0 && (rc = attr_read(p->in, p->fd, DICT_PROXY_TIMEOUT_MS, why)) == 0)
		buf_printf(why, "proxymap closed the connection");
	return rc == 1 ? 0 : -1;
}

/* answer - the reply's status as a lookup result */
static int answer(struct dict_proxy *p, const char **value_r)
{
	const char *status = attr_get(p->in, "status"), *value = attr_get(p->in, "value");
	const char *reason = attr_get(p->in, "reason");

	if (status && strcmp(status, "ok") == 0 && value) {
		buf_set(p->value, value);
		*value_r = buf_str(p->value);
		return 1;
	}
	if (status && strcmp(status, "notfound") == 0)
		return 0;
	if (status == NULL)
		disconnect(p);	/* out of step with the server */
	return dict_fail(&p->dict, "proxy:%s: %s%s%s", p->dict.name, status ? status : "bad reply",
			 reason ? ": " : "", reason ? reason : "");
}

/* direct_lookup - the table opened here, for want of a proxymap service */
static int direct_lookup(struct dict_proxy *p, const char *key, const char **value_r)
{
	int rc = dict_lookup(p->direct, key, value_r);

	if (rc < 0)
		dict_fail(&p->dict, "%s", dict_error(p->direct));
	return rc;
}

/* proxy_lookup - through proxymap; once more on a stale connection */
static int proxy_lookup(struct dict *d, const char *key, const char **value_r)
{
	struct dict_proxy *p = (struct dict_proxy *)d;
	struct buf *why = buf_new(0);
	int rc = -2;

	if (p->direct)
		rc = direct_lookup(p, key, value_r);
	else if (strlen(key) > DICT_PROXY_MAX_KEY)
		rc = dict_fail(d, "proxy:%s: key longer than %d bytes", d->name, DICT_PROXY_MAX_KEY);
	for (int attempt = 0; rc == -2 && attempt < 2; attempt++) {
		bool fresh = p->fd < 0;
		int c = fresh ? connect_proxymap(p, why) : 0;

		if (c == 1) {
			log_debug("proxy:%s: %s; opening the table directly", d->name, buf_str(why));
			p->direct = dict_open_surrogate(d->name, p->inner_flags);
			rc = direct_lookup(p, key, value_r);
		} else if (c < 0) {
			break;
		} else if (exchange(p, key, why) == 0) {
			rc = answer(p, value_r);
		} else {
			disconnect(p);
			if (fresh)
				break;	/* a new connection failed: no second try */
			buf_reset(why);
		}
	}
	if (rc == -2)
		rc = dict_fail(d, "proxy:%s: %s", d->name, buf_str(why));
	buf_free(&why);
	return rc;
}

/* proxy_close - the connection, the buffers and the direct table */
static void proxy_close(struct dict *d)
{
	struct dict_proxy *p = (struct dict_proxy *)d;

	disconnect(p);
	attr_in_free(&p->in);
	buf_free(&p->value);
	dict_close(&p->direct);
}

/* dict_proxy_open - name is "TYPE:NAME" of a read-only table type */
struct dict *dict_proxy_open(const char *name, int flags, struct buf *why)
{
	const char *colon;
	struct dict_proxy *p;
	char *type;
	bool known;

	while (strncmp(name, "proxy:", 6) == 0)
		name += 6;	/* proxy:proxy:x is proxy:x, as in Postfix */
	if ((colon = strchr(name, ':')) == NULL || colon == name) {
		buf_printf(why, "proxy:%s: expected proxy:type:name", name);
		return NULL;
	}
	type = xstrndup(name, (size_t)(colon - name));
	known = dict_type_known(type);
	free(type);
	if (!known || strlen(name) > DICT_PROXY_MAX_TABLE || (flags & (DICT_FLAG_WRITE | DICT_FLAG_CREATE))) {
		buf_printf(why, "proxy:%s: %s", name, !known ? "unsupported table type"
			   : strlen(name) > DICT_PROXY_MAX_TABLE ? "table name too long"
			   : "proxymap serves lookups only");
		return NULL;
	}
	/* keys go to proxymap as given: it folds them as the table would */
	p = (struct dict_proxy *)dict_alloc_size(sizeof(*p), "proxy", name, flags & ~DICT_FLAG_FOLD_KEY);
	p->inner_flags = flags & DICT_FLAG_FOLD_KEY;
	p->fd = -1;
	new_reader(p);
	p->value = buf_new(64);
	p->dict.lookup = proxy_lookup;
	p->dict.close = proxy_close;
	return &p->dict;
}
