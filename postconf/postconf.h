/* postconf - private interface between postconf's files.
 * main.c parses options; postconf_print.c shows main.cf parameters;
 * postconf_edit.c rewrites main.cf for -e, -X and -#; postconf_master.c
 * shows master.cf entries for -M. */
#ifndef HATO_POSTCONF_H
#define HATO_POSTCONF_H

#include <stdbool.h>

#include "config.h"
#include "strv.h"

enum postconf_show {
	SHOW_DEFAULTS = 1 << 0,	/* -d */
	SHOW_NONDEFAULT = 1 << 1,	/* -n */
	SHOW_VALUE_ONLY = 1 << 2,	/* -h */
	SHOW_EXPANDED = 1 << 3,	/* -x */
};

int postconf_print(struct config *c, int show, char **names);
int postconf_edit(const char *dir, char **args, char mode);
int postconf_master(const char *dir, char **filters);

#endif
