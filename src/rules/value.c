/* value.c: compiles a detection value and its modifier chain (contains, windash, base64offset,
 * re, cidr, ...) into the comparisons the scanner runs. */
#include "rules/compile.h"
#include <stdlib.h>
#include <string.h>

enum {
    M_CONTAINS = 1u << 0, M_STARTSWITH = 1u << 1, M_ENDSWITH = 1u << 2, M_ALL = 1u << 3,
    M_RE = 1u << 4, M_I = 1u << 5, M_M = 1u << 6, M_S = 1u << 7, M_CASED = 1u << 8,
    M_EXISTS = 1u << 9, M_LT = 1u << 10, M_LTE = 1u << 11, M_GT = 1u << 12, M_GTE = 1u << 13,
    M_CIDR = 1u << 14, M_FIELDREF = 1u << 15, M_NEQ = 1u << 16, M_BASE64 = 1u << 17,
    M_BASE64OFF = 1u << 18, M_UTF16 = 1u << 19, M_WINDASH = 1u << 20
};
#define M_NUMERIC (M_LT | M_LTE | M_GT | M_GTE)
#define M_POSITION (M_CONTAINS | M_STARTSWITH | M_ENDSWITH)

/* A value on its way through the transformations. */
typedef struct vstr { char *s; size_t len; bool literal; } vstr;
typedef struct vlist { vstr *v; size_t n; } vlist;

static void vl_add(vlist *l, char *s, size_t len, bool literal)
{
    l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = (vstr){s, len, literal};
}

static void vl_free(vlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i].s);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

/* UTF-8 -> UTF-16 (le/be, optional BOM). */
static void to_utf16(const vstr *in, int mode, vlist *out)
{
    char *o = malloc(in->len * 4 + 4);
    size_t k = 0;
    bool be = mode == 2;
    if (mode == 3) { o[k++] = (char)0xFF; o[k++] = (char)0xFE; }
    const unsigned char *s = (const unsigned char *)in->s;
    for (size_t i = 0; i < in->len;) {
        uint32_t cp = s[i];
        int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        if (extra) cp &= 0x3F >> extra;
        i++;
        for (int e = 0; e < extra && i < in->len; e++, i++) cp = (cp << 6) | (s[i] & 0x3F);
        uint16_t units[2];
        int nu = 1;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            units[0] = (uint16_t)(0xD800 | (cp >> 10));
            units[1] = (uint16_t)(0xDC00 | (cp & 0x3FF));
            nu = 2;
        } else {
            units[0] = (uint16_t)cp;
        }
        for (int u = 0; u < nu; u++) {
            o[k++] = (char)(be ? units[u] >> 8 : units[u] & 0xFF);
            o[k++] = (char)(be ? units[u] & 0xFF : units[u] >> 8);
        }
    }
    vl_add(out, o, k, true);
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64(const unsigned char *s, size_t n, size_t *outlen)
{
    char *o = malloc((n + 2) / 3 * 4 + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n) v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n) v |= s[i + 2];
        o[k++] = b64chars[(v >> 18) & 63];
        o[k++] = b64chars[(v >> 12) & 63];
        o[k++] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
        o[k++] = i + 2 < n ? b64chars[v & 63] : '=';
    }
    o[k] = 0;
    *outlen = k;
    return o;
}

/* The three encodings of a value at byte offsets 0, 1, 2 inside a longer base64 text, trimmed
 * to the characters that do not depend on the surrounding bytes (as pySigma does). */
static void base64offset(const vstr *in, vlist *out)
{
    static const int start[3] = {0, 2, 3};
    static const int endcut[3] = {0, 3, 2};
    for (int i = 0; i < 3; i++) {
        unsigned char *buf = malloc(in->len + 3);
        memset(buf, ' ', (size_t)i);
        memcpy(buf + i, in->s, in->len);
        size_t len;
        char *e = b64(buf, in->len + (size_t)i, &len);
        free(buf);
        size_t cut = (size_t)endcut[(in->len + (size_t)i) % 3];
        size_t b = (size_t)start[i];
        size_t end = len > cut ? len - cut : 0;
        if (end < b) end = b;
        vl_add(out, dupn(e + b, end - b), end - b, true);
        free(e);
    }
}

static bool wordc(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch >= 0x80;
}

