/* fuzz_proxymap - libFuzzer target for proxymap's request handling: the
 * input is one client message (attr codec, dict_proxy.h limits) answered
 * by proxymap_lookup_reply over an allowed list of in-memory tables.
 * Invariants abort(): every request gets exactly one reply message with a
 * known status; "ok" (and only "ok") carries a value; a table outside the
 * allowed list is never answered "ok". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dict_proxy.h"
#include "log.h"
#include "proxymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char allowed[] = "proxy:inline:{a=1} proxy:static:yes proxy:cidr:/nonexistent "
			      "proxy:regexp:/nonexistent hash:/not/proxied";

/* check_reply - the invariants on one reply to req */
static void check_reply(const struct attr_in *req, const struct buf *b)
{
	struct attr_in *rep = attr_in_new(0, 0);
	const char *st, *table = attr_get(req, "table");
	struct buf *why = buf_new(0);

	if (attr_parse_mem(rep, buf_str(b), buf_len(b), why) != 0 || (st = attr_get(rep, "status")) == NULL)
		abort();
	if (strcmp(st, "ok") != 0 && strcmp(st, "notfound") != 0 && strcmp(st, "retry") != 0 &&
	    strcmp(st, "bad") != 0 && strcmp(st, "deny") != 0)
		abort();
	if ((strcmp(st, "ok") == 0) != (attr_get(rep, "value") != NULL))
		abort();
	if (strcmp(st, "ok") == 0 && (table == NULL || (strcmp(table, "inline:{a=1}") != 0 &&
							 strcmp(table, "static:yes") != 0)))
		abort();
	attr_in_free(&rep);
	buf_free(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct attr_in *in;
	struct attr_out *o;
	struct buf *why;

	if (in == NULL) {
		log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
		proxymap_lookup_init("proxy_read_maps", allowed);
		in = attr_in_new(DICT_PROXY_MAX_KEY, DICT_PROXY_MAX_REQUEST);
	}
	why = buf_new(0);
	if (attr_parse_mem(in, data, size, why) == 0) {
		o = attr_out_new();
		proxymap_lookup_reply(in, o);
		check_reply(in, attr_out_buf(o));
		attr_out_free(&o);
	}
	buf_free(&why);
	return 0;
}
