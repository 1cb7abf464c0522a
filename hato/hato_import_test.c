/* hato_import_test - the Dovecot translation of hato import on trees read
 * from memory: settings, passdb/userdb, listeners into master.cf lines,
 * and what is listed as not translated, with file and line. */
#include <string.h>

#include "dovecot_conf.h"
#include "hato_import.h"
#include "test.h"

static const char hato_main_cf[] =
	"queue_directory = /var/spool/hato\n"
	"passdb = system, passwd-file:/etc/hato/users\n"
	"userdb = system, passwd-file:/etc/hato/users\n";

/* translate - import_dovecot_tree of text as /d/dovecot.conf into im */
static void translate(struct import *im, const char *text)
{
	struct strv *names = strv_new(), *texts = strv_new();
	struct buf *why = buf_new(64);
	struct dovecot_conf *dc;

	*im = (struct import){ .dir = "/etc/hato", .services = buf_new(256), .headers = strv_new(),
			       .problems = strv_new(), .notes = strv_new() };
	im->main_cf = cfgedit_from_text(hato_main_cf, strlen(hato_main_cf));
	im->hato = config_read_text("/etc/hato/main.cf", hato_main_cf, strlen(hato_main_cf),
				    CONFIG_QUIET, why);
	strv_add(names, "/d/dovecot.conf");
	strv_add(texts, text);
	dc = dovecot_conf_read_memory(names, texts, why);
	test_assert(dc != NULL);
	if (dc)
		import_dovecot_tree(im, dc->root, "/d/dovecot.conf");
	dovecot_conf_free(&dc);
	strv_free(&names);
	strv_free(&texts);
	buf_free(&why);
}

/* release - what translate made */
static void release(struct import *im)
{
	cfgedit_free(&im->main_cf);
	config_free(&im->hato);
	buf_free(&im->services);
	strv_free(&im->headers);
	strv_free(&im->problems);
	strv_free(&im->notes);
}

/* has - some item of v contains s */
static bool has(const struct strv *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strstr(v->items[i], s))
			return true;
	return false;
}

/* main_has - the new main.cf has the line */
static bool main_has(const struct import *im, const char *line)
{
	struct buf *text = buf_new(512);
	bool found;

	cfgedit_text(im->main_cf, text);
	buf_cat(text, "");
	found = strstr(buf_str(text), line) != NULL;
	buf_free(&text);
	return found;
}

