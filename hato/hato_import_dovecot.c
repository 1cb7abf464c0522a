/* hato_import_dovecot - dovecot.conf translated into main.cf settings and
 * master.cf services.
 *
 * The settings hato shares with Dovecot keep their names (protocols,
 * mail_location, auth_mechanisms, disable_plaintext_auth, ssl_cert and
 * ssl_key without the '<', ...); ssl = required also turns
 * disable_plaintext_auth on, ssl = no leaves out the implicit-TLS
 * listeners.  The inet_listeners of imap-login and pop3-login (Dovecot's
 * defaults: imap 143, imaps 993, pop3 110, pop3s 995, so a listener the
 * configuration does not name still listens) become imapd and pop3d
 * services, with authd and the post-login services after them; passdb
 * and userdb: hato_import_auth.c.  Every other setting that says
 * something is a problem with its file and line; empty sections (Debian
 * ships many) and settings hato has no need for (ssl_dh, ...) are not.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovecot_conf.h"
#include "hato.h"
#include "hato_import.h"
#include "log.h"
#include "mem.h"

/* settings with the same name and meaning in hato's main.cf */
static const char *const same[] = {
	"auth_mechanisms", "disable_plaintext_auth", "ssl_min_protocol", "auth_username_format",
	"auth_default_realm", "auth_failure_delay", "login_greeting", "first_valid_uid",
	"mail_max_userip_connections", "pop3_uidl_format", "imap_max_line_length", NULL,
};

/* settings hato has no need for, or keeps its own of */
static const char *const needless[] = {
	"ssl_client_ca_dir", "ssl_client_ca_file", "ssl_dh", "mail_privileged_group", "listen",
	"default_login_user", "default_internal_user", "base_dir", "ssl", "protocols", NULL,
};

struct listener {
	const char *proto, *name;	/* "imap", "imaps" */
	int port;
	bool ssl;
	const char *address;
};

/* is_in - s is in list */
static bool is_in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* set_value - "name = value" into the new main.cf */
static void set_value(struct import *im, const char *origin, const char *name, const char *value)
{
	struct buf *text = buf_new(64);

	buf_printf(text, "%s = %s", name, value);
	import_set(im, origin, name, buf_str(text));
	buf_free(&text);
}

/* report_all - every setting in section n (and below) is a problem */
static void report_all(struct import *im, const struct dovecot_node *sec, const char *why)
{
	for (const struct dovecot_node *n = sec->child; n; n = n->next) {
		if (n->kind == DOVECOT_SECTION)
			report_all(im, n, why);
		else
			import_problem(im, n->file, n->line, "%s%s%s%s = %s: %s", sec->key,
				       sec->name ? " " : "", sec->name ? sec->name : "",
				       sec->key[0] ? " { " : "", n->value, why);
	}
}

/* setting - one top-level setting, the last one of its name */
static void setting(struct import *im, const struct dovecot_node *n, const char *origin)
{
	const char *v = n->value;

	if (dovecot_conf_find(n->parent, n->key) != n || is_in(needless, n->key))
		return;
	if (is_in(same, n->key)) {
		set_value(im, origin, n->key, v);
	} else if (strcmp(n->key, "ssl_cert") == 0 || strcmp(n->key, "ssl_key") == 0) {
		const char *path = v + 1 + strspn(v + 1, " \t");

		if (v[0] == '<' && access(path, F_OK) == 0)
			set_value(im, origin, n->key, path);
		else if (v[0] == '<')
			import_problem(im, n->file, n->line, "%s: %s: %m; hato keeps its own (%s)",
				       n->key, path, config_get(im->hato, n->key));
		else
			import_problem(im, n->file, n->line, "%s: not \"<file\": hato reads it from a file",
				       n->key);
	} else if (strcmp(n->key, "mail_location") == 0) {
		if (strncmp(v, "maildir:", 8) == 0)
			set_value(im, origin, n->key, v);
		else
			import_problem(im, n->file, n->line, "mail_location = %s: hato's IMAP and POP3 "
				       "read Maildir only (left out)", v);
	} else {
		import_problem(im, n->file, n->line, "%s = %s: hato has no such setting (left out)",
			       n->key, v);
	}
}

