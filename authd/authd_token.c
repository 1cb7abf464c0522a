/* authd_token - one-time login tokens (docs/auth-protocol.md "Login
 * tokens"): after an AUTH with the flag "token" succeeds, authd remembers
 * {token, user, service, rip} for AUTHD_TOKEN_TTL_MS; a mail process
 * started as root redeems the token once (TOKEN) for the user's name.
 *
 *   authd_token_issue(user, service, rip, hex)  -> 0, hex = 64 hex chars
 *   authd_token_redeem(hex, service, rip, user) -> AUTHD_TOKEN_OK ...
 *
 * The store is one array of AUTHD_TOKEN_MAX slots in this process,
 * searched whole (a few thousand 64-byte compares, each constant-time,
 * so a guess learns nothing from the time it takes).  Expired tokens are
 * pruned on every issue; when all slots hold live tokens the oldest is
 * dropped with a warning.  A token found for another service or address
 * is forgotten too: whoever holds it is not who it was issued for.  A
 * forgotten slot is wiped.  Tokens are never logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <openssl/crypto.h>

#include "authd.h"
#include "deadline.h"
#include "log.h"
#include "mem.h"

struct token {
	bool used;
	char hex[AUTHD_TOKEN_HEX + 1];
	char service[32];
	char rip[64];
	char *user;
	long long expires;	/* ms on the clock */
	unsigned long long seq;	/* issue order: the smallest is the oldest */
};

static struct token tokens[AUTHD_TOKEN_MAX];
static unsigned long long next_seq;
static authd_clock_fn *clock_fn = deadline_now;

/* authd_token_set_clock - the clock in ms (NULL: the monotonic one) */
void authd_token_set_clock(authd_clock_fn *fn)
{
	clock_fn = fn ? fn : deadline_now;
}

/* forget - wipe a slot */
static void forget(struct token *t)
{
	free(t->user);
	explicit_bzero(t, sizeof(*t));
}

/* authd_token_reset - forget every token (tests) */
void authd_token_reset(void)
{
	for (size_t i = 0; i < AUTHD_TOKEN_MAX; i++)
		if (tokens[i].used)
			forget(&tokens[i]);
}

/* authd_token_count - how many tokens are outstanding (expired included
 * until pruned) */
size_t authd_token_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < AUTHD_TOKEN_MAX; i++)
		n += tokens[i].used;
	return n;
}

/* free_slot - prune expired tokens; an empty slot, the oldest token's
 * (dropped with a warning) when all are live */
static struct token *free_slot(long long now)
{
	struct token *slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < AUTHD_TOKEN_MAX; i++) {
		struct token *t = &tokens[i];

		if (t->used && now >= t->expires)
			forget(t);
		if (!t->used)
			slot = slot ? slot : t;
		else if (oldest == NULL || t->seq < oldest->seq)
			oldest = t;
	}
	if (slot)
		return slot;
	log_warn("login tokens: %d outstanding, the oldest (user=<%s>, service=%s, rip=%s) dropped",
		 AUTHD_TOKEN_MAX, oldest->user, oldest->service, oldest->rip);
	forget(oldest);
	return oldest;
}

/* to_hex - 32 random bytes as 64 lowercase hex digits */
static void to_hex(const unsigned char *raw, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < AUTHD_TOKEN_BYTES; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[AUTHD_TOKEN_HEX] = '\0';
}

/* authd_token_issue - a new token for user (service and rip as checked by
 * the request, rip "unknown" when none) into hex; -1 (logged) when the
 * kernel gives no random bytes */
int authd_token_issue(const char *user, const char *service, const char *rip,
		      char hex[AUTHD_TOKEN_HEX + 1])
{
	unsigned char raw[AUTHD_TOKEN_BYTES];
	long long now = clock_fn();
	struct token *t;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		log_warn("login token: getrandom: %m");
		return -1;
	}
	t = free_slot(now);
	to_hex(raw, t->hex);
	explicit_bzero(raw, sizeof(raw));
	memcpy(hex, t->hex, sizeof(t->hex));
	t->used = true;
	t->user = xstrdup(user);
	snprintf(t->service, sizeof(t->service), "%s", service);
	snprintf(t->rip, sizeof(t->rip), "%s", rip);
	t->expires = now + AUTHD_TOKEN_TTL_MS;
	t->seq = next_seq++;
	return 0;
}

/* find - the slot holding hex (exactly AUTHD_TOKEN_HEX chars), or NULL;
 * every slot is compared, each in constant time */
static struct token *find(const char *hex)
{
	struct token *hit = NULL;

	if (strlen(hex) != AUTHD_TOKEN_HEX)
		return NULL;
	for (size_t i = 0; i < AUTHD_TOKEN_MAX; i++)
		if (tokens[i].used && CRYPTO_memcmp(tokens[i].hex, hex, AUTHD_TOKEN_HEX) == 0)
			hit = &tokens[i];
	return hit;
}

/* authd_token_redeem - the user a token was issued for into user_r, if it
 * is known, unexpired and was issued for this service and rip; the token
 * is forgotten whenever it was found */
enum authd_token_result authd_token_redeem(const char *hex, const char *service, const char *rip,
					   struct buf *user_r)
{
	struct token *t = find(hex);
	enum authd_token_result res;

	if (t == NULL)
		return AUTHD_TOKEN_UNKNOWN;
	if (clock_fn() >= t->expires)
		res = AUTHD_TOKEN_EXPIRED;
	else if (strcmp(t->service, service) != 0 || strcmp(t->rip, rip) != 0)
		res = AUTHD_TOKEN_MISMATCH;
	else {
		buf_set(user_r, t->user);
		res = AUTHD_TOKEN_OK;
	}
	forget(t);
	return res;
}

/* authd_token_result_str - a redeem result for log lines */
const char *authd_token_result_str(enum authd_token_result res)
{
	switch (res) {
	case AUTHD_TOKEN_OK: return "ok";
	case AUTHD_TOKEN_UNKNOWN: return "unknown token";
	case AUTHD_TOKEN_EXPIRED: return "expired token";
	case AUTHD_TOKEN_MISMATCH: return "token issued for another service or client address";
	}
	return "?";
}

/* authd_token_peer_ok - may a client of this uid redeem tokens: root (the
 * mail process before its switch) or authd's own uid (a --dev instance
 * where every process has one uid); (uid_t)-1 is an unknown peer */
bool authd_token_peer_ok(uid_t peer, uid_t self)
{
	return peer != (uid_t)-1 && (peer == 0 || peer == self);
}