/* Every spelling of the command-line flags in the value: - / en dash, em dash, horizontal bar. */
static int windash(const vstr *in, vlist *out)
{
    static const char *dashes[5] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
    size_t pos[8], np = 0;
    const unsigned char *s = (const unsigned char *)in->s;
    for (size_t i = 0; i < in->len; i++) {
        if (s[i] != '-' && s[i] != '/') continue;
        bool before_ok = i == 0 || !wordc(s[i - 1]);
        bool after_ok = i + 1 < in->len && wordc(s[i + 1]);
        if (before_ok && after_ok) {
            if (np == 4) return -1;
            pos[np++] = i;
        }
    }
    size_t combos = 1;
    for (size_t i = 0; i < np; i++) combos *= 5;
    for (size_t c = 0; c < combos; c++) {
        char *o = malloc(in->len * 3 + 1);
        size_t k = 0, p = 0, sel = c;
        for (size_t i = 0; i < in->len; i++) {
            if (p < np && pos[p] == i) {
                const char *d = dashes[sel % 5];
                sel /= 5;
                p++;
                size_t dl = strlen(d);
                memcpy(o + k, d, dl);
                k += dl;
            } else {
                o[k++] = in->s[i];
            }
        }
        o[k] = 0;
        vl_add(out, o, k, in->literal);
    }
    return 0;
}

/* Sigma escapes: \* \? \\ are literal; a backslash before anything else is itself. */
static char *parse_wildcards(const vstr *in, size_t *outlen)
{
    char *o = malloc(in->len + 1);
    size_t k = 0;
    for (size_t i = 0; i < in->len; i++) {
        char ch = in->s[i];
        if (in->literal) { o[k++] = ch; continue; }
        if (ch == '\\' && i + 1 < in->len && (in->s[i + 1] == '*' || in->s[i + 1] == '?' || in->s[i + 1] == '\\')) {
            o[k++] = in->s[++i];
        } else if (ch == '*') {
            o[k++] = GLOB_STAR;
        } else if (ch == '?') {
            o[k++] = GLOB_ONE;
        } else {
            o[k++] = ch;
        }
    }
    o[k] = 0;
    *outlen = k;
    return o;
}

/* Chooses the cheapest comparison for a wildcard pattern. */
static void classify(et_cctx *c, char *p, size_t len, et_val *v)
{
    size_t b = 0, e = len;
    bool lead = false, trail = false;
    while (b < e && p[b] == GLOB_STAR) { b++; lead = true; }
    while (e > b && p[e - 1] == GLOB_STAR) { e--; trail = true; }
    bool inner = memchr(p + b, GLOB_STAR, e - b) || memchr(p + b, GLOB_ONE, e - b);
    if (inner || (lead && b == len)) {
        v->op = OP_GLOB;
        v->s = cc_strdup(c, p, len);
        v->len = (uint32_t)len;
        if (lead && b == len) v->op = OP_EXISTS;   /* '*' alone: any value */
        return;
    }
    v->op = lead && trail ? OP_CONTAINS : lead ? OP_SUFFIX : trail ? OP_PREFIX : OP_EQ;
    v->s = cc_strdup(c, p + b, e - b);
    v->len = (uint32_t)(e - b);
}

typedef struct modinfo { const char *name; uint32_t bit; } modinfo;
static const modinfo mods[] = {
    {"contains", M_CONTAINS}, {"startswith", M_STARTSWITH}, {"endswith", M_ENDSWITH}, {"all", M_ALL},
    {"re", M_RE}, {"i", M_I}, {"m", M_M}, {"s", M_S}, {"cased", M_CASED}, {"exists", M_EXISTS},
    {"lt", M_LT}, {"lte", M_LTE}, {"gt", M_GT}, {"gte", M_GTE}, {"cidr", M_CIDR}, {"fieldref", M_FIELDREF},
    {"neq", M_NEQ}, {"base64", M_BASE64}, {"base64offset", M_BASE64OFF}, {"utf16le", M_UTF16},
    {"utf16be", M_UTF16}, {"utf16", M_UTF16}, {"wide", M_UTF16}, {"windash", M_WINDASH},
};

typedef struct modspec {
    uint32_t bits;
    const char *order[16];   /* transformation modifiers in written order */
    int norder;
} modspec;

