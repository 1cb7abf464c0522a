/* imapmail - the IMAP mail process: one logged-in session, as the user
 * (docs/mail-access.md).
 *
 * master starts it as root for each connection on login/imap.  It takes
 * the client from imapd (global/mail_login.c: handoff, token, switch),
 * and only then reads the client: the authenticated and selected states
 * of RFC 9051 and RFC 3501 over the user's Maildir++ folders and the
 * store's index.
 *
 * main.c: the skeleton call.  imapmail_login.c: the login's answer and
 * the session's setup.  imapmail_session.c: the command loop, states and
 * capabilities.  imapmail_box.c: the selected folder, its view (message
 * sequence numbers) and the untagged updates when the folder changes.
 * imapmail_recent.c: the session's \Recent messages (Dovecot's rules).
 * imapmail_folder.c: IMAP names to Maildir++ folders (imapmail_utf8.c:
 * UTF-8 names after ENABLE UTF8=ACCEPT).  imapmail_cmd_*.c: the commands,
 * a file per group.
 */
#ifndef HATO_IMAPMAIL_H
#define HATO_IMAPMAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "imap_parse.h"
#include "mail_index.h"
#include "params.h"
#include "stream.h"
#include "strv.h"

/* the selected folder: the client's view of it */
struct imapmail_box {
	char *name;			/* the IMAP name: "INBOX", "Sent", "a.b" */
	int fd;				/* the folder's directory */
	int cur_fd, new_fd;		/* its cur/ and new/ (-1: not open) */
	bool readonly;			/* EXAMINE */
	uint32_t uidvalidity, uidnext;
	uint64_t highestmodseq;
	struct mail_index_folder *f;	/* f->msgs[seq - 1] */
	size_t recent;			/* \Recent ones in the view */
	struct imapmail_recent *recent_set;	/* imapmail_recent.c */
	struct mail_index_take *taken;	/* a take the last own sync did, or NULL */
	struct strv *keywords;		/* by letter: 'a' + i */
	struct imapmail_watch *watch;	/* inotify and own changes, or NULL */
	struct timespec stamp[2];	/* without a watch: new/ and cur/ at the
					 * last load, or 0 */
	bool kernel_clock;		/* mail_index_kernel_clock of the folder */
	bool flush_own;			/* imapmail_box_flush: no own change waits */
	uint64_t generation;		/* the index's when b->f was listed */
	bool holds_gone;		/* the view keeps expunged messages */
	bool told_expunge;		/* this command told of an expunge */
	bool new_keyword;		/* this STORE made a keyword */
};

struct imapmail {
	const struct params *cf;
	struct stream *s;
	const char *user;
	int root_fd;			/* the Maildir (INBOX) */
	struct mail_index *idx;
	struct imapmail_box *box;	/* NULL: authenticated state */
	struct imap_cmd *cmd;
	struct imap_limits limits;
	bool uid;			/* the command came as UID ... */
	bool done;			/* LOGOUT, or the client is gone */
	bool rev2;			/* ENABLE IMAP4rev2 */
	int sync;			/* before this command's tagged answer:
					 * IMAPMAIL_SYNC_* */
	uint32_t *saved;		/* RETURN (SAVE)'s UIDs, for '$', ascending */
	size_t n_saved;
	unsigned long n_fetch, n_store, n_expunge, n_append;
	struct stream_deflate *deflate;	/* COMPRESS DEFLATE active, or NULL */
	bool condstore;			/* CONDSTORE enabled (RFC 7162 3.1) */
	bool condstore_told;		/* ENABLE named it */
	bool qresync;			/* QRESYNC enabled: VANISHED, not EXPUNGE */
	bool utf8;			/* ENABLE UTF8=ACCEPT (imapmail_utf8.c) */
	struct mail_quota_cfg *quota;	/* main.cf's quota parameters, or NULL
					 * until first needed (imapmail_cmd_quota.c) */
	const struct strv *quota_rules;	/* the userdb's "quota_rule=RULE" items */
	struct imapmail_sortcache *sortcache;	/* SORT's keys, or NULL */
	struct imapmail_contexts *contexts;	/* RETURN (UPDATE)'s, or NULL */
};

enum { IMAPMAIL_SYNC_NONE, IMAPMAIL_SYNC_NO_EXPUNGE, IMAPMAIL_SYNC_ALL };

struct server_info;
struct mail_quota_cfg;

/* --- imapmail_login.c --- */
void imapmail_login_init(const struct server_info *si);
void imapmail_login(int fd);

typedef void imapmail_cmd_fn(struct imapmail *m, struct imap_cmd *c);

