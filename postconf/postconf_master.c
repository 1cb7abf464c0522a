/* postconf_master - print master.cf entries for postconf -M. */
#include "log.h"
#include "postconf.h"

/* postconf_master - not wired yet */
int postconf_master(const char *dir, char **filters)
{
	(void)dir; (void)filters;
	log_error("-M: waiting for the master.cf parser");
	return 1;
}
