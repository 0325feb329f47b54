/* termtext.c: UTF-8 checked, cleaned and measured for a terminal (see termtext.h). */
#include "core/termtext.h"
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

void et_term_clean(et_buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = et_utf8_len(p);
        if (!n) { et_buf_puts(out, "\xEF\xBF\xBD"); p++; continue; }
        if (n == 1 && (*p < 0x20 || *p == 0x7F)) { et_buf_putc(out, ' '); p++; continue; }
        if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) { et_buf_putc(out, ' '); p += 2; continue; } /* C1 controls */
        et_buf_put(out, (const char *)p, n);
        p += n;
    }
}

void et_term_escape(et_buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = et_utf8_len(p);
        bool control = n == 1 ? *p < 0x20 || *p == 0x7F : n == 2 && p[0] == 0xC2 && p[1] < 0xA0;
        if (n && !control) { et_buf_put(out, (const char *)p, n); p += n; continue; }
        for (size_t i = 0; i < (n ? n : 1); i++) et_buf_printf(out, "\\x%02X", p[i]);
        p += n ? n : 1;
    }
}

/* The code point of the sequence of n bytes at p. */
static uint32_t code_point(const unsigned char *p, size_t n)
{
    if (n == 1) return p[0];
    uint32_t c = p[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) c = c << 6 | (p[i] & 0x3F);
    return c;
}

/* Two columns: the East Asian wide and fullwidth ranges (Markus Kuhn's wcwidth). */
static size_t width_of(uint32_t c)
{
    return 1 + (c >= 0x1100 &&
                (c <= 0x115F || c == 0x2329 || c == 0x232A || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
                 (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE6F) ||
                 (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
                 (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD)));
}

void et_term_say(const char *display, const char *message)
{
    et_buf line = {0};
    et_term_escape(&line, display);
    et_buf_puts(&line, ": ");
    et_term_escape(&line, message);
    fprintf(stderr, "%s\n", line.data);
    et_buf_free(&line);
}

size_t et_term_columns(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t cols = 0;
    for (size_t i = 0; i < n;) {
        size_t len = et_utf8_len(p + i);
        if (!len || len > n - i) len = 1;
        cols += width_of(code_point(p + i, len));
        i += len;
    }
    return cols;
}

size_t et_term_head(const char *s, size_t len, size_t cols, size_t *used)
{
    size_t n = 0, taken = 0;
    while (n < len) {
        size_t k = et_utf8_len((const unsigned char *)s + n);
        if (!k || k > len - n) k = 1;
        size_t w = et_term_columns(s + n, k);
        if (taken + w > cols) break;
        n += k;
        taken += w;
    }
    if (used) *used = taken;
    return n;
}

size_t et_term_tail(const char *s, size_t cols)
{
    size_t at = strlen(s), used = 0;
    while (at > 0) {
        size_t start = at - 1;
        while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80) start--;
        size_t w = et_term_columns(s + start, at - start);
        if (used + w > cols) break;
        used += w;
        at = start;
    }
    return at;
}
