/* dns_hosts - address to name through /etc/hosts, also inside a chroot.
 *
 * dns_hosts_name() reads /etc/hosts at every call (the administrator may
 * edit it while daemons run); where the file is out of reach (a chrooted
 * daemon) it uses the copy dns_hosts_preload() kept before the chroot.
 * The file is the administrator's: lines are bounded (DNS_HOSTS_MAX_LINE,
 * longer ones are cut there), the copy at DNS_HOSTS_MAX_COPY bytes, and
 * only a name that passes dns_name_valid() is returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "mem.h"

enum { DNS_HOSTS_MAX_LINE = 1024, DNS_HOSTS_MAX_COPY = 1 << 20 };

static const char hosts_path[] = "/etc/hosts";
static char *copy;		/* the file as dns_hosts_preload read it */

/* line_name - the first name on one hosts line if it is for addr */
static char *line_name(char *line, const char *addr)
{
	char *save = NULL, *a = strtok_r(line, " \t\r\n", &save), *n;

	if (a == NULL || *a == '#' || strcmp(a, addr) != 0)
		return NULL;
	n = strtok_r(NULL, " \t\r\n", &save);
	return n && *n != '#' && dns_name_valid(n) ? xstrdup(n) : NULL;
}

/* from_file - the name for addr in an open hosts file */
static char *from_file(FILE *fp, const char *addr)
{
	char line[DNS_HOSTS_MAX_LINE], *name = NULL;

	while (name == NULL && fgets(line, sizeof(line), fp))
		name = line_name(line, addr);
	return name;
}

/* dns_hosts_name - see dns.h */
char *dns_hosts_name(const char *addr)
{
	FILE *fp = fopen(hosts_path, "re");
	char *name;

	if (fp == NULL && copy != NULL)
		fp = fmemopen(copy, strlen(copy), "r");
	if (fp == NULL)
		return NULL;
	name = from_file(fp, addr);
	fclose(fp);
	return name;
}

/* dns_hosts_preload - keep a copy of /etc/hosts for after a chroot */
void dns_hosts_preload(void)
{
	FILE *fp;
	size_t n;

	if (copy != NULL || (fp = fopen(hosts_path, "re")) == NULL)
		return;
	copy = xmalloc(DNS_HOSTS_MAX_COPY + 1);
	n = fread(copy, 1, DNS_HOSTS_MAX_COPY, fp);
	copy[n] = '\0';
	copy = xrealloc(copy, n + 1);
	fclose(fp);
}
