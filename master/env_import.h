/* env_import - keep only the environment that import_environment names,
 * as Postfix's master does before it starts a daemon.
 *
 *   env_import(cf->import_environment);
 *
 * The list is main.cf syntax (commas and/or white space).  A NAME keeps
 * that variable when it is set; NAME=VALUE sets it to VALUE.  Everything
 * else is removed, so what an administrator's shell had (LD_PRELOAD,
 * MALLOC_*, proxies, locale) does not reach the daemons.  An item that is
 * not a valid name is skipped with a warning.
 */
#ifndef HATO_ENV_IMPORT_H
#define HATO_ENV_IMPORT_H

void env_import(const char *list);

#endif