/* protocols - the protocols hato serves, into out; the others noted */
static void protocols(struct import *im, const struct dovecot_node *root, struct strv *out)
{
	const struct dovecot_node *n = dovecot_conf_find(root, "protocols");
	struct strv *v = strv_split(n ? n->value : "imap pop3", " \t,");

	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], "imap") == 0 || strcmp(v->items[i], "pop3") == 0) {
			bool again = false;

			for (size_t k = 0; k < out->len; k++)
				again = again || strcmp(out->items[k], v->items[i]) == 0;
			if (!again)
				strv_add(out, v->items[i]);
		}
		else if (strcmp(v->items[i], "lmtp") == 0)
			import_note(im, "%s, line %d: protocol lmtp: hato delivers mail itself (local, virtual)",
				    n->file, n->line);
		else
			import_problem(im, n->file, n->line, "protocols: %s: hato has no such service "
				       "(left out)", v->items[i]);
	strv_free(&v);
}

/* address_list_ok - Dovecot's address list (listen, inet_listener's
 * address): every item "*", "::", an IP literal or a host name, so
 * service_line makes a master.cf service name of it */
static bool address_list_ok(const char *list)
{
	struct strv *items = strv_split(list, ", \t[]");
	unsigned char ip[16];
	bool ok = items->len > 0;

	for (size_t i = 0; ok && i < items->len; i++) {
		const char *a = items->items[i];
		size_t n = strlen(a);

		ok = strcmp(a, "*") == 0 || inet_pton(AF_INET, a, ip) == 1 || inet_pton(AF_INET6, a, ip) == 1 ||
		     (n > 0 && n <= 253 && a[0] != '-' && a[0] != '.' &&
		      strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == n);
	}
	strv_free(&items);
	return ok;
}

/* listener_set - one setting of an inet_listener section */
static void listener_set(struct import *im, struct listener *l, const struct dovecot_node *n)
{
	if (strcmp(n->key, "port") == 0 && strspn(n->value, "0123456789") == strlen(n->value) &&
	    strlen(n->value) <= 5 && atoi(n->value) <= 65535)
		l->port = atoi(n->value);
	else if (strcmp(n->key, "port") == 0)
		import_problem(im, n->file, n->line, "inet_listener %s { port = %s }: not a port "
			       "(port %d kept)", l->name, n->value, l->port);
	else if (strcmp(n->key, "ssl") == 0)
		l->ssl = strcmp(n->value, "yes") == 0;
	else if (strcmp(n->key, "address") == 0 && address_list_ok(n->value))
		l->address = n->value;
	else if (strcmp(n->key, "address") == 0)
		import_problem(im, n->file, n->line, "inet_listener %s { address = %s }: not an "
			       "address list (left out: every address)", l->name, n->value);
	else
		import_problem(im, n->file, n->line, "inet_listener %s { %s = %s }: hato has no such "
			       "setting (left out)", l->name, n->key, n->value);
}

/* login_service - "service imap-login" and "service pop3-login": their
 * listeners into ls (of n), their other settings are problems */
static void login_service(struct import *im, const struct dovecot_node *svc, struct listener *ls,
			  size_t *n, size_t max)
{
	const char *proto = strcmp(svc->name, "imap-login") == 0 ? "imap" : "pop3";

	for (const struct dovecot_node *c = svc->child; c; c = c->next) {
		struct listener *l = NULL;

		if (c->kind == DOVECOT_SETTING || strcmp(c->key, "inet_listener") != 0 || !c->name) {
			import_problem(im, c->file, c->line, "service %s { %s }: hato has no such setting "
				       "(left out)", svc->name, c->key);
			continue;
		}
		for (size_t i = 0; i < *n && !l; i++)
			if (strcmp(ls[i].name, c->name) == 0)
				l = &ls[i];
		if (l == NULL && *n < max) {
			l = &ls[(*n)++];
			*l = (struct listener){ .proto = proto, .name = c->name };
		}
		for (const struct dovecot_node *s = c->child; l && s; s = s->next)
			if (s->kind == DOVECOT_SETTING)
				listener_set(im, l, s);
	}
}

/* auth_service - "service auth": Postfix's SASL socket is understood */
static void auth_service(struct import *im, const struct dovecot_node *svc)
{
	for (const struct dovecot_node *c = svc->child; c; c = c->next) {
		if (c->kind == DOVECOT_SECTION && c->name && strstr(c->name, "private/auth"))
			import_note(im, "%s, line %d: %s: hato's smtpd asks authd itself "
				    "(smtpd_sasl_type = dovecot or authd)", c->file, c->line, c->name);
		else if (c->kind == DOVECOT_SECTION)
			report_all(im, c, "hato's authd has its own sockets (left out)");
		else
			import_problem(im, c->file, c->line, "service auth { %s = %s }: hato has no such "
				       "setting (left out)", c->key, c->value);
	}
}

