/* values.c: text rendering of BinXML substitution values (integers, GUIDs, SIDs, times...). */
#include "reader/values.h"
#include "core/timeutil.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void put_cp(et_buf *out, uint32_t c)
{
    char b[4];
    size_t n;
    if (c < 0x80) { b[0] = (char)c; n = 1; }
    else if (c < 0x800) { b[0] = (char)(0xC0 | c >> 6); b[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
    else if (c < 0x10000) { b[0] = (char)(0xE0 | c >> 12); b[1] = (char)(0x80 | (c >> 6 & 0x3F)); b[2] = (char)(0x80 | (c & 0x3F)); n = 3; }
    else { b[0] = (char)(0xF0 | c >> 18); b[1] = (char)(0x80 | (c >> 12 & 0x3F)); b[2] = (char)(0x80 | (c >> 6 & 0x3F)); b[3] = (char)(0x80 | (c & 0x3F)); n = 4; }
    et_buf_put(out, b, n);
}

/* Four code units at p, when all are ASCII (and, with stop_at_nul, none is NUL): written out
 * as four bytes at once. Most strings of an event log are ASCII all through. */
static int ascii4(char *dst, const uint8_t *p, int stop_at_nul)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    if (v & 0xFF80FF80FF80FF80ull) return 0;
    if (stop_at_nul && ((v - 0x0001000100010001ull) & ~v & 0x8000800080008000ull)) return 0;
    dst[0] = (char)v;
    dst[1] = (char)(v >> 16);
    dst[2] = (char)(v >> 32);
    dst[3] = (char)(v >> 48);
    return 1;
#else
    (void)dst; (void)p; (void)stop_at_nul;
    return 0;
#endif
}

void bx_utf16_to_utf8(et_buf *out, const uint8_t *p, size_t units, int stop_at_nul)
{
    et_buf_reserve(out, units * 3);
    for (size_t i = 0; i < units; i++) {
        if (i + 4 <= units && ascii4(out->data + out->len, p + 2 * i, stop_at_nul)) {
            out->len += 4;
            i += 3;
            continue;
        }
        uint32_t c = rd16(p + 2 * i);
        if (c == 0 && stop_at_nul) break;
        if (c < 0x80) {
            out->data[out->len++] = (char)c;
            continue;
        }
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
            uint32_t lo = rd16(p + 2 * (i + 1));
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                put_cp(out, 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00));
                i++;
                continue;
            }
        }
        if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;
        put_cp(out, c);
    }
    out->data[out->len] = 0;
}

void bx_render_guid(et_buf *out, const uint8_t *p)
{
    /* Windows renders GUIDs in event XML in lower case within braces. */
    et_buf_putc(out, '{');
    et_buf_put_hex(out, rd32(p), 8, 0);
    et_buf_putc(out, '-');
    et_buf_put_hex(out, rd16(p + 4), 4, 0);
    et_buf_putc(out, '-');
    et_buf_put_hex(out, rd16(p + 6), 4, 0);
    et_buf_putc(out, '-');
    for (int i = 8; i < 16; i++) {
        if (i == 10) et_buf_putc(out, '-');
        et_buf_put_hex(out, p[i], 2, 0);
    }
    et_buf_putc(out, '}');
}

static int render_sid(et_buf *out, const uint8_t *p, size_t size)
{
    if (size < 8) return -1;
    unsigned n = p[1];
    if (size < 8 + 4 * (size_t)n) return -1;
    uint64_t auth = 0;
    for (int i = 2; i < 8; i++) auth = auth << 8 | p[i];
    et_buf_puts(out, "S-");
    et_buf_put_udec(out, p[0], 1);
    if (auth >= (1ULL << 32)) {
        et_buf_puts(out, "-0x");
        et_buf_put_hex(out, auth, 12, 1);
    } else {
        et_buf_putc(out, '-');
        et_buf_put_udec(out, auth, 1);
    }
    for (unsigned i = 0; i < n; i++) {
        et_buf_putc(out, '-');
        et_buf_put_udec(out, rd32(p + 8 + 4 * i), 1);
    }
    return 0;
}

static void render_systime(et_buf *out, const uint8_t *p)
{
    unsigned y = rd16(p), mo = rd16(p + 2), d = rd16(p + 6), h = rd16(p + 8), mi = rd16(p + 10),
             s = rd16(p + 12), ms = rd16(p + 14);
    const unsigned part[7] = {y, mo, d, h, mi, s, ms};
    static const char sep[7] = {'-', '-', 'T', ':', ':', '.', 0};
    for (int i = 0; i < 7; i++) {
        et_buf_put_udec(out, part[i], i == 0 ? 4 : i == 6 ? 3 : 2);
        if (sep[i]) et_buf_putc(out, sep[i]);
    }
    et_buf_puts(out, "0000Z");
}

static void render_double(et_buf *out, double v)
{
    char tmp[64];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    et_buf_puts(out, tmp);
}

static size_t fixed_size(uint8_t type)
{
    switch (type) {
    case BX_INT8: case BX_UINT8: return 1;
    case BX_INT16: case BX_UINT16: return 2;
    case BX_INT32: case BX_UINT32: case BX_REAL32: case BX_BOOL: case BX_HEXINT32: return 4;
    case BX_INT64: case BX_UINT64: case BX_REAL64: case BX_FILETIME: case BX_HEXINT64: return 8;
    case BX_GUID: case BX_SYSTIME: return 16;
    default: return 0;
    }
}