static bool parse_mods(et_cctx *c, const ynode *key, const char *mstr, modspec *ms)
{
    memset(ms, 0, sizeof *ms);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", mstr);
    for (char *save, *tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
        const modinfo *mi = NULL;
        for (size_t i = 0; i < sizeof mods / sizeof *mods; i++)
            if (!strcmp(mods[i].name, tok)) mi = &mods[i];
        if (!mi) {
            if (!strcmp(tok, "expand"))
                cc_error(c, key, "modifier 'expand' needs placeholder values, which evtriage does not define");
            else if (!strcmp(tok, "minute") || !strcmp(tok, "hour") || !strcmp(tok, "day") ||
                     !strcmp(tok, "week") || !strcmp(tok, "month") || !strcmp(tok, "year"))
                cc_error(c, key, "time modifier '%s' is not supported", tok);
            else
                cc_error(c, key, "unknown modifier '%s'", tok);
            return false;
        }
        if (mi->bit & (M_UTF16 | M_BASE64 | M_BASE64OFF | M_WINDASH)) {
            if (ms->norder == 16) { cc_error(c, key, "too many modifiers"); return false; }
            ms->order[ms->norder++] = mi->name;
        }
        ms->bits |= mi->bit;
    }
    uint32_t b = ms->bits;
    int npos = !!(b & M_CONTAINS) + !!(b & M_STARTSWITH) + !!(b & M_ENDSWITH);
    int nnum = !!(b & M_LT) + !!(b & M_LTE) + !!(b & M_GT) + !!(b & M_GTE);
    if (npos > 1) { cc_error(c, key, "contains, startswith and endswith exclude each other"); return false; }
    if (nnum > 1) { cc_error(c, key, "only one of lt, lte, gt, gte may be used"); return false; }
    if ((b & (M_I | M_M | M_S)) && !(b & M_RE)) { cc_error(c, key, "modifiers i, m and s apply to re only"); return false; }
    if ((b & M_RE) && (b & (M_POSITION | M_NUMERIC | M_CIDR | M_BASE64 | M_BASE64OFF | M_WINDASH | M_FIELDREF))) {
        cc_error(c, key, "re cannot be combined with other value modifiers"); return false;
    }
    if ((b & M_UTF16) && !(b & (M_BASE64 | M_BASE64OFF))) {
        cc_error(c, key, "utf16le/utf16be/utf16/wide must be followed by base64 or base64offset"); return false;
    }
    if ((b & M_EXISTS) && (b & ~(M_EXISTS))) { cc_error(c, key, "exists takes no other modifier"); return false; }
    if ((b & (M_NUMERIC | M_CIDR)) && (b & (M_POSITION | M_BASE64 | M_BASE64OFF | M_WINDASH | M_FIELDREF))) {
        cc_error(c, key, "numeric and cidr comparisons take no string modifiers"); return false;
    }
    return true;
}

/* String value through the transformation chain into one or more comparisons. */
static bool string_values(et_cctx *c, const ynode *vn, const modspec *ms, bool keyword, et_val **vals, uint32_t *n)
{
    vlist cur = {0};
    vl_add(&cur, dupn(vn->str, vn->len), vn->len, false);
    for (int i = 0; i < ms->norder; i++) {
        vlist next = {0};
        const char *m = ms->order[i];
        for (size_t k = 0; k < cur.n; k++) {
            if (!strcmp(m, "windash")) {
                if (windash(&cur.v[k], &next) < 0) {
                    cc_error(c, vn, "windash: more than 4 flags in one value"); vl_free(&cur); vl_free(&next); return false;
                }
            } else if (!strcmp(m, "base64")) {
                size_t len;
                char *e = b64((const unsigned char *)cur.v[k].s, cur.v[k].len, &len);
                vl_add(&next, e, len, true);
            } else if (!strcmp(m, "base64offset")) {
                base64offset(&cur.v[k], &next);
            } else {
                to_utf16(&cur.v[k], !strcmp(m, "utf16be") ? 2 : !strcmp(m, "utf16") ? 3 : 1, &next);
            }
        }
        vl_free(&cur);
        cur = next;
    }
    *vals = realloc(*vals, (*n + cur.n) * sizeof **vals);
    for (size_t k = 0; k < cur.n; k++) {
        size_t len;
        char *p = parse_wildcards(&cur.v[k], &len);
        char *q = malloc(len + 3);
        size_t ql = 0;
        if ((ms->bits & (M_CONTAINS | M_ENDSWITH)) || keyword) q[ql++] = GLOB_STAR;
        memcpy(q + ql, p, len);
        ql += len;
        if ((ms->bits & (M_CONTAINS | M_STARTSWITH)) || keyword) q[ql++] = GLOB_STAR;
        bool cased = ms->bits & M_CASED;
        if (!cased) et_lower_ascii(q, ql);
        et_val *v = &(*vals)[(*n)++];
        memset(v, 0, sizeof *v);
        v->cased = cased;
        v->neg = ms->bits & M_NEQ;
        classify(c, q, ql, v);
        free(p);
        free(q);
    }
    vl_free(&cur);
    return true;
}

