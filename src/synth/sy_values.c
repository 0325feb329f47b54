/* sy_values.c: encodes scenario scalars as typed BinXML substitution values: integers of every
 * width, hex integers, reals, booleans, GUIDs, SIDs, FILETIME/SYSTEMTIME, binary, strings. */
#include "synth/sy_values.h"
#include "core/timeutil.h"
#include "reader/values.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

/* Next code point of UTF-8 text, or -1 when the sequence is invalid. */
static long next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    long c = s[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) return -1;
    if (n) c &= 0x3F >> n;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) return -1;
        c = c << 6 | (s[i] & 0x3F);
    }
    static const long min[] = {0, 0x80, 0x800, 0x10000};
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return -1;
    *p = s + n + 1;
    return c;
}

uint8_t *sy_utf16(et_arena *a, const char *s, size_t *units)
{
    size_t len = strlen(s);
    uint8_t *out = et_arena_alloc(a, 2 * len + 2);
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        long c = next_cp(&p);
        if (c < 0) return NULL;
        if (c >= 0x10000) {
            c -= 0x10000;
            put16(out + 2 * n++, (uint16_t)(0xD800 + (c >> 10)));
            put16(out + 2 * n++, (uint16_t)(0xDC00 + (c & 0x3FF)));
        } else {
            put16(out + 2 * n++, (uint16_t)c);
        }
    }
    *units = n;
    return out;
}

const sy_value *sy_value_string(et_arena *a, const char *text)
{
    size_t units;
    uint8_t *d = sy_utf16(a, text, &units);
    if (!d || units * 2 > UINT16_MAX) return NULL;
    sy_value *v = et_arena_alloc(a, sizeof *v);
    *v = (sy_value){BX_STRING, d, (uint32_t)(units * 2)};
    return v;
}

bool sy_parse_int(const char *s, int64_t min, uint64_t max, int64_t *sval, uint64_t *uval)
{
    if (!s || !*s || isspace((unsigned char)*s)) return false;
    char *end;
    errno = 0;
    if (s[0] == '-') {
        long long v = strtoll(s, &end, 10);
        if (errno || *end || end == s || v < min) return false;
        if (sval) *sval = v;
        if (uval) *uval = (uint64_t)v;
        return true;
    }
    int base = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
    if (s[0] == '+') return false;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end || end == s || v > max || (min > 0 && v < (uint64_t)min)) return false;
    if (sval) *sval = (int64_t)v;
    if (uval) *uval = v;
    return true;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool sy_parse_guid(const char *s, uint8_t out[16])
{
    size_t n = strlen(s);
    if (n == 38 && s[0] == '{' && s[37] == '}') { s++; n = 36; }
    if (n != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
    uint8_t raw[16];
    int k = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) continue;
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0) return false;
        raw[k++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    /* Data1..Data3 little-endian, Data4 as written. */
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++) out[i] = raw[order[i]];
    return true;
}

size_t sy_parse_sid(const char *s, uint8_t out[68])
{
    if (strncmp(s, "S-", 2) != 0 && strncmp(s, "s-", 2) != 0) return 0;
    const char *p = s + 2;
    char *end;
    errno = 0;
    unsigned long rev = strtoul(p, &end, 10);
    if (errno || end == p || *end != '-' || rev > 255) return 0;
    p = end + 1;
    uint64_t auth;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) auth = strtoull(p, &end, 16);
    else auth = strtoull(p, &end, 10);
    if (errno || end == p || auth >= (1ULL << 48)) return 0;
    out[0] = (uint8_t)rev;
    for (int i = 0; i < 6; i++) out[2 + i] = (uint8_t)(auth >> (8 * (5 - i)));
    size_t n = 0;
    p = end;
    while (*p == '-') {
        p++;
        if (!isdigit((unsigned char)*p) || n == 15) return 0;
        unsigned long long sub = strtoull(p, &end, 10);
        if (errno || sub > UINT32_MAX) return 0;
        put32(out + 8 + 4 * n++, (uint32_t)sub);
        p = end;
    }
    if (*p) return 0;
    out[1] = (uint8_t)n;
    return 8 + 4 * n;
}