/* test_auth - passdb and userdb sections */
static void test_auth(void)
{
	struct import im;

	test_begin("hato import: passdb/userdb: sql and static listed, passwd-file kept, pam is system");
	translate(&im, "passdb {\n  driver = sql\n  args = /etc/dovecot/dovecot-sql.conf.ext\n}\n"
		  "passdb {\n  driver = passwd-file\n  args = scheme=CRYPT username_format=%u /etc/dovecot/users\n}\n"
		  "passdb {\n  driver = pam\n}\n"
		  "userdb {\n  driver = static\n  args = uid=vmail gid=vmail home=/var/vmail/%d/%n\n}\n");
	test_assert(main_has(&im, "\npassdb = passwd-file:/etc/dovecot/users, system\n"));
	test_assert(main_has(&im, "\nuserdb = system, passwd-file:/etc/hato/users\n"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 2: passdb driver sql: hato has no such passdb"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 13: userdb driver static: hato has no such userdb"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 12: no userdb could be translated"));
	release(&im);
	test_end();
}

/* test_listeners - ports, addresses, ssl, protocols */
static void test_listeners(void)
{
	struct import im;

	test_begin("hato import: listeners become master.cf services; ssl = required; lmtp noted");
	translate(&im, "protocols = imap pop3 lmtp\nlisten = 192.0.2.1\nssl = required\n"
		  "service imap-login {\n  inet_listener imap {\n    port = 0\n  }\n"
		  "  inet_listener imaps {\n    port = 10993\n  }\n  process_min_avail = 4\n}\n");
	test_assert(main_has(&im, "\nprotocols = imap pop3\n"));
	test_assert(main_has(&im, "\ndisable_plaintext_auth = yes\n"));
	test_assert(strstr(buf_str(im.services), "imapd\n") != NULL);
	test_assert(strstr(buf_str(im.services), "192.0.2.1:10993 inet") != NULL);
	test_assert(strstr(buf_str(im.services), "  -o imapd_tls_wrappermode=yes\n") != NULL);
	test_assert(strstr(buf_str(im.services), ":143") == NULL);
	test_assert(strstr(buf_str(im.services), "192.0.2.1:110 inet") != NULL);
	test_assert(strstr(buf_str(im.services), "192.0.2.1:995 inet") != NULL);
	test_assert(strstr(buf_str(im.services), "login/imap unix") != NULL);
	test_assert(strstr(buf_str(im.services), "\nauth      unix") != NULL);
	test_assert(has(im.notes, "line 1: protocol lmtp"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 11: service imap-login { process_min_avail }"));
	release(&im);
	translate(&im, "protocols = pop3\nlisten = 127.0.0.1, ::1\n"
		  "service pop3-login {\n  inet_listener pop3 {\n    address = ::1\n    port = 1110\n  }\n"
		  "  inet_listener pop3s {\n    port = 99999\n  }\n}\n");
	test_assert(strstr(buf_str(im.services), "[::1]:1110 inet") != NULL);
	test_assert(strstr(buf_str(im.services), "127.0.0.1:995 inet") != NULL);
	test_assert(has(im.notes, "inet_listener pop3s: hato listens on 127.0.0.1 only"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 9: inet_listener pop3s { port = 99999 }: not a port"));
	release(&im);
	translate(&im, "listen = *, ::\n");
	test_assert(strstr(buf_str(im.services), "\nimaps     inet") != NULL);
	release(&im);
	translate(&im, "protocols = imap\nlisten = [{\nservice imap-login {\n  inet_listener imap {\n"
		  "    address = a b!c\n  }\n}\n");
	test_assert(has(im.problems, "/d/dovecot.conf, line 2: listen = [{: not an address list"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 5: inet_listener imap { address = a b!c }: "
			"not an address list"));
	test_assert(strncmp(buf_str(im.services), "imap      inet", 14) == 0);	/* every address */
	test_assert(strchr(buf_str(im.services), '{') == NULL && strchr(buf_str(im.services), '!') == NULL);
	release(&im);
	translate(&im, "protocols = imap\nssl = no\n");
	test_assert(strstr(buf_str(im.services), "imap       inet") == NULL);
	test_assert(strstr(buf_str(im.services), "imap      inet") != NULL);
	test_assert(strstr(buf_str(im.services), "imaps") == NULL);
	test_assert(strstr(buf_str(im.services), "pop3") == NULL);
	release(&im);
	test_end();
}

/* test_settings - shared names, '<file', what is left out */
static void test_settings(void)
{
	struct import im;

	test_begin("hato import: Dovecot settings into main.cf, the rest listed with file and line");
	translate(&im, "auth_mechanisms = plain login\nmail_location = mbox:~/mail\n"
		  "login_greeting = Hello\nmail_plugins = quota\nssl_cert = </nonexistent/c.pem\n"
		  "plugin {\n  quota_rule = *:storage=1G\n  sieve = ~/.sieve\n}\n"
		  "namespace inbox {\n  inbox = yes\n  mailbox Drafts {\n    special_use = \\Drafts\n  }\n}\n");
	test_assert(main_has(&im, "\n# From /d/dovecot.conf (hato import)\nauth_mechanisms = plain login\n"));
	test_assert(main_has(&im, "\nlogin_greeting = Hello\n"));
	test_assert(main_has(&im, "\nquota_rule = *:storage=1G\n"));
	test_assert(!main_has(&im, "mail_location"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 2: mail_location = mbox:~/mail: hato's IMAP and POP3 read Maildir only"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 4: mail_plugins = quota: hato has no such setting"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 5: ssl_cert: /nonexistent/c.pem:"));
	test_assert(has(im.problems, "/d/dovecot.conf, line 8: plugin { sieve = ~/.sieve }"));
	test_assert(im.problems->len == 4);
	release(&im);
	test_end();
}

void test_hato_import(void)
{
	test_auth();
	test_listeners();
	test_settings();
}