static bool one_value(et_cctx *c, const ynode *vn, const modspec *ms, bool keyword, et_val **vals, uint32_t *n)
{
    uint32_t b = ms->bits;
    if (vn->kind != YN_SCALAR) { cc_error(c, vn, "expected a value, found a %s", vn->kind == YN_MAP ? "map" : "list"); return false; }
    if (b & (M_RE | M_NUMERIC | M_CIDR | M_EXISTS | M_FIELDREF) || yn_is_null(vn)) {
        *vals = realloc(*vals, (*n + 1) * sizeof **vals);
        et_val *v = &(*vals)[*n];
        memset(v, 0, sizeof *v);
        v->neg = b & M_NEQ;
        if (yn_is_null(vn) && !(b & M_EXISTS)) {
            v->op = OP_NULL;
        } else if (b & M_EXISTS) {
            if (strcmp(vn->str, "true") && strcmp(vn->str, "false")) { cc_error(c, vn, "exists takes true or false"); return false; }
            v->op = !strcmp(vn->str, "true") ? OP_EXISTS : OP_NOT_EXISTS;
        } else if (b & M_RE) {
            uint32_t fl = (b & M_I ? PCRE2_CASELESS : 0) | (b & M_M ? PCRE2_MULTILINE : 0) | (b & M_S ? PCRE2_DOTALL : 0);
            v->op = OP_RE;
            if (!(v->re = cc_regex(c, vn, vn->str, fl, true))) return false;
        } else if (b & M_NUMERIC) {
            if (!et_parse_number(vn->str, &v->num)) { cc_error(c, vn, "'%s' is not a number", vn->str); return false; }
            v->op = b & M_LT ? OP_LT : b & M_LTE ? OP_LTE : b & M_GT ? OP_GT : OP_GTE;
        } else if (b & M_CIDR) {
            if (!et_parse_cidr(vn->str, v->ip, &v->family, &v->bits)) { cc_error(c, vn, "'%s' is not a CIDR network", vn->str); return false; }
            v->op = OP_CIDR;
        } else {
            v->fieldref = true;
            v->op = b & M_CONTAINS ? OP_CONTAINS : b & M_STARTSWITH ? OP_PREFIX : b & M_ENDSWITH ? OP_SUFFIX : OP_EQ;
            v->cased = b & M_CASED;
            v->s = cc_strdup(c, vn->str, vn->len);
            v->ref = cc_resolve_field(c, vn->str);
        }
        (*n)++;
        return true;
    }
    return string_values(c, vn, ms, keyword, vals, n);
}

bool cc_field_condition(et_cctx *c, const ynode *key, const char *spec, const ynode *value, et_fcond *out)
{
    memset(out, 0, sizeof *out);
    const char *bar = spec ? strchr(spec, '|') : NULL;
    modspec ms;
    if (!parse_mods(c, key, bar ? bar + 1 : "", &ms)) return false;
    out->keyword = !spec || bar == spec;
    if (!out->keyword) {
        size_t flen = bar ? (size_t)(bar - spec) : strlen(spec);
        out->name = cc_strdup(c, spec, flen);
        out->acc = cc_resolve_field(c, out->name);
    } else if (ms.bits & ~(M_ALL | M_CASED)) {
        cc_error(c, key, "keyword lists take only the all and cased modifiers");
        return false;
    }
    out->all = ms.bits & M_ALL;
    if (ms.bits & M_NEQ) out->all = true;   /* neq with a list: different from every value */
    if (value->kind == YN_SEQ) {
        if (out->all && value->n == 1 && !(ms.bits & M_NEQ)) cc_warn(c, key, "'all' with a single value (Sigma disallows it)");
        bool ok = true;   /* every value is checked, whatever the ones before gave */
        for (size_t i = 0; i < value->n; i++) {
            uint32_t first = out->nvals;
            if (yn_is_null(value->items[i]) && value->n > 1) {
                cc_error(c, value->items[i], "null cannot be part of a list of values (use its own selection)");
                ok = false;
                continue;
            }
            if (!one_value(c, value->items[i], &ms, out->keyword, &out->vals, &out->nvals)) { ok = false; continue; }
            for (uint32_t k = first; k < out->nvals; k++) out->vals[k].grp = (ms.bits & M_NEQ) ? k : (uint32_t)i;
        }
        if (!ok) goto fail;
        if (!value->n) { cc_error(c, value, "empty list of values"); return false; }
    } else if (!one_value(c, value, &ms, out->keyword, &out->vals, &out->nvals)) {
        goto fail;
    } else {
        for (uint32_t k = 0; k < out->nvals; k++) out->vals[k].grp = (ms.bits & M_NEQ) ? k : 0;
    }
    /* keep the values in the rule set's arena */
    et_val *vals = cc_alloc(c, out->nvals * sizeof *vals);
    memcpy(vals, out->vals, out->nvals * sizeof *vals);
    free(out->vals);
    out->vals = vals;
    return true;
fail:
    free(out->vals);
    out->vals = NULL;
    return false;
}
