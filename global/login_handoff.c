/* login_handoff - the login process to mail process handoff; see
 * login_handoff.h.  The descriptor travels with a single byte, so the
 * attr message after it is read by the ordinary bounded attr reader. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attr.h"
#include "base64.h"
#include "deadline.h"
#include "fd_pass.h"
#include "login_handoff.h"

enum { MESSAGE_MAX = 2 * LOGIN_HANDOFF_INPUT_MAX + 4096 };

/* recv_fd - the byte and its descriptor: the fd, or -1 */
static int recv_fd(int sock, int timeout_ms)
{
	char byte[2];
	int fd = -1;

	if (deadline_wait(sock, POLLIN, deadline_in(timeout_ms)) <= 0)
		return -1;
	if (fd_pass_recv(sock, byte, sizeof(byte), &fd) != 1 || byte[0] != 'F') {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* login_handoff_send - the client's descriptor, then its session state */
int login_handoff_send(int sock, const struct login_handoff *h, int timeout_ms, struct buf *why)
{
	struct attr_out *o = attr_out_new();
	struct buf *b64 = buf_new(64);
	int rc;

	if (h->input)
		base64_encode(buf_str(h->input), buf_len(h->input), b64);
	attr_put_str(o, "protocol", h->protocol);
	attr_put_str(o, "token", h->token);
	attr_put_str(o, "rip", h->rip);
	attr_put_str(o, "lip", h->lip);
	attr_put_int(o, "lport", h->lport);
	attr_put_int(o, "secured", h->secured);
	attr_put_str(o, "tag", h->tag);
	if (session_id_valid(h->session))
		attr_put_str(o, "session", h->session);
	attr_put_str(o, "input", buf_str(b64));
	attr_end(o);
	if (fd_pass_send(sock, "F", 1, h->client_fd) < 0) {
		buf_printf(why, "send the client's descriptor: %s", strerror(errno));
		rc = -1;
	} else {
		rc = attr_write(sock, o, timeout_ms, why);
	}
	attr_out_free(&o);
	buf_free(&b64);
	return rc;
}

/* copy_field - value into dst (cap bytes with the NUL) when it has only
 * bytes of allowed and a length in 1..cap-1 (0..: empty_ok) */
static int copy_field(const struct attr_in *in, const char *name, const char *allowed,
		      bool empty_ok, char *dst, size_t cap, struct buf *why)
{
	const char *v = attr_get(in, name);
	size_t len = v ? strlen(v) : 0;

	if (v == NULL || len >= cap || (len == 0 && !empty_ok) || strspn(v, allowed) != len) {
		buf_printf(why, "handoff: bad or missing %s", name);
		return -1;
	}
	memcpy(dst, v, len + 1);
	return 0;
}

/* address_ok - an IPv4 or IPv6 literal */
static bool address_ok(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static const char hex[] = "0123456789abcdef";
static const char addr_chars[] = "0123456789abcdefABCDEF.:";
static const char tag_chars[] =
	"!#$&'()*,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz|}~";

/* fill - h from a parsed message */
static int fill(const struct attr_in *in, struct login_handoff *h, struct buf *why)
{
	long long lport, secured;
	const char *input = attr_get(in, "input");
	const char *session = attr_get(in, "session");

	if (copy_field(in, "protocol", "pop3imap", false, h->protocol, sizeof(h->protocol), why) < 0 ||
	    (strcmp(h->protocol, "pop3") != 0 && strcmp(h->protocol, "imap") != 0) ||
	    copy_field(in, "token", hex, false, h->token, sizeof(h->token), why) < 0 ||
	    copy_field(in, "rip", addr_chars, false, h->rip, sizeof(h->rip), why) < 0 ||
	    copy_field(in, "lip", addr_chars, false, h->lip, sizeof(h->lip), why) < 0 ||
	    copy_field(in, "tag", tag_chars, true, h->tag, sizeof(h->tag), why) < 0 ||
	    attr_get_int(in, "lport", 0, 65535, &lport, why) < 0 ||
	    attr_get_int(in, "secured", 0, 1, &secured, why) < 0 || input == NULL) {
		if (buf_len(why) == 0)
			buf_cat(why, "handoff: bad protocol or a missing field");
		return -1;
	}
	if (!address_ok(h->rip) || !address_ok(h->lip)) {
		buf_cat(why, "handoff: rip or lip is not an address");
		return -1;
	}
	if (session != NULL && !session_id_valid(session)) {
		buf_cat(why, "handoff: bad session");
		return -1;
	}
	snprintf(h->session, sizeof(h->session), "%s", session ? session : "");
	h->lport = (int)lport;
	h->secured = secured != 0;
	h->input = buf_new(64);
	if (base64_decode(input, strlen(input), h->input, 0) < 0 ||
	    buf_len(h->input) > LOGIN_HANDOFF_INPUT_MAX) {
		buf_cat(why, "handoff: bad input field");
		buf_free(&h->input);
		return -1;
	}
	return 0;
}

/* login_handoff_parse - one attr message from memory */
int login_handoff_parse(const void *data, size_t len, struct login_handoff *h, struct buf *why)
{
	struct attr_in *in = attr_in_new(MESSAGE_MAX, MESSAGE_MAX);
	int rc;

	*h = (struct login_handoff){ .client_fd = -1 };
	rc = attr_parse_mem(in, data, len, why) < 0 ? -1 : fill(in, h, why);
	attr_in_free(&in);
	return rc;
}

/* login_handoff_recv - the descriptor and the state; nothing may follow */
int login_handoff_recv(int sock, struct login_handoff *h, int timeout_ms, struct buf *why)
{
	struct attr_in *in = attr_in_new(MESSAGE_MAX, MESSAGE_MAX);
	int rc = -1;

	*h = (struct login_handoff){ .client_fd = -1 };
	if ((h->client_fd = recv_fd(sock, timeout_ms)) < 0)
		buf_cat(why, "handoff: no client descriptor");
	else if (attr_read(in, sock, timeout_ms, why) == 1 && attr_in_buffered(in) == 0)
		rc = fill(in, h, why);
	else if (buf_len(why) == 0)
		buf_cat(why, "handoff: no session state, or bytes after it");
	attr_in_free(&in);
	if (rc < 0)
		login_handoff_clear(h);
	return rc;
}

/* login_handoff_clear - close the descriptor, free the input */
void login_handoff_clear(struct login_handoff *h)
{
	if (h->client_fd >= 0)
		close(h->client_fd);
	h->client_fd = -1;
	buf_free(&h->input);
	explicit_bzero(h->token, sizeof(h->token));
}
