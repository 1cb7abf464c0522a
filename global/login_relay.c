/* login_relay - copy between a TLS client stream and the mail process;
 * see login_relay.h.  The client side goes through the stream (its
 * transport decrypts and encrypts), the mail side is a plain
 * non-blocking socket with one buffer of bytes on their way to it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "login_relay.h"

enum { RELAY_BUF = 16384, RELAY_OUT = 65536 };

struct relay {
	struct stream *client;
	int mail_fd;
	char to_mail[RELAY_BUF];
	size_t to_mail_pos, to_mail_len;
	bool client_eof;
};

/* from_client - read what the client sent (through TLS) for the mail
 * process; false when the client is gone */
static bool from_client(struct relay *r)
{
	ssize_t n = stream_read(r->client, r->to_mail, sizeof(r->to_mail));

	if (n <= 0)
		return false;
	r->to_mail_pos = 0;
	r->to_mail_len = (size_t)n;
	return true;
}

/* to_mail - write buffered client bytes; false when the mail process is
 * gone */
static bool to_mail(struct relay *r)
{
	ssize_t n = send(r->mail_fd, r->to_mail + r->to_mail_pos, r->to_mail_len - r->to_mail_pos,
			 MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	r->to_mail_pos += (size_t)n;
	if (r->to_mail_pos == r->to_mail_len)
		r->to_mail_pos = r->to_mail_len = 0;
	return true;
}

/* from_mail - what the mail process wrote, up to RELAY_OUT at once, to
 * the client in one flush (a RETR leaves as full TLS records, not one
 * record per read); false when either is gone */
static bool from_mail(struct relay *r)
{
	char buf[RELAY_BUF];
	size_t total = 0;
	ssize_t n;

	while (total < RELAY_OUT && (n = read(r->mail_fd, buf, sizeof(buf))) > 0) {
		stream_write(r->client, buf, (size_t)n);
		total += (size_t)n;
	}
	if (total == 0 && (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)))
		return false;
	return total == 0 || stream_flush(r->client) == 0;
}

/* step - one wait and what it allows; false when the session is over */
static bool step(struct relay *r)
{
	bool holding = r->to_mail_len > 0;
	struct pollfd pfd[2] = {
		{ .fd = r->mail_fd, .events = (short)(POLLIN | (holding ? POLLOUT : 0)) },
		{ .fd = r->client->fd, .events = POLLIN },
	};
	/* buffered client bytes count as readable; poll would not see them */
	bool client_ready = !holding && stream_pending(r->client) > 0;
	int n = poll(pfd, holding ? 1 : 2, client_ready ? 0 : -1);

	if (n < 0)
		return errno == EINTR;
	if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
		if (!from_mail(r))
			return false;
	if (holding && (pfd[0].revents & POLLOUT) && !to_mail(r))
		return false;
	if (!holding && (client_ready || (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))))
		if (!from_client(r) || !to_mail(r))
			return false;
	return true;
}

/* login_relay - until one side closes */
void login_relay(struct stream *client, int mail_fd)
{
	struct relay r = { .client = client, .mail_fd = mail_fd };
	int fl = fcntl(mail_fd, F_GETFL), one = 1;

	if (fl >= 0)
		(void)fcntl(mail_fd, F_SETFL, fl | O_NONBLOCK);
	/* every flush is a whole answer: without this, the last small TLS
	 * record of each RETR waited for the client's delayed ACK (Nagle),
	 * about 40 ms per message */
	(void)setsockopt(client->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (step(&r))
		continue;
}
