/* values.h: renders BinXML typed values as text exactly as Windows shows them in XML. */
#ifndef EVTRIAGE_VALUES_H
#define EVTRIAGE_VALUES_H
#include <stddef.h>
#include <stdint.h>
#include "core/outbuf.h"

/* BinXML value types (MS-EVEN6 2.2.13 / libevtx names). */
enum {
    BX_NULL = 0x00, BX_STRING = 0x01, BX_ANSI = 0x02, BX_INT8 = 0x03, BX_UINT8 = 0x04,
    BX_INT16 = 0x05, BX_UINT16 = 0x06, BX_INT32 = 0x07, BX_UINT32 = 0x08, BX_INT64 = 0x09,
    BX_UINT64 = 0x0A, BX_REAL32 = 0x0B, BX_REAL64 = 0x0C, BX_BOOL = 0x0D, BX_BINARY = 0x0E,
    BX_GUID = 0x0F, BX_SIZET = 0x10, BX_FILETIME = 0x11, BX_SYSTIME = 0x12, BX_SID = 0x13,
    BX_HEXINT32 = 0x14, BX_HEXINT64 = 0x15, BX_EVTHANDLE = 0x20, BX_BINXML = 0x21,
    BX_EVTXML = 0x23, BX_ARRAY = 0x80
};

/* Appends UTF-16LE text (n code units) as UTF-8; unpaired surrogates become U+FFFD.
 * Stops at the first NUL when stop_at_nul is set. */
void bx_utf16_to_utf8(et_buf *out, const uint8_t *p, size_t units, int stop_at_nul);
/* Appends the rendering of one value of the given type. Returns 0, or -1 if the
 * size does not fit the type (a message is written to err). */
int bx_render_value(et_buf *out, uint8_t type, const uint8_t *p, size_t size, char *err, size_t errlen);
/* Splits an array value (type has BX_ARRAY) into its items: offsets and sizes relative to p.
 * String arrays are NUL-separated UTF-16. Returns the number of items (at most max). */
size_t bx_array_items(uint8_t type, const uint8_t *p, size_t size, uint32_t *off, uint32_t *len, size_t max);
/* Renders a 16-byte GUID as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}. */
void bx_render_guid(et_buf *out, const uint8_t *p);

#endif
