/* json - JSON string quoting; see json.h. */
#include "json.h"

/* json_quote - append s as a JSON string literal */
void json_quote(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': buf_cat(out, "\\\""); break;
		case '\\': buf_cat(out, "\\\\"); break;
		case '\n': buf_cat(out, "\\n"); break;
		case '\r': buf_cat(out, "\\r"); break;
		case '\t': buf_cat(out, "\\t"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_printf(out, "\\u%04x", *p);
			else
				buf_putc(out, *p);
		}
	}
	buf_putc(out, '"');
}
