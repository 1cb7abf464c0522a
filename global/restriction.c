/* restriction - smtpd restriction names and the check of the lists that
 * use them (restriction.h).  The lists are main.cf values split as smtpd
 * splits them (commas and white space); the restriction classes named in
 * smtpd_restriction_classes are lists too.  Reports only, never fatal:
 * Postfix itself starts with such a typo and answers 451 4.3.5. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "restriction.h"
#include "strv.h"

static const struct {
	const char *name;
	bool takes_arg;
} names[] = {
#define R(name, fn, arg) { name, arg },
#include "restriction.def"
#undef R
};

/* Postfix restrictions hato does not implement: named as such, not as typos */
static const char *const postfix_only[] = {
	"check_policy_service", "reject_unverified_sender", "reject_unverified_recipient",
	"permit_tls_clientcerts", "permit_tls_all_clientcerts", "check_ccert_access",
	"check_sasl_access", "check_client_mx_access", "check_client_ns_access",
	"check_client_a_access", "check_reverse_client_access", "check_helo_mx_access",
	"check_helo_ns_access", "check_helo_a_access", "check_sender_mx_access",
	"check_sender_ns_access", "check_sender_a_access", "check_recipient_mx_access",
	"check_recipient_ns_access", "check_recipient_a_access", "check_etrn_access",
	"permit_mx_backup", "permit_inet_interfaces", "permit_naked_ip_address", "sleep",
	"check_relay_domains", "reject_maps_rbl",
};

static const char *const lists[] = {
	"smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
	"smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions",
	"smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions",
};

/* restriction_known - name is a restriction smtpd implements */
bool restriction_known(const char *name, bool *takes_arg)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(names[i].name, name) == 0) {
			if (takes_arg)
				*takes_arg = names[i].takes_arg;
			return true;
		}
	}
	return false;
}

/* is_postfix_only - a Postfix restriction that hato lacks */
static bool is_postfix_only(const char *name)
{
	for (size_t i = 0; i < sizeof(postfix_only) / sizeof(postfix_only[0]); i++)
		if (strcasecmp(postfix_only[i], name) == 0)
			return true;
	return false;
}

/* is_class - name is one of the restriction classes */
static bool is_class(const struct strv *classes, const char *name)
{
	for (size_t i = 0; i < classes->len; i++)
		if (strcmp(classes->items[i], name) == 0)
			return true;
	return false;
}

/* where - "FILE, line N: PARAM" (or "FILE: PARAM" for a default value,
 * "OVERRIDES: -o PARAM" for a master.cf override) */
static void where(struct config *c, const char *param, const char *overrides,
		  struct buf *report)
{
	int line = config_line(c, param);

	if (overrides)
		buf_printf(report, "%s: -o %s", overrides, param);
	else if (config_origin(c, param) == CONFIG_OVERRIDE)
		buf_printf(report, "master.cf: -o %s", param);
	else if (line > 0)
		buf_printf(report, "%s, line %d: %s", config_path(c), line, param);
	else
		buf_printf(report, "%s: %s", config_path(c), param);
}

/* check_list - the problems of one list parameter (only if it is a
 * master.cf override, when overrides is set) */
static int check_list(struct config *c, const char *param, const struct strv *classes,
		      const char *overrides, struct buf *report)
{
	const char *v = config_get(c, param);
	struct strv *items = strv_split(v ? v : "", ", \t\r\n");
	bool takes_arg;
	int problems = 0;

	for (size_t i = 0; i < items->len && (!overrides || config_origin(c, param) == CONFIG_OVERRIDE); i++) {
		const char *it = items->items[i];

		if (strchr(it, ':') || strcasecmp(it, "warn_if_reject") == 0
		    || is_class(classes, it))
			continue;
		if (!restriction_known(it, &takes_arg)) {
			where(c, param, overrides, report);
			buf_printf(report, is_postfix_only(it) ? ": restriction \"%s\" is not implemented by hato\n"
				   : ": unknown restriction \"%s\"\n", it);
			problems++;
			i += strcasecmp(it, "sleep") == 0;	/* and its number of seconds */
		} else if (takes_arg && i + 1 >= items->len) {
			where(c, param, overrides, report);
			buf_printf(report, ": restriction \"%s\" needs an argument\n", it);
			problems++;
		} else if (takes_arg) {
			i++;
		}
	}
	strv_free(&items);
	return problems;
}

/* restriction_check - every restriction list and class in c */
int restriction_check(struct config *c, const char *overrides, struct buf *report)
{
	const char *cl = config_get(c, "smtpd_restriction_classes");
	struct strv *classes = strv_split(cl ? cl : "", ", \t\r\n");
	int problems = 0;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		problems += check_list(c, lists[i], classes, overrides, report);
	for (size_t i = 0; i < classes->len; i++)
		problems += check_list(c, classes->items[i], classes, overrides, report);
	strv_free(&classes);
	return problems;
}

/* restriction_warn - restriction_check, each problem a warning */
int restriction_warn(struct config *c, const char *overrides)
{
	struct buf *report = buf_new(0);
	int problems = restriction_check(c, overrides, report);

	for (char *line = report->data, *nl; problems && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		log_warn("%s", line);
	}
	buf_free(&report);
	return problems;
}
