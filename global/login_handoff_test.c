/* login_handoff_test - a descriptor and its state across a real UNIX
 * socket; a message with a bad field, extra bytes, or no descriptor is
 * refused. */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "attr.h"
#include "login_handoff.h"
#include "test.h"

/* sample - a handoff of client_fd with two pipelined bytes */
static void sample(struct login_handoff *h, int client_fd)
{
	*h = (struct login_handoff){ .client_fd = client_fd, .lport = 110, .secured = true };
	strcpy(h->protocol, "pop3");
	strcpy(h->token, "00ff00ff");
	strcpy(h->rip, "192.0.2.1");
	strcpy(h->lip, "::1");
	strcpy(h->session, "q8Z5k3YV+Mt/AAAB");
	h->input = buf_new(8);
	buf_add(h->input, "S\0", 2);
}

static void test_round_trip(void)
{
	int link[2], client[2];
	struct login_handoff out, in;
	struct buf *why = buf_new(0);
	char byte = 0;

	test_begin("login_handoff: descriptor, fields and input (with a NUL) arrive");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, link) == 0);
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, client) == 0);
	sample(&out, client[0]);
	test_assert(login_handoff_send(link[0], &out, 1000, why) == 0);
	test_assert(login_handoff_recv(link[1], &in, 1000, why) == 0);
	test_assert_str(in.token, "00ff00ff");
	test_assert_str(in.rip, "192.0.2.1");
	test_assert(in.secured && in.lport == 110);
	test_assert_str(in.session, "q8Z5k3YV+Mt/AAAB");
	test_assert(buf_len(in.input) == 2 && memcmp(buf_str(in.input), "S\0", 2) == 0);
	/* the passed descriptor is the same socket */
	test_assert(write(in.client_fd, "x", 1) == 1 && read(client[1], &byte, 1) == 1 && byte == 'x');
	login_handoff_clear(&in);
	test_assert(in.client_fd == -1);
	buf_free(&out.input);
	close(link[0]);
	close(link[1]);
	close(client[0]);
	close(client[1]);
	buf_free(&why);
	test_end();
}

static void test_refused(void)
{
	int link[2], client[2];
	struct login_handoff out, in;
	struct buf *why = buf_new(0);

	test_begin("login_handoff: a bad token, a bad address, or no descriptor is refused");
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, link) == 0);
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, client) == 0);
	sample(&out, client[0]);
	strcpy(out.token, "NOT-HEX");
	test_assert(login_handoff_send(link[0], &out, 1000, why) == 0);
	test_assert(login_handoff_recv(link[1], &in, 1000, why) < 0 && strstr(buf_str(why), "token"));
	test_assert(in.client_fd == -1);
	close(link[0]);
	close(link[1]);
	test_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, link) == 0);
	strcpy(out.token, "abcd");
	strcpy(out.rip, "1.2.3");
	buf_reset(why);
	test_assert(login_handoff_send(link[0], &out, 1000, why) == 0);
	test_assert(login_handoff_recv(link[1], &in, 1000, why) < 0 && strstr(buf_str(why), "address"));
	test_assert(write(link[0], "F", 1) == 1);	/* a byte, no descriptor */
	buf_reset(why);
	test_assert(login_handoff_recv(link[1], &in, 200, why) < 0 && strstr(buf_str(why), "descriptor"));
	buf_free(&out.input);
	close(link[0]);
	close(link[1]);
	close(client[0]);
	close(client[1]);
	buf_free(&why);
	test_end();
}

/* parse_with_session - login_handoff_parse of a message whose session
 * field is session (NULL: none) */
static int parse_with_session(const char *session, struct login_handoff *h, struct buf *why)
{
	struct attr_out *o = attr_out_new();
	int rc;

	attr_put_str(o, "protocol", "imap");
	attr_put_str(o, "token", "abcd");
	attr_put_str(o, "rip", "192.0.2.1");
	attr_put_str(o, "lip", "192.0.2.2");
	attr_put_int(o, "lport", 143);
	attr_put_int(o, "secured", 0);
	attr_put_str(o, "tag", "a1");
	if (session)
		attr_put_str(o, "session", session);
	attr_put_str(o, "input", "");
	attr_end(o);
	rc = login_handoff_parse(buf_str(attr_out_buf(o)), buf_len(attr_out_buf(o)), h, why);
	attr_out_free(&o);
	return rc;
}

static void test_session(void)
{
	struct login_handoff h;
	struct buf *why = buf_new(0);

	test_begin("login_handoff: the session id is optional, and checked when there");
	test_assert(parse_with_session(NULL, &h, why) == 0 && h.session[0] == '\0');
	login_handoff_clear(&h);
	test_assert(parse_with_session("AAAAbbbbCCCC0+/9", &h, why) == 0);
	test_assert_str(h.session, "AAAAbbbbCCCC0+/9");
	login_handoff_clear(&h);
	test_assert(parse_with_session("short", &h, why) < 0 && strstr(buf_str(why), "session"));
	buf_reset(why);
	test_assert(parse_with_session("AAAAbbbbCCCC0+/9\t", &h, why) < 0);
	buf_free(&why);
	test_end();
}

void test_login_handoff(void)
{
	test_round_trip();
	test_refused();
	test_session();
}