/* service_line - one master.cf entry for l into im->services */
static void service_line(struct import *im, const struct listener *l, const char *listen)
{
	const char *std = strcmp(l->name, "imap") == 0 ? "143" : strcmp(l->name, "imaps") == 0 ? "993" :
			  strcmp(l->name, "pop3") == 0 ? "110" : strcmp(l->name, "pop3s") == 0 ? "995" : "";
	const char *opts, *rest = hato_init_service(l->ssl ? (l->proto[0] == 'i' ? "imaps" : "pop3s") :
						    l->proto, &opts);
	struct buf *name = buf_new(32);
	struct strv *addrs = strv_split(l->address ? l->address : listen ? listen : "", ", \t[]");
	const char *addr = addrs->len ? addrs->items[0] : NULL;

	if (addrs->len > 1)
		import_note(im, "inet_listener %s: hato listens on %s only", l->name, addr);
	if (addr && (strcmp(addr, "*") == 0 || strcmp(addr, "::") == 0))
		addr = NULL;
	if (addr && strchr(addr, ':'))
		buf_printf(name, "[%s]:%d", addr, l->port);
	else if (addr)
		buf_printf(name, "%s:%d", addr, l->port);
	else if (atoi(std) == l->port)
		buf_cat(name, l->name);
	else
		buf_printf(name, "%d", l->port);
	buf_printf(im->services, "%-10s%s%s\n%s", buf_str(name), buf_len(name) < 10 ? "" : " ", rest,
		   opts ? opts : "");
	buf_free(&name);
	strv_free(&addrs);
}

/* single_listen - Dovecot's listen (service_line takes its first address);
 * one that is no address list is a problem, and every address is taken */
static const char *single_listen(struct import *im, const struct dovecot_node *root, struct buf *out)
{
	const struct dovecot_node *n = dovecot_conf_find(root, "listen");

	if (n == NULL || n->value == NULL)
		return NULL;
	if (!address_list_ok(n->value)) {
		import_problem(im, n->file, n->line, "listen = %s: not an address list (left out: "
			       "every address)", n->value);
		return NULL;
	}
	buf_set(out, n->value);
	return buf_str(out);
}

/* services - master.cf services for the protocols and their listeners */
static void services(struct import *im, const struct dovecot_node *root, const struct strv *protos)
{
	struct listener ls[32] = {
		{ "imap", "imap", 143, false, NULL }, { "imap", "imaps", 993, true, NULL },
		{ "pop3", "pop3", 110, false, NULL }, { "pop3", "pop3s", 995, true, NULL },
	};
	size_t n = 4;
	const char *ssl = dovecot_conf_get(root, "ssl");
	struct buf *listen = buf_new(32);
	const char *addr = single_listen(im, root, listen);
	const char *opts;

	for (const struct dovecot_node *c = root->child; c; c = c->next)
		if (c->kind == DOVECOT_SECTION && strcmp(c->key, "service") == 0 && c->name &&
		    (strcmp(c->name, "imap-login") == 0 || strcmp(c->name, "pop3-login") == 0))
			login_service(im, c, ls, &n, sizeof(ls) / sizeof(ls[0]));
	for (size_t i = 0; i < n; i++) {
		bool served = false;

		for (size_t k = 0; k < protos->len; k++)
			served = served || strcmp(protos->items[k], ls[i].proto) == 0;
		if (!served || ls[i].port <= 0)
			continue;
		if (ls[i].ssl && ssl && strcmp(ssl, "no") == 0)
			import_note(im, "inet_listener %s: ssl = no, so not served", ls[i].name);
		else
			service_line(im, &ls[i], addr);
	}
	buf_free(&listen);
	buf_printf(im->services, "%-10s%s\n", "auth", hato_init_service("auth", &opts));
	buf_printf(im->services, "%-10s %s\n", "login/auth", hato_init_service("login/auth", &opts));
	for (size_t k = 0; k < protos->len; k++) {
		const char *svc = strcmp(protos->items[k], "imap") == 0 ? "login/imap" : "login/pop3";

		buf_printf(im->services, "%-10s %s\n", svc, hato_init_service(svc, &opts));
	}
}

/* namespace - "namespace inbox { inbox = yes }" and mailboxes with a
 * special_use hato's imap_special_use has are what hato does anyway */