/* --- imapmail_session.c --- */
void imapmail_serve(struct imapmail *m);
void imapmail_capabilities(const struct params *cf, struct buf *out);
void imapmail_tagged(struct imapmail *m, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void imapmail_untagged(struct imapmail *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --- imapmail_folder.c --- */
/* imapmail_folder_check - may name (as the client sent it) be a folder?
 * into out the folder ("INBOX" or the Maildir++ name); false with why */
bool imapmail_folder_check(const char *name, struct buf *out, struct buf *why);
/* imapmail_folder_special - imap_special_use as pairs: name, "\\Use" */
struct strv *imapmail_folder_special(const struct params *cf);
/* imapmail_folder_open - the folder's directory: fd, or -1 (errno) */
int imapmail_folder_open(struct imapmail *m, const char *folder);

/* --- imapmail_box.c --- */
int imapmail_box_select(struct imapmail *m, const char *folder, bool readonly, struct buf *why);
void imapmail_box_close(struct imapmail *m);
/* imapmail_box_sync - the folder again from the Maildir; the changes as
 * untagged answers (EXPUNGE only when expunge_ok) */
int imapmail_box_sync(struct imapmail *m, bool expunge_ok);
/* imapmail_box_watch_fd - the selected folder's watch descriptor (for
 * IDLE to wait on), the watch made now if the box had none (inotify
 * refused at SELECT; the folder is then read at the next sync), or -1:
 * no folder, or still no watch (IDLE then looks at its rounds only) */
int imapmail_box_watch_fd(struct imapmail *m);
/* imapmail_box_flush - imapmail_box_sync (no EXPUNGE) with the own
 * changes that may wait (a STORE's renames) told to the index now */
void imapmail_box_flush(struct imapmail *m);
/* imapmail_box_stamp - when the watch proves the folder is as the
 * index has it, keep its look (mail_index_stamp_own) so that the next
 * session's sync reads nothing; wait: a tick or two for the look to
 * settle (at close) */
void imapmail_box_stamp(struct imapmail *m, bool wait);
/* imapmail_box_flags - FLAGS (...) of message i into out */
void imapmail_box_flags(struct imapmail *m, size_t i, struct buf *out);
/* imapmail_box_fetch_flags - the untagged FETCH of message i's flags
 * (with its UID when uid or QRESYNC, its MODSEQ under CONDSTORE; no
 * FLAGS when silent) */
void imapmail_box_fetch_flags(struct imapmail *m, size_t i, bool uid, bool silent);
/* imapmail_box_announce_flags - FLAGS and PERMANENTFLAGS of the folder
 * (at SELECT, and again when a keyword is new) */
void imapmail_box_announce_flags(struct imapmail *m);
/* imapmail_box_seqset - the messages (0-based) a set names, as UIDs when
 * m->uid, or '$' (RFC 5182: the saved result), into *idx_r (allocated),
 * in order */
int imapmail_box_seqset(struct imapmail *m, const char *set, size_t **idx_r, size_t *n_r);
/* imapmail_uid_cmp - two uint32_t, for qsort and bsearch */
int imapmail_uid_cmp(const void *a, const void *b);

/* --- imapmail_condstore.c: CONDSTORE and QRESYNC (RFC 7162) --- */
struct imap_seqset;
struct imapmail_qresync {
	bool condstore;			/* (CONDSTORE) */
	bool qresync;			/* (QRESYNC (...)) */
	uint32_t uidvalidity;
	uint64_t modseq;
	struct imap_seqset *known;	/* known-uids, or NULL */
};
void imapmail_condstore_enable(struct imapmail *m);
int imapmail_select_params(struct imapmail *m, const struct imap_arg *a,
			   struct imapmail_qresync *q, struct buf *why);
void imapmail_qresync_free(struct imapmail_qresync *q);
void imapmail_qresync_select(struct imapmail *m, const struct imapmail_qresync *q);
void imapmail_vanished_earlier(struct imapmail *m, uint64_t since, const struct imap_seqset *known);

/* --- imapmail_cmd_store.c --- */
/* imapmail_expunge_deleted - remove the \Deleted messages (only those
 * whose UID is in uids, unless NULL); the next sync tells the client */
int imapmail_expunge_deleted(struct imapmail *m, const struct imap_seqset *uids);
/* imapmail_flags_set - message i gets exactly flags (Maildir letters):
 * 1 changed (the view too), 0 gone or the same, -1 error (logged) */
int imapmail_flags_set(struct imapmail *m, size_t i, const char *flags);

/* --- commands --- */
void imapmail_cmd_capability(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_noop(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_logout(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_enable(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_id(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_namespace(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_idle(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_select(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_close(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_unselect(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_create(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_delete(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_rename(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_subscribe(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_list(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_status(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_fetch(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_store(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_expunge(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_copy(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_append(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_search(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_compress(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_getquotaroot(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_getquota(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_setquota(struct imapmail *m, struct imap_cmd *c);
/* imapmail_quota_room - may bytes in count messages go from from_folder
 * (NULL: from outside) into folder?  true (*q: the use before), or
 * false after the tagged NO ([OVERQUOTA] when over) */
struct maildir_quota;
bool imapmail_quota_room(struct imapmail *m, const char *from_folder, const char *folder,
			 long long bytes, long long count, struct maildir_quota *q);
/* imapmail_quota_moved - after bytes in count messages went from
 * from_folder (NULL: outside) to folder (NULL: expunged): maildirsize
 * updated, a warning when before (room's q, or NULL) crossed one */
void imapmail_quota_moved(struct imapmail *m, const char *from_folder, const char *folder,
			  const struct maildir_quota *before, long long bytes, long long count);
/* imapmail_quota_recalc - maildirsize counted again (after DELETE) */
void imapmail_quota_recalc(struct imapmail *m);
/* --- imapmail_parts.c: the cached MIME parts and envelope fields of msg
 * (fd: its file, or -1 to open it only when needed); NULL if unreadable */
struct mime_parts;
struct mime_parts *imapmail_parts(struct imapmail *m, const struct mail_index_msg *msg, int fd,
				  struct buf *env);
int imapmail_msg_open(struct imapmail *m, const struct mail_index_msg *msg);
/* imapmail_msg_vsize - RFC822.SIZE of msg (counted from the file when
 * the index has no vsize) */
off_t imapmail_msg_vsize(struct imapmail *m, const struct mail_index_msg *msg);
/* imapmail_envelope_cached - msg's envelope fields from the cache (filled
 * first if need be) into env: false when they must be read from the file */
bool imapmail_envelope_cached(struct imapmail *m, const struct mail_index_msg *msg,
			      struct buf *env);
/* imapmail_cache_batch - on: the cache fills that follow are written
 * together; off: written now (errors logged) */
void imapmail_cache_batch(struct imapmail *m, bool on);
/* imapmail_cache_end - the fills a batch left waiting written now */
void imapmail_cache_end(struct imapmail *m);
/* --- imapmail_fetch_ahead.c: a chunk of FETCH's cached ENVELOPEs --- */
struct imapmail_ahead {
	const char *field;		/* NULL: IMAPMAIL_ENVELOPE_FIELD */
	size_t n, cap;
	struct buf *data;
	size_t *off, *len;
	int *rc;			/* as mail_index_cache_get's */
};
void imapmail_ahead_read(struct imapmail *m, struct imapmail_ahead *a, const size_t *idx, size_t n);
bool imapmail_ahead_envelope(struct imapmail *m, const struct imapmail_ahead *a, size_t j,
			     const struct mail_index_msg *msg, struct buf *out);
bool imapmail_ahead_data(const struct imapmail_ahead *a, size_t j, const char **data, size_t *len);
void imapmail_ahead_free(struct imapmail_ahead *a);
/* --- imapmail_hdrcache.c: HEADER.FIELDS from the cached lean header --- */
struct imapmail_section;
bool imapmail_hdrcache_covers(const struct imapmail_section *sec);
bool imapmail_hdrcache_get(struct imapmail *m, const struct mail_index_msg *msg, struct buf *out);
/* --- imapmail_cmd_search.c: the sequence numbers (ascending) of the
 * messages s matches, into hits (room for every message): how many */
struct imapmail_search;
size_t imapmail_search_seqs(struct imapmail *m, struct imapmail_search *s, uint32_t *hits);
struct imapmail_return;
void imapmail_search_save(struct imapmail *m, const struct imapmail_return *r, const uint32_t *hits,
			  size_t n);
void imapmail_cmd_sort(struct imapmail *m, struct imap_cmd *c);
void imapmail_cmd_thread(struct imapmail *m, struct imap_cmd *c);
/* --- imapmail_utf8.c: UTF8=ACCEPT (RFC 6855) --- */
struct strv;
void imapmail_utf8_enable(struct imapmail *m);
/* imapmail_folder_name - imapmail_folder_check of a name as the client
 * sends it (UTF-8 when enabled, else modified UTF-7) */
bool imapmail_folder_name(struct imapmail *m, const char *name, struct buf *folder,
			  struct buf *why);
/* imapmail_folder_quote - a folder's name as the client reads it */
void imapmail_folder_quote(struct imapmail *m, struct buf *out, const char *folder);
void imapmail_utf8_patterns(struct imapmail *m, struct strv *patterns);
/* imapmail_append_data - APPEND's message from c->args[i] on: the
 * literal, or UTF8 (~{n}) when enabled, *next the argument after it;
 * NULL: BAD */
const struct imap_arg *imapmail_append_data(struct imapmail *m, const struct imap_cmd *c, size_t i,
					    size_t *next);
/* --- imapmail_esort.c: ESORT (RFC 5267) for imapmail_cmd_sort --- */
bool imapmail_esort_return(struct imapmail *m, struct imap_cmd *c, struct imapmail_return *r);

#endif
