/* config_int - private to config*.c: the struct behind struct config. */
#ifndef HATO_CONFIG_INT_H
#define HATO_CONFIG_INT_H

#include "config.h"
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
	struct htable *set;	/* name -> struct config_entry (main.cf and -o) */
	struct htable *dynamic;	/* name -> char *: computed defaults, cached */
	struct htable *expanded; /* name -> char *: config_get results, stable */
};

const char *config_dynamic_default(struct config *c, const char *name);
int config_expand_param(struct config *c, const char *name, struct buf *out, struct buf *why);

#endif
