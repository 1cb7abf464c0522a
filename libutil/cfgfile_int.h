/* cfgfile_int - private to cfgfile*.c: the struct behind struct config. */
#ifndef HATO_CFGFILE_INT_H
#define HATO_CFGFILE_INT_H

#include "cfgfile.h"
#include "htable.h"

struct config_entry {
	char *value;
	int line;		/* 0 for overrides */
	enum config_origin origin;
};

struct config {
	char *dir;
	char *path;
	int flags;
	const struct config_schema *schema;
	struct htable *set;	/* name -> struct config_entry (main.cf and -o) */
	struct htable *dynamic;	/* name -> char *: config_memo's computed defaults */
	struct htable *expanded; /* name -> char *: config_get results, stable */
};

#endif