static int render_scalar(et_buf *out, uint8_t type, const uint8_t *p, size_t size)
{
    size_t need = fixed_size(type);
    if (need && size < need) return -1;
    switch (type) {
    case BX_NULL: return 0;
    case BX_STRING: bx_utf16_to_utf8(out, p, size / 2, 1); return 0;
    case BX_ANSI:
        for (size_t i = 0; i < size && p[i]; i++) put_cp(out, p[i]);
        return 0;
    case BX_INT8: et_buf_put_idec(out, (int8_t)p[0]); return 0;
    case BX_UINT8: et_buf_put_udec(out, p[0], 1); return 0;
    case BX_INT16: et_buf_put_idec(out, (int16_t)rd16(p)); return 0;
    case BX_UINT16: et_buf_put_udec(out, rd16(p), 1); return 0;
    case BX_INT32: et_buf_put_idec(out, (int32_t)rd32(p)); return 0;
    case BX_UINT32: et_buf_put_udec(out, rd32(p), 1); return 0;
    case BX_INT64: et_buf_put_idec(out, (int64_t)rd64(p)); return 0;
    case BX_UINT64: et_buf_put_udec(out, rd64(p), 1); return 0;
    case BX_REAL32: { float f; memcpy(&f, p, 4); render_double(out, f); return 0; }
    case BX_REAL64: { double d; memcpy(&d, p, 8); render_double(out, d); return 0; }
    case BX_BOOL: et_buf_puts(out, rd32(p) ? "true" : "false"); return 0;
    case BX_BINARY:
        et_buf_reserve(out, size * 2);
        for (size_t i = 0; i < size; i++) {
            static const char hx[] = "0123456789ABCDEF";
            out->data[out->len++] = hx[p[i] >> 4];
            out->data[out->len++] = hx[p[i] & 15];
        }
        out->data[out->len] = 0;
        return 0;
    case BX_GUID: bx_render_guid(out, p); return 0;
    case BX_SIZET:
        if (size == 4) { et_buf_puts(out, "0x"); et_buf_put_hex(out, rd32(p), 8, 0); }
        else if (size == 8) { et_buf_puts(out, "0x"); et_buf_put_hex(out, rd64(p), 16, 0); }
        else return -1;
        return 0;
    case BX_FILETIME: {
        char iso[32];
        et_filetime_to_iso((int64_t)rd64(p), iso);
        et_buf_puts(out, iso);
        return 0;
    }
    case BX_SYSTIME: render_systime(out, p); return 0;
    case BX_SID: return render_sid(out, p, size);
    case BX_HEXINT32: et_buf_puts(out, "0x"); et_buf_put_hex(out, rd32(p), 1, 0); return 0;
    case BX_HEXINT64: et_buf_puts(out, "0x"); et_buf_put_hex(out, rd64(p), 1, 0); return 0;
    case BX_EVTHANDLE: case BX_EVTXML: return render_scalar(out, BX_BINARY, p, size);
    default: return -2;
    }
}

int bx_render_value(et_buf *out, uint8_t type, const uint8_t *p, size_t size, char *err, size_t errlen)
{
    if (!(type & BX_ARRAY)) {
        int rc = render_scalar(out, type, p, size);
        if (rc == -1) snprintf(err, errlen, "value of type 0x%02x has a bad size (%zu bytes)", type, size);
        else if (rc == -2) snprintf(err, errlen, "unknown value type 0x%02x", type);
        return rc ? -1 : 0;
    }
    uint8_t base = type & 0x7F;
    if (base == BX_STRING) { /* NUL-separated UTF-16 strings */
        size_t units = size / 2, start = 0;
        int first = 1;
        for (size_t i = 0; i <= units; i++) {
            if (i == units || rd16(p + 2 * i) == 0) {
                if (i > start || (i < units)) {
                    if (i == units && i == start) break;
                    if (!first) et_buf_putc(out, ',');
                    bx_utf16_to_utf8(out, p + 2 * start, i - start, 0);
                    first = 0;
                }
                start = i + 1;
            }
        }
        return 0;
    }
    size_t el = base == BX_SID ? 0 : fixed_size(base);
    if (base == BX_SIZET) el = 8;
    if (!el) { snprintf(err, errlen, "unsupported array type 0x%02x", type); return -1; }
    for (size_t off = 0; off + el <= size; off += el) {
        if (off) et_buf_putc(out, ',');
        if (render_scalar(out, base, p + off, el) < 0) {
            snprintf(err, errlen, "bad array element of type 0x%02x", type);
            return -1;
        }
    }
    return 0;
}

size_t bx_array_items(uint8_t type, const uint8_t *p, size_t size, uint32_t *off, uint32_t *len, size_t max)
{
    uint8_t base = type & 0x7F;
    size_t n = 0;
    if (base == BX_STRING) {
        size_t units = size / 2, start = 0;
        for (size_t i = 0; i <= units && n < max; i++) {
            if (i == units || rd16(p + 2 * i) == 0) {
                if (i == units && i == start) break; /* no trailing empty item */
                off[n] = (uint32_t)(start * 2);
                len[n] = (uint32_t)((i - start) * 2);
                n++;
                start = i + 1;
            }
        }
        return n;
    }
    size_t el = base == BX_SIZET ? 8 : fixed_size(base);
    if (!el) return 0;
    for (size_t o = 0; o + el <= size && n < max; o += el, n++) {
        off[n] = (uint32_t)o;
        len[n] = (uint32_t)el;
    }
    return n;
}
