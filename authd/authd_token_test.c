/* authd_token_test - login tokens on a fake clock: a token is 64
 * lowercase hex digits and redeems once for its user; a replayed, forged,
 * malformed, expired one, or one presented for another service or client
 * address, gives nothing (the last two forget it); the store keeps at most
 * AUTHD_TOKEN_MAX tokens and drops the oldest with a warning; only root
 * or authd's own uid may redeem. */
#include <string.h>

#include "authd.h"
#include "test.h"

static long long fake_now = 1000000;

/* fake_clock - the test's clock */
static long long fake_clock(void)
{
	return fake_now;
}

/* is_hex64 - 64 lowercase hex digits */
static bool is_hex64(const char *s)
{
	return strlen(s) == AUTHD_TOKEN_HEX && strspn(s, "0123456789abcdef") == AUTHD_TOKEN_HEX;
}

/* redeem - authd_token_redeem, with the user it gave */
static enum authd_token_result redeem(const char *tok, const char *svc, const char *rip,
				      struct buf *user)
{
	buf_reset(user);
	return authd_token_redeem(tok, svc, rip, user);
}

/* test_once - issue, redeem once, replay, forgeries */
static void test_once(void)
{
	char a[AUTHD_TOKEN_HEX + 1], b[AUTHD_TOKEN_HEX + 1], forged[AUTHD_TOKEN_HEX + 1];
	struct buf *user = buf_new(0);

	test_begin("authd token: issued, redeemed once, replay and forgeries give nothing");
	test_assert(authd_token_issue("joe@example.org", "pop3", "192.0.2.1", a) == 0 && is_hex64(a));
	test_assert(authd_token_issue("ann", "imap", "unknown", b) == 0 && is_hex64(b));
	test_assert(strcmp(a, b) != 0 && authd_token_count() == 2);
	memcpy(forged, a, sizeof(forged));
	forged[AUTHD_TOKEN_HEX - 1] = forged[AUTHD_TOKEN_HEX - 1] == '0' ? '1' : '0';
	test_assert(redeem(forged, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_UNKNOWN);
	test_assert(redeem("", "pop3", "192.0.2.1", user) == AUTHD_TOKEN_UNKNOWN);
	forged[AUTHD_TOKEN_HEX - 1] = '\0';	/* a prefix of nothing issued */
	test_assert(redeem(forged, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_UNKNOWN);
	test_assert(redeem(a, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_OK);
	test_assert_str(buf_str(user), "joe@example.org");
	test_assert(redeem(a, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_UNKNOWN && buf_len(user) == 0);
	test_assert(redeem(b, "imap", "unknown", user) == AUTHD_TOKEN_OK);
	test_assert_str(buf_str(user), "ann");
	test_assert(authd_token_count() == 0);
	test_end();
	buf_free(&user);
}

/* test_mismatch_expiry - another service or rip, the 60 s lifetime, pruning */
static void test_mismatch_expiry(void)
{
	char a[AUTHD_TOKEN_HEX + 1], b[AUTHD_TOKEN_HEX + 1];
	struct buf *user = buf_new(0);

	test_begin("authd token: another service or rip forgets it; it expires after 60s");
	test_assert(authd_token_issue("joe", "pop3", "192.0.2.1", a) == 0);
	test_assert(redeem(a, "imap", "192.0.2.1", user) == AUTHD_TOKEN_MISMATCH);
	test_assert(redeem(a, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_UNKNOWN);
	test_assert(authd_token_issue("joe", "pop3", "192.0.2.1", a) == 0);
	test_assert(redeem(a, "pop3", "192.0.2.10", user) == AUTHD_TOKEN_MISMATCH);
	test_assert(redeem(a, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_UNKNOWN);
	test_assert(authd_token_issue("joe", "pop3", "192.0.2.1", a) == 0);
	test_assert(authd_token_issue("ann", "pop3", "192.0.2.1", b) == 0);
	fake_now += AUTHD_TOKEN_TTL_MS - 1;
	test_assert(redeem(b, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_OK);	/* just in time */
	fake_now += 1;
	test_assert(redeem(a, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_EXPIRED && buf_len(user) == 0);
	test_assert(redeem(a, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_UNKNOWN);
	test_assert(authd_token_issue("joe", "pop3", "192.0.2.1", a) == 0);
	test_assert(authd_token_issue("joe", "pop3", "192.0.2.1", b) == 0);
	fake_now += AUTHD_TOKEN_TTL_MS;
	test_assert(authd_token_count() == 2);
	test_assert(authd_token_issue("joe", "pop3", "192.0.2.1", a) == 0);
	test_assert(authd_token_count() == 1);	/* both expired ones pruned */
	test_assert(redeem(a, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_OK);
	test_end();
	buf_free(&user);
}

/* test_limit - AUTHD_TOKEN_MAX and the oldest dropped */
static void test_limit(void)
{
	char first[AUTHD_TOKEN_HEX + 1], second[AUTHD_TOKEN_HEX + 1], t[AUTHD_TOKEN_HEX + 1];
	struct buf *user = buf_new(0);

	test_begin("authd token: at most 4096 outstanding, the oldest dropped with a warning");
	test_assert(authd_token_issue("first", "pop3", "192.0.2.1", first) == 0);
	fake_now += 1;
	test_assert(authd_token_issue("second", "pop3", "192.0.2.1", second) == 0);
	for (int i = 2; i < AUTHD_TOKEN_MAX; i++)
		test_assert(authd_token_issue("u", "pop3", "192.0.2.1", t) == 0);
	test_assert(authd_token_count() == AUTHD_TOKEN_MAX);
	test_assert(!test_logged("dropped"));
	test_assert(authd_token_issue("last", "pop3", "192.0.2.1", t) == 0);
	test_expect_log("login tokens: 4096 outstanding, the oldest (user=<first>, service=pop3, rip=192.0.2.1) dropped");
	test_assert(authd_token_count() == AUTHD_TOKEN_MAX);
	test_assert(redeem(first, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_UNKNOWN);
	test_assert(redeem(second, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_OK);
	test_assert(redeem(t, "pop3", "192.0.2.1", user) == AUTHD_TOKEN_OK);
	test_assert_str(buf_str(user), "last");
	authd_token_reset();
	test_assert(authd_token_count() == 0);
	test_end();
	buf_free(&user);
}

/* test_peer - who may redeem */
static void test_peer(void)
{
	test_begin("authd token: only root or authd's own uid may redeem");
	test_assert(authd_token_peer_ok(0, 105));
	test_assert(authd_token_peer_ok(105, 105));
	test_assert(!authd_token_peer_ok(106, 105));
	test_assert(!authd_token_peer_ok(65534, 105));
	test_assert(!authd_token_peer_ok((uid_t)-1, 105));
	test_assert(!authd_token_peer_ok((uid_t)-1, (uid_t)-1));
	test_end();
}

/* test_authd_token - every group, on the fake clock */
void test_authd_token(void)
{
	authd_token_set_clock(fake_clock);
	test_once();
	test_mismatch_expiry();
	test_limit();
	test_peer();
	authd_token_reset();
	authd_token_set_clock(NULL);
}