static void namespace(struct import *im, const struct dovecot_node *ns)
{
	static const char *const uses[] = { "\\Drafts", "\\Sent", "\\Trash", "\\Junk", "\\Archive", NULL };

	for (const struct dovecot_node *c = ns->child; c; c = c->next) {
		if (c->kind == DOVECOT_SETTING) {
			if (!(strcmp(c->key, "inbox") == 0 && strcmp(c->value, "yes") == 0) &&
			    !(strcmp(c->key, "separator") == 0 && strcmp(c->value, ".") == 0))
				import_problem(im, c->file, c->line, "namespace %s { %s = %s }: hato has "
					       "one namespace (left out)", ns->name ? ns->name : "",
					       c->key, c->value);
			continue;
		}
		for (const struct dovecot_node *m = c->child; m; m = m->next)
			if (m->kind != DOVECOT_SETTING || strcmp(m->key, "special_use") != 0 ||
			    !c->name || !is_in(uses, m->value) || strcmp(c->name, m->value + 1) != 0)
				import_problem(im, m->file, m->line, "mailbox %s { %s }: not translated "
					       "(hato's imap_special_use makes Drafts, Sent, Trash, Junk, "
					       "Archive)", c->name ? c->name : "", m->key);
	}
}

/* plugin - quota_rule and quota_rule2 are hato's too */
static void plugin(struct import *im, const struct dovecot_node *sec, const char *origin)
{
	for (const struct dovecot_node *c = sec->child; c; c = c->next)
		if (c->kind == DOVECOT_SETTING &&
		    (strcmp(c->key, "quota_rule") == 0 || strcmp(c->key, "quota_rule2") == 0))
			set_value(im, origin, c->key, c->value);
		else if (c->kind == DOVECOT_SETTING)
			import_problem(im, c->file, c->line, "plugin { %s = %s }: hato has no plugins "
				       "(left out)", c->key, c->value);
		else
			report_all(im, c, "hato has no plugins (left out)");
}

/* section - one top-level section */
static void section(struct import *im, const struct dovecot_node *sec, const char *origin)
{
	if (strcmp(sec->key, "passdb") == 0 || strcmp(sec->key, "userdb") == 0)
		return;		/* hato_import_auth.c */
	if (strcmp(sec->key, "service") == 0 && sec->name &&
	    (strcmp(sec->name, "imap-login") == 0 || strcmp(sec->name, "pop3-login") == 0))
		return;		/* services() */
	if (strcmp(sec->key, "service") == 0 && sec->name && strcmp(sec->name, "auth") == 0)
		auth_service(im, sec);
	else if (strcmp(sec->key, "namespace") == 0)
		namespace(im, sec);
	else if (strcmp(sec->key, "plugin") == 0)
		plugin(im, sec, origin);
	else
		report_all(im, sec, "hato has no such setting (left out)");
}

/* ssl_required - ssl = required: plaintext logins refused as in Dovecot */
static void ssl_required(struct import *im, const struct dovecot_node *root, const char *origin)
{
	const struct dovecot_node *n = dovecot_conf_find(root, "ssl");

	if (n && strcmp(n->value, "required") == 0) {
		set_value(im, origin, "disable_plaintext_auth", "yes");
		import_note(im, "%s, line %d: ssl = required: disable_plaintext_auth = yes", n->file,
			    n->line);
	}
}

/* import_dovecot_tree - see hato_import.h */
void import_dovecot_tree(struct import *im, const struct dovecot_node *root, const char *origin)
{
	struct strv *protos = strv_new();

	protocols(im, root, protos);
	if (dovecot_conf_find(root, "protocols")) {
		char *joined = strv_join(protos, " ");

		set_value(im, origin, "protocols", joined);
		free(joined);
	}
	for (const struct dovecot_node *n = root->child; n; n = n->next)
		if (n->kind == DOVECOT_SETTING)
			setting(im, n, origin);
		else
			section(im, n, origin);
	ssl_required(im, root, origin);
	import_dovecot_auth(im, root, origin);
	services(im, root, protos);
	strv_free(&protos);
}

/* import_dovecot - see hato_import.h */
int import_dovecot(struct import *im)
{
	struct buf *path = buf_new(64), *why = buf_new(64);
	struct dovecot_conf *dc;
	int rc = -1;

	buf_printf(path, "%s/dovecot.conf", im->dovecot);
	if ((dc = dovecot_conf_read(buf_str(path), why)) == NULL) {
		log_error("%s", buf_str(why));
	} else {
		import_dovecot_tree(im, dc->root, buf_str(path));
		rc = 0;
	}
	dovecot_conf_free(&dc);
	buf_free(&path);
	buf_free(&why);
	return rc;
}
