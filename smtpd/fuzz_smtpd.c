/* fuzz_smtpd - libFuzzer target for the whole SMTP session: the input is
 * what a client sends (commands, DATA, BDAT chunks), run through the real
 * session code over a socketpair until EOF.  Restrictions include access
 * maps, the relay checks and sender login maps; there is no cleanup
 * service, so DATA ends in a 451, and no authd, so AUTH ends in a 454,
 * which exercises those paths too. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "smtpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char main_cf[] =
	"myhostname = mx.example.test\nmydestination = $myhostname, example.test\n"
	"mynetworks = 10.0.0.0/8\nsmtpd_error_sleep_time = 0\nsmtpd_timeout = 5s\n"
	"local_recipient_maps =\nalias_maps =\nmessage_size_limit = 2000\n"
	"smtpd_helo_restrictions = reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname\n"
	"smtpd_sender_restrictions = reject_non_fqdn_sender, check_sender_access inline:{bad@x.org=REJECT},"
	" reject_sender_login_mismatch\n"
	"smtpd_sasl_auth_enable = yes\nsmtpd_sasl_path = fuzz/no-authd\nauth_mechanisms = plain login\n"
	"smtpd_sender_login_maps = inline:{a@example.test=alice}\n"
	"smtpd_recipient_restrictions = check_recipient_access inline:{a@example.test=550 no, "
	"h@example.test=HOLD}, permit_auth_destination, reject\n";

/* setup - the process-wide state smtpd_init would build */
static struct smtpd_global *setup(void)
{
	static struct smtpd_global g;
	struct buf *why = buf_new(0);
	struct config *c;

	log_open(0, NULL, LOG_FORMAT_TEXT, NULL, NULL);
	c = config_read_text("fuzz/main.cf", main_cf, sizeof(main_cf) - 1, CONFIG_QUIET, why);
	if (c == NULL || (g.cf = config_params(c, why)) == NULL)
		abort();
	g.config = c;
	smtpd_check_init(&g);
	smtpd_sasl_init(&g);
	buf_free(&why);
	return &g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtpd_global *g;
	int sv[2], big = 1 << 20;

	if (g == NULL)
		g = setup();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (write(sv[0], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[0], SHUT_WR);
	smtpd_session(g, sv[1]);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
