/* mail_header_lean - a message header without its trace and signature
 * fields, for the index's cache (mail_header_lean.c). */
#ifndef HATO_MAIL_HEADER_LEAN_H
#define HATO_MAIL_HEADER_LEAN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* mail_header_lean - the header's bytes h (its empty line last) less the
 * fields mail_header_lean_keeps refuses, into out */
void mail_header_lean(const char *h, size_t len, struct buf *out);
/* mail_header_lean_keeps - whether fields of this name stay */
bool mail_header_lean_keeps(const char *name, size_t len);

#endif
