/* template.c: {placeholders} of a rule's rca texts filled from the events, each value put the
 * way the place it lands in allows: prose, or a command in a code span, quoted or bare (see
 * et_template_render in rules.h). */
#include "rules/rules.h"
#include "core/termtext.h"
#include <stdbool.h>
#include <string.h>

/* Where a placeholder stands in the template. */
typedef enum { IN_PROSE, IN_CODE, IN_SINGLE, IN_DOUBLE } place;

/* The place after the template's literal character c at place p. */
static place next_place(place p, char c)
{
    if (c == '`') return p == IN_PROSE ? IN_CODE : IN_PROSE;
    if (p == IN_CODE && c == '\'') return IN_SINGLE;
    if (p == IN_CODE && c == '"') return IN_DOUBLE;
    if ((p == IN_SINGLE && c == '\'') || (p == IN_DOUBLE && c == '"')) return IN_CODE;
    return p;
}

/* PowerShell reads U+2018-U+201B as single quotes, U+201C-U+201E as double ones. */
static bool quote_like(const unsigned char *p, size_t n, bool single)
{
    if (n == 1) return single ? *p == '\'' : *p == '"';
    if (n != 3 || p[0] != 0xE2 || p[1] != 0x80) return false;
    return single ? p[2] >= 0x98 && p[2] <= 0x9B : p[2] >= 0x9C && p[2] <= 0x9E;
}

/* A value a shell reads as it is written (quoted: spaces too). */
static bool plain(const char *v, bool quoted)
{
    for (const unsigned char *p = (const unsigned char *)v; *p;) {
        size_t n = et_utf8_len(p);
        if (!n) return false;
        if (n > 1) {   /* letters of other scripts; no quotes, no general punctuation */
            if ((p[0] == 0xE2 && p[1] >= 0x80 && p[1] <= 0x81) || (p[0] == 0xC2 && p[1] < 0xA0) || p[0] == 0xEF) return false;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                     strchr("._:\\/@+=-", *p) || (quoted && *p == ' '))) {
            return false;
        }
        p += n;
    }
    return true;
}

/* Puts v at place p; false when it cannot be put safely there. */
static bool put_value(et_buf *out, const char *v, place p)
{
    if (p == IN_PROSE) {
        for (const char *c = v; *c; c++) et_buf_putc(out, *c == '`' ? '\'' : *c);
        return true;
    }
    if (p != IN_SINGLE) {
        if (!plain(v, p == IN_DOUBLE)) return false;
        et_buf_puts(out, v);
        return true;
    }
    for (const unsigned char *c = (const unsigned char *)v; *c; c++)
        if (*c < 0x20 || *c == 0x7F) return false;
    for (const unsigned char *c = (const unsigned char *)v; *c;) {
        size_t n = et_utf8_len(c);
        if (!n) return false;
        et_buf_put(out, (const char *)c, n);
        if (quote_like(c, n, true)) et_buf_put(out, (const char *)c, n);   /* '' is PowerShell's ' */
        c += n;
    }
    return true;
}

/* name added to the ", "-separated list, unless it is there already. */
static void add_name(et_buf *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list->data; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 2 : 0))
        if (strcspn(p, ",") == n && !strncmp(p, name, n)) return;
    et_buf_printf(list, "%s%s", list->len ? ", " : "", name);
}

size_t et_template_render(et_buf *out, const char *t, et_lookup_fn lookup, void *ctx, et_buf *refused)
{
    size_t nrefused = 0;
    place at = IN_PROSE;
    for (size_t i = 0; t[i]; i++) {
        if ((t[i] == '{' && t[i + 1] == '{') || (t[i] == '}' && t[i + 1] == '}')) {
            et_buf_putc(out, t[i++]);
            continue;
        }
        const char *close = t[i] == '{' ? strchr(t + i + 1, '}') : NULL;
        char name[128];
        size_t n = close ? (size_t)(close - t - i - 1) : 0;
        if (!close || n >= sizeof name) {
            et_buf_putc(out, t[i]);
            at = next_place(at, t[i]);
            continue;
        }
        memcpy(name, t + i + 1, n);
        name[n] = 0;
        const char *v = lookup ? lookup(name, ctx) : NULL;
        size_t mark = out->len;
        if (v && !put_value(out, v, at)) {
            out->len = mark;
            if (out->data) out->data[mark] = 0;
            if (refused) add_name(refused, name);
            nrefused++;
            v = NULL;
        }
        if (!v) et_buf_put(out, t + i, n + 2);
        i += n + 1;
    }
    return nrefused;
}
