/* outbuf.c: byte buffer and the escaping rules for JSON output (CSV cells: output/csv.c). */
#include "core/outbuf.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void et_buf_free(et_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void et_buf_reserve(et_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) abort();
    b->data = p;
    b->cap = cap;
}

void et_buf_put(et_buf *b, const char *s, size_t n)
{
    et_buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void et_buf_puts(et_buf *b, const char *s) { et_buf_put(b, s, strlen(s)); }

void et_buf_putc(et_buf *b, char c)
{
    et_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = 0;
}

void et_buf_printf(et_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) { et_buf_put(b, tmp, (size_t)n); return; }
    et_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void et_buf_put_udec(et_buf *b, uint64_t v, unsigned minwidth)
{
    char tmp[24];
    size_t n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n < minwidth && n < sizeof tmp) tmp[n++] = '0';
    et_buf_reserve(b, n);
    while (n) b->data[b->len++] = tmp[--n];
    b->data[b->len] = 0;
}

void et_buf_put_idec(et_buf *b, int64_t v)
{
    if (v < 0) {
        et_buf_putc(b, '-');
        et_buf_put_udec(b, (uint64_t)0 - (uint64_t)v, 1);
    } else {
        et_buf_put_udec(b, (uint64_t)v, 1);
    }
}

void et_buf_put_hex(et_buf *b, uint64_t v, unsigned minwidth, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[16];
    size_t n = 0;
    do { tmp[n++] = digits[v & 15]; v >>= 4; } while (v);
    while (n < minwidth && n < sizeof tmp) tmp[n++] = '0';
    et_buf_reserve(b, n);
    while (n) b->data[b->len++] = tmp[--n];
    b->data[b->len] = 0;
}

size_t et_utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned min;
    if ((c & 0xE0) == 0xC0) { n = 2; min = 0x80; c &= 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; c &= 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 4; min = 0x10000; c &= 0x07; }
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    return n;
}

void et_buf_json_str(et_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    et_buf_putc(b, '"');
    while (*p) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\') p++;
        if (p > run) et_buf_put(b, (const char *)run, (size_t)(p - run));
        if (!*p) break;
        unsigned char c = *p;
        if (c >= 0x80) {
            size_t n = et_utf8_len(p);
            if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) {   /* C1 controls: escaped, as DEL, for terminals */
                char u[7] = {'\\', 'u', '0', '0', hex[p[1] >> 4], hex[p[1] & 15], 0};
                et_buf_puts(b, u);
                p += 2;
            } else if (n) { et_buf_put(b, (const char *)p, n); p += n; }
            else { et_buf_puts(b, "\xEF\xBF\xBD"); p++; }
            continue;
        }
        p++;
        switch (c) {
        case '"': et_buf_puts(b, "\\\""); break;
        case '\\': et_buf_puts(b, "\\\\"); break;
        case '\n': et_buf_puts(b, "\\n"); break;
        case '\r': et_buf_puts(b, "\\r"); break;
        case '\t': et_buf_puts(b, "\\t"); break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            et_buf_puts(b, u);
        }
        }
    }
    et_buf_putc(b, '"');
}

int et_buf_flush(et_buf *b, FILE *f)
{
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len) return -1;
    b->len = 0;
    if (b->data) b->data[0] = 0;
    return 0;
}

void et_buf_spill(et_buf *b, FILE *f, int *rc)
{
    if (b->len >= 1 << 16 && et_buf_flush(b, f)) *rc = -1;
}
