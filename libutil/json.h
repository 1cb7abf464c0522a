/* json - the little JSON output hato needs: quoted strings.
 * json_quote() appends s as a JSON string literal (quotes included),
 * escaping control bytes, '"' and '\\'; bytes >= 0x80 pass through. */
#ifndef HATO_JSON_H
#define HATO_JSON_H

#include "buf.h"

void json_quote(struct buf *out, const char *s);

#endif