static bool parse_hex_bytes(et_arena *a, const char *s, uint8_t **out, uint32_t *size)
{
    size_t len = strlen(s);
    uint8_t *d = et_arena_alloc(a, len / 2 + 1);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        if (isspace((unsigned char)s[i])) { i++; continue; }
        int hi = hexval(s[i]), lo = i + 1 < len ? hexval(s[i + 1]) : -1;
        if (hi < 0 || lo < 0) return false;
        d[n++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    if (n > UINT16_MAX) return false;
    *out = d;
    *size = (uint32_t)n;
    return true;
}

/* SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds (uint16 each). */
static bool encode_systemtime(int64_t ft, uint8_t out[16])
{
    if (ft < 0) return false;
    int64_t ms = ft / 10000, days = ms / 86400000, rem = ms % 86400000;
    int64_t z = days - 134774; /* 1601-01-01 -> 1970-01-01 */
    char iso[32];
    et_filetime_to_iso(ft, iso);
    int y, mo, d;
    if (sscanf(iso, "%4d-%2d-%2d", &y, &mo, &d) != 3) return false;
    int dow = (int)(((z % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday (4) */
    uint16_t f[8] = {(uint16_t)y, (uint16_t)mo, (uint16_t)dow, (uint16_t)d, (uint16_t)(rem / 3600000),
                     (uint16_t)(rem / 60000 % 60), (uint16_t)(rem / 1000 % 60), (uint16_t)(rem % 1000)};
    for (int i = 0; i < 8; i++) put16(out + 2 * i, f[i]);
    return true;
}

typedef struct tag_type { const char *tag; uint8_t type; int64_t min; uint64_t max; size_t width; } tag_type;

static const tag_type tags[] = {
    {"!string", BX_STRING, 0, 0, 0},   {"!ansi", BX_ANSI, 0, 0, 0},
    {"!int8", BX_INT8, INT8_MIN, INT8_MAX, 1},       {"!uint8", BX_UINT8, 0, UINT8_MAX, 1},
    {"!int16", BX_INT16, INT16_MIN, INT16_MAX, 2},   {"!uint16", BX_UINT16, 0, UINT16_MAX, 2},
    {"!int32", BX_INT32, INT32_MIN, INT32_MAX, 4},   {"!uint32", BX_UINT32, 0, UINT32_MAX, 4},
    {"!int64", BX_INT64, INT64_MIN, INT64_MAX, 8},   {"!uint64", BX_UINT64, 0, UINT64_MAX, 8},
    {"!hex32", BX_HEXINT32, 0, UINT32_MAX, 4},       {"!hex64", BX_HEXINT64, 0, UINT64_MAX, 8},
    {"!sizet", BX_SIZET, 0, UINT64_MAX, 8},
    {"!float", BX_REAL32, 0, 0, 4},    {"!double", BX_REAL64, 0, 0, 8},
    {"!bool", BX_BOOL, 0, 0, 4},       {"!binary", BX_BINARY, 0, 0, 0},
    {"!guid", BX_GUID, 0, 0, 16},      {"!sid", BX_SID, 0, 0, 0},
    {"!filetime", BX_FILETIME, 0, 0, 8}, {"!systemtime", BX_SYSTIME, 0, 0, 16},
    {"!null", BX_NULL, 0, 0, 0},
};

const char *sy_value_tags(void)
{
    return "!string !ansi !int8 !uint8 !int16 !uint16 !int32 !uint32 !int64 !uint64 !hex32 !hex64 !sizet "
           "!float !double !bool !binary !guid !sid !filetime !systemtime !null";
}

static bool encode(et_arena *a, const tag_type *t, const char *text, sy_value *v, char *err, size_t errlen)
{
    uint8_t *d = t->width ? et_arena_alloc(a, t->width) : NULL;
    v->data = d;
    v->size = (uint32_t)t->width;
    int64_t sv;
    uint64_t uv;
    switch (t->type) {
    case BX_STRING: {
        const sy_value *s = sy_value_string(a, text);
        if (!s) { snprintf(err, errlen, "not valid UTF-8 (or longer than 32767 characters)"); return false; }
        *v = *s;
        return true;
    }
    case BX_ANSI:
        for (const char *p = text; *p; p++)
            if ((unsigned char)*p >= 0x80) { snprintf(err, errlen, "!ansi takes ASCII text only"); return false; }
        v->data = (const uint8_t *)et_arena_strndup(a, text, strlen(text));
        v->size = (uint32_t)strlen(text);
        return true;
    case BX_INT8: case BX_UINT8: case BX_INT16: case BX_UINT16: case BX_INT32: case BX_UINT32:
    case BX_INT64: case BX_UINT64: case BX_HEXINT32: case BX_HEXINT64: case BX_SIZET:
        if (!sy_parse_int(text, t->min, t->max, &sv, &uv)) {
            snprintf(err, errlen, "'%s' does not fit %s (%lld..%llu)", text, t->tag, (long long)t->min,
                     (unsigned long long)t->max);
            return false;
        }
        for (size_t i = 0; i < t->width; i++) d[i] = (uint8_t)(uv >> (8 * i));
        return true;
    case BX_REAL32: case BX_REAL64: {
        char *end;
        errno = 0;
        double x = strtod(text, &end);
        if (!*text || *end || errno || !isfinite(x) || (t->type == BX_REAL32 && fabs(x) > 3.4e38)) {
            snprintf(err, errlen, "'%s' is not a finite %s number", text, t->tag + 1);
            return false;
        }
        if (t->type == BX_REAL32) { float f = (float)x; memcpy(d, &f, 4); }
        else memcpy(d, &x, 8);
        return true;
    }
    case BX_BOOL: {
        int b = !strcmp(text, "true") || !strcmp(text, "1") ? 1 : !strcmp(text, "false") || !strcmp(text, "0") ? 0 : -1;
        if (b < 0) { snprintf(err, errlen, "'%s' is not a boolean (true, false, 1, 0)", text); return false; }
        put32(d, (uint32_t)b);
        return true;
    }
    case BX_BINARY:
        if (!parse_hex_bytes(a, text, (uint8_t **)&v->data, &v->size)) {
            snprintf(err, errlen, "'%s' is not hex bytes (e.g. 0A1B2C)", text);
            return false;
        }
        return true;
    case BX_GUID:
        if (!sy_parse_guid(text, d)) { snprintf(err, errlen, "'%s' is not a GUID ({XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX})", text); return false; }
        return true;
    case BX_SID: {
        uint8_t sid[68];
        size_t n = sy_parse_sid(text, sid);
        if (!n) { snprintf(err, errlen, "'%s' is not a SID (S-1-5-21-...)", text); return false; }
        uint8_t *p = et_arena_alloc(a, n);
        memcpy(p, sid, n);
        v->data = p;
        v->size = (uint32_t)n;
        return true;
    }
    case BX_FILETIME: case BX_SYSTIME: {
        int64_t ft;
        if (!et_iso_to_filetime(text, &ft) || ft < 0) { snprintf(err, errlen, "'%s' is not an ISO 8601 time", text); return false; }
        if (t->type == BX_SYSTIME && ft % 10000) {
            snprintf(err, errlen, "'%s' is finer than a SYSTEMTIME holds (milliseconds)", text);
            return false;
        }
        if (t->type == BX_FILETIME) put64(d, (uint64_t)ft);
        else if (!encode_systemtime(ft, d)) { snprintf(err, errlen, "'%s' is out of SYSTEMTIME's range", text); return false; }
        return true;
    }
    case BX_NULL:
        return true;
    }
    return false;
}

const sy_value *sy_value_parse(et_arena *a, const char *tag, const char *text, char *err, size_t errlen)
{
    if (!tag || !strcmp(tag, "tag:yaml.org,2002:str") || !strcmp(tag, "!")) tag = "!string";
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        if (strcmp(tags[i].tag, tag) != 0) continue;
        sy_value *v = et_arena_alloc(a, sizeof *v);
        v->type = tags[i].type;
        return encode(a, &tags[i], text, v, err, errlen) ? v : NULL;
    }
    snprintf(err, errlen, "unknown value type '%s' (known: %s)", tag, sy_value_tags());
    return NULL;
}
