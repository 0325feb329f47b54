/* extract.c: the `extract:` extension: named fields derived from an event before matching
 * (split a delimited value, key=value lookup, regex capture, error-code normalization). */
#include "rules/compile.h"
#include "rules/scan_int.h"
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- error codes ----------------------------------------------------------------------- */

static bool parse_code_token(const char *s, size_t n, uint32_t *out)
{
    char buf[32];
    if (!n || n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    if (n > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
        if (n > 10) return false;
        unsigned long v = strtoul(buf + 2, &end, 16);
        if (*end) return false;
        *out = (uint32_t)v;
        return true;
    }
    const char *p = buf;
    if (p[0] == '%' && p[1] == '%') p += 2;
    if (*p == '-') {
        long long v = strtoll(p, &end, 10);
        if (*end || end == p + 1 || v < INT32_MIN) return false;
        *out = (uint32_t)(int32_t)v;
        return true;
    }
    if (!isdigit((unsigned char)*p)) return false;
    unsigned long long v = strtoull(p, &end, 10);
    if (*end || v > 0xFFFFFFFFull) return false;
    *out = (uint32_t)v;
    return true;
}

/* First 0xXXXXXXXX or %%NNN inside a text. */
static bool find_code(const char *s, uint32_t *out)
{
    for (const char *p = s; *p; p++) {
        bool bound = p == s || !isalnum((unsigned char)p[-1]);
        if (bound && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
            size_t n = 2;
            while (isxdigit((unsigned char)p[n])) n++;
            if (n == 10 && !isalnum((unsigned char)p[n]) && parse_code_token(p, n, out)) return true;
        }
        if (p[0] == '%' && p[1] == '%' && isdigit((unsigned char)p[2])) {
            size_t n = 2;
            while (isdigit((unsigned char)p[n])) n++;
            if (parse_code_token(p, n, out)) return true;
        }
    }
    return false;
}

bool et_hresult_normalize(const char *s, char out[11])
{
    if (!s) return false;
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    uint32_t v;
    if (!parse_code_token(s, n, &v) && !find_code(s, &v)) return false;
    snprintf(out, 11, "0x%08X", v);
    return true;
}

/* ---- compile ------------------------------------------------------------------------- */

static const char *const ex_keys[] = {"field", "from", "split", "index", "kv", "sep", "kvsep", "re",
                                      "group", "code", "default", "trim", "lookup", NULL};
static const char *const lookup_keys[] = {"table", "list", "match", "value", "where", "regex", NULL};

static bool is_true(const ynode *n) { return n && n->kind == YN_SCALAR && !strcmp(n->str, "true"); }

static bool ex_source(et_cctx *c, const ynode *spec, et_extract *e, size_t idx)
{
    const ynode *field = yn_get(spec, "field"), *from = yn_get(spec, "from");
    if (!!field == !!from) { cc_error(c, spec, "extract '%s' needs exactly one of 'field' or 'from'", e->name); return false; }
    if (from) {
        for (size_t j = 0; j < idx; j++)
            if (!strcmp(c->impl->ex[j].name, yn_str(from) ? from->str : "")) {
                e->src = cc_alloc(c, sizeof *e->src * (c->nvariants ? c->nvariants : 1));
                for (size_t v = 0; v < (c->nvariants ? c->nvariants : 1); v++) e->src[v] = (et_acc){ACC_EXTRACT, (uint32_t)j};
                return true;
            }
        cc_error(c, from, "extract '%s': 'from' names no earlier extracted field", e->name);
        return false;
    }
    size_t nf = field->kind == YN_SEQ ? field->n : 1;
    for (size_t i = 0; i < nf; i++) {
        const ynode *f = field->kind == YN_SEQ ? field->items[i] : field;
        if (!yn_str(f)) { cc_error(c, f, "'field' must be a field name or a list of them"); return false; }
    }
    if (!nf) { cc_error(c, field, "'field' lists no field"); return false; }
    size_t saved = c->impl->nex;
    c->impl->nex = idx;   /* only earlier steps are visible by name */
    const ynode *first = field->kind == YN_SEQ ? field->items[0] : field;
    e->src = cc_resolve_field(c, first->str);
    if (nf > 1) {
        e->alt = cc_alloc(c, (nf - 1) * sizeof *e->alt);
        for (size_t i = 1; i < nf; i++) e->alt[e->nalt++] = cc_resolve_field(c, field->items[i]->str);
    }
    c->impl->nex = saved;
    return true;
}

/* ---- lookup tables ----------------------------------------------------------------------- */

static int keep_first(const ynode *root, int docno, void *ctx)
{
    if (docno == 0) *(const ynode **)ctx = root;
    return 0;   /* the rest is parsed too: a table file must parse whole */
}

/* A table the loader did not parse with the rule files (one beside the rule file): parsed now,
 * and kept like theirs. */
static const et_table *parse_table(et_ruleset *rs, const char *real)
{
    const ynode *root = NULL;
    char err[256];
    int line = 0, col = 0;
    bool bad = ydoc_parse(real, NULL, &rs->arena, keep_first, &root, err, sizeof err, &line, &col) < 0;
    ydoc_parsed p = {.docs = &root, .ndocs = root ? 1 : 0, .error = bad ? err : NULL, .line = line, .col = col};
    et_data_keep(rs, real, &p);
    return et_data_get(rs, real);
}

/* The table file: next to the rule file, in its data/ folder, or in ../data (rules/packs). */
static const ynode *load_table(et_cctx *c, const ynode *at, const char *name)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", c->file);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0; else snprintf(dir, sizeof dir, ".");
    const char *forms[] = {"%s/%s", "%s/data/%s", "%s/../data/%s"};
    for (size_t i = 0; i < 3; i++) {
        char path[4200], real[PATH_MAX];
        snprintf(path, sizeof path, forms[i], dir, name);
        if (access(path, R_OK) != 0 || !realpath(path, real)) continue;
        const et_table *t = et_data_get(c->rs, real);
        if (!t) t = parse_table(c->rs, real);
        if (t->error) {
            if (t->line > 0) cc_error(c, at, "lookup table %s: %s (line %d)", path, t->error, t->line);
            else cc_error(c, at, "lookup table %s: %s", path, t->error);
            return NULL;
        }
        return t->root;
    }
    cc_error(c, at, "lookup table '%s' not found next to %s, in its data/ or ../data/ folder", name, c->file);
    return NULL;
}

/* A cell as text: a scalar, or a list of scalars joined with ", ". */
static const char *cell_text(et_cctx *c, const ynode *n)
{
    if (!n) return NULL;
    if (n->kind == YN_SCALAR) return yn_is_null(n) ? NULL : n->str;
    if (n->kind != YN_SEQ) return NULL;
    size_t len = 1;
    for (size_t i = 0; i < n->n; i++) len += (yn_str(n->items[i]) ? n->items[i]->len : 0) + 2;
    char *out = cc_alloc(c, len);
    for (size_t i = 0; i < n->n; i++)
        if (yn_str(n->items[i])) { if (*out) strcat(out, ", "); strcat(out, n->items[i]->str); }
    return out;
}

static bool row_selected(const ynode *row, const ynode *where)
{
    for (size_t i = 0; i < yn_pairs(where); i++) {
        const char *want = yn_str(yn_val(where, i)), *have = yn_str(yn_get(row, yn_key(where, i)->str));
        if (!want || !have || strcasecmp(want, have)) return false;
    }
    return true;
}

static bool ex_lookup(et_cctx *c, const ynode *spec, et_extract *e)
{
    if (spec->kind != YN_MAP) { cc_error(c, spec, "lookup is a map: table, list, match, value (where, regex)"); return false; }
    cc_check_keys(c, spec, lookup_keys, true, "lookup");
    const char *table = yn_str(yn_get(spec, "table")), *list = yn_str(yn_get(spec, "list"));
    const char *match = yn_str(yn_get(spec, "match")), *value = yn_str(yn_get(spec, "value"));
    const ynode *where = yn_get(spec, "where"), *regex = yn_get(spec, "regex");
    if (!table || !list || !match || !value) { cc_error(c, spec, "lookup needs table, list, match and value"); return false; }
    if (where && where->kind != YN_MAP) { cc_error(c, where, "where is a map of column: value"); return false; }
    bool is_re = regex && yn_str(regex) && !strcmp(regex->str, "true");
    const ynode *root = load_table(c, yn_get(spec, "table"), table);
    if (!root) return false;
    const ynode *rows = yn_get(root, list);
    if (!rows || rows->kind != YN_SEQ) { cc_error(c, spec, "lookup table %s has no list '%s'", table, list); return false; }
    et_lookup *lk = cc_alloc(c, sizeof *lk);
    lk->rows = cc_alloc(c, (rows->n ? rows->n : 1) * sizeof *lk->rows);
    for (size_t i = 0; i < rows->n; i++) {
        const ynode *row = rows->items[i];
        if (row->kind != YN_MAP || (where && !row_selected(row, where))) continue;
        const ynode *k = yn_get(row, match);
        const char *v = cell_text(c, yn_get(row, value));
        if (!k || !v) continue;
        et_lookup_row *r = &lk->rows[lk->nrows];
        r->value = v;
        if (is_re) {
            size_t np = k->kind == YN_SEQ ? k->n : 1;
            r->re = cc_alloc(c, np * sizeof *r->re);
            for (size_t j = 0; j < np; j++) {
                const ynode *pat = k->kind == YN_SEQ ? k->items[j] : k;
                if (!yn_str(pat) || !(r->re[r->nre++] = cc_regex(c, pat, pat->str, PCRE2_CASELESS, false))) return false;
            }
        } else if (!(r->key = cell_text(c, k))) {
            continue;
        }
        lk->nrows++;
    }
    if (!lk->nrows) cc_warn(c, spec, "lookup selects no row of %s '%s'", table, list);
    e->lookup = lk;
    return true;
}

static bool ex_op(et_cctx *c, const ynode *spec, et_extract *e)
{
    const ynode *split = yn_get(spec, "split"), *kv = yn_get(spec, "kv"), *re = yn_get(spec, "re");
    if (!!split + !!kv + !!re > 1) { cc_error(c, spec, "extract '%s': split, kv and re exclude each other", e->name); return false; }
    const ynode *idx = yn_get(spec, "index"), *grp = yn_get(spec, "group"), *sep = yn_get(spec, "sep");
    if (split) {
        e->op = EX_SPLIT;
        e->sep = yn_str(split);
        if (!e->sep || !*e->sep) { cc_error(c, split, "split needs a non-empty separator"); return false; }
        if (!idx || !yn_str(idx)) { cc_error(c, spec, "extract '%s': split needs an 'index'", e->name); return false; }
        char *end;
        e->index = (int)strtol(idx->str, &end, 10);
        if (*end) { cc_error(c, idx, "index must be an integer"); return false; }
    } else if (kv) {
        e->op = EX_KV;
        e->key = yn_str(kv);
        e->sep = sep ? yn_str(sep) : ";";
        const ynode *kvs = yn_get(spec, "kvsep");
        e->kvsep = kvs ? yn_str(kvs) : "=";
        if (!e->key || !e->sep || !e->kvsep) { cc_error(c, spec, "kv, sep and kvsep must be strings"); return false; }
    } else if (re) {
        e->op = EX_RE;
        if (!yn_str(re)) { cc_error(c, re, "re must be a string"); return false; }
        if (!(e->re = cc_regex(c, re, re->str, 0, false))) return false;
        uint32_t ncap = 0;
        pcre2_pattern_info(e->re, PCRE2_INFO_CAPTURECOUNT, &ncap);
        e->group = grp && yn_str(grp) ? atoi(grp->str) : ncap ? 1 : 0;
        if (e->group < 0 || (uint32_t)e->group > ncap) { cc_error(c, grp ? grp : re, "group %d does not exist in the regex", e->group); return false; }
    }
    if (idx && !split) { cc_error(c, idx, "'index' applies to split only"); return false; }
    if (sep && !split && !kv) { cc_error(c, sep, "'sep' applies to kv only (split takes its separator)"); return false; }
    return true;
}

/* Each extracted field is checked whatever the ones before gave (every problem is said); one
 * with problems keeps its name, so that a later `from:` naming it is no second error. */
bool cc_extract(et_cctx *c, const ynode *node)
{
    if (node->kind != YN_MAP) { cc_error(c, node, "'extract' must be a map of name: spec"); return false; }
    size_t n = yn_pairs(node);
    c->impl->ex = cc_alloc(c, n * sizeof *c->impl->ex);
    c->rule->extract_names = cc_alloc(c, n * sizeof *c->rule->extract_names);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const ynode *k = yn_key(node, i), *spec = yn_val(node, i);
        et_extract *e = &c->impl->ex[i];
        e->name = k->str;
        e->trim = true;
        if (spec->kind == YN_SCALAR) {   /* name: Field  (a plain copy) */
            size_t saved = c->impl->nex;
            c->impl->nex = i;
            e->src = cc_resolve_field(c, spec->str);
            c->impl->nex = saved;
        } else if (spec->kind != YN_MAP) {
            cc_error(c, spec, "extract '%s' must be a field name or a map", e->name);
            ok = false;
        } else {
            cc_check_keys(c, spec, ex_keys, true, "extract");
            bool one = ex_source(c, spec, e, i);
            one &= ex_op(c, spec, e);
            e->code = is_true(yn_get(spec, "code"));
            const ynode *lk = yn_get(spec, "lookup");
            if (lk && e->code) { cc_error(c, lk, "extract '%s': lookup and code exclude each other", e->name); one = false; }
            else if (lk) one &= ex_lookup(c, lk, e);
            const ynode *trim = yn_get(spec, "trim");
            if (trim && yn_str(trim) && !strcmp(trim->str, "false")) e->trim = false;
            e->deflt = yn_str(yn_get(spec, "default"));
            ok &= one;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c->impl->ex[j].name, e->name)) { cc_error(c, k, "extract '%s' defined twice", e->name); ok = false; break; }
        c->rule->extract_names[i] = e->name;
        c->impl->nex = i + 1;
        c->rule->nextract = i + 1;
    }
    if (n > c->rs->max_extract) c->rs->max_extract = n;
    return ok;
}

/* ---- run ----------------------------------------------------------------------------- */

typedef struct piece { const char *p; size_t n; } piece;

static bool do_split(const et_extract *e, const char *v, piece *out)
{
    size_t sl = strlen(e->sep), cnt = 1;
    for (const char *q = v; (q = strstr(q, e->sep)); q += sl) cnt++;
    long want = e->index < 0 ? (long)cnt + e->index : e->index;
    if (want < 0 || (size_t)want >= cnt) return false;
    const char *start = v;
    for (long i = 0; i < want; i++) start = strstr(start, e->sep) + sl;
    const char *end = strstr(start, e->sep);
    out->p = start;
    out->n = end ? (size_t)(end - start) : strlen(start);
    return true;
}

static bool do_kv(const et_extract *e, const char *v, piece *out)
{
    size_t kl = strlen(e->key), sl = strlen(e->sep), ksl = strlen(e->kvsep);
    const char *p = v;
    while (p) {
        while (isspace((unsigned char)*p)) p++;
        const char *end = strstr(p, e->sep);
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > kl && !strncasecmp(p, e->key, kl)) {
            const char *q = p + kl;
            while (q < p + n && isspace((unsigned char)*q)) q++;
            if ((size_t)(p + n - q) >= ksl && !strncmp(q, e->kvsep, ksl)) {
                out->p = q + ksl;
                out->n = (size_t)(p + n - out->p);
                return true;
            }
        }
        p = end ? end + sl : NULL;
    }
    return false;
}

static bool do_re(et_scanner *s, const et_extract *e, const char *v, piece *out)
{
    if (scan_re(s, e->re, v, PCRE2_ZERO_TERMINATED) < 0) return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    if (ov[2 * e->group] == PCRE2_UNSET) return false;
    out->p = v + ov[2 * e->group];
    out->n = ov[2 * e->group + 1] - ov[2 * e->group];
    return true;
}

static bool apply(et_scanner *s, const et_extract *e, const char *v, piece *out)
{
    switch (e->op) {
    case EX_SPLIT: return do_split(e, v, out);
    case EX_KV: return do_kv(e, v, out);
    case EX_RE: return do_re(s, e, v, out);
    default: out->p = v; out->n = strlen(v); return true;
    }
}

/* Stores a result (copying first: the source may live in the same buffer). */
static void store(et_scanner *s, size_t i, const et_extract *e, piece pc)
{
    if (e->trim) {
        while (pc.n && isspace((unsigned char)pc.p[0])) { pc.p++; pc.n--; }
        while (pc.n && isspace((unsigned char)pc.p[pc.n - 1])) pc.n--;
    }
    char small[512];
    char *copy = pc.n < sizeof small ? small : malloc(pc.n + 1);
    memcpy(copy, pc.p, pc.n);
    copy[pc.n] = 0;
    if (e->code) {
        char norm[11];
        if (!et_hresult_normalize(copy, norm)) { if (copy != small) free(copy); return; }
        s->xoff[i] = sbuf_add(&s->xbuf, norm, 10);
    } else {
        s->xoff[i] = sbuf_add(&s->xbuf, copy, pc.n);
    }
    s->xhas[i] = true;
    if (copy != small) free(copy);
}

/* The value of the first row whose key equals (or whose regex matches) the piece. */
static bool do_lookup(et_scanner *s, const et_lookup *lk, piece *pc)
{
    char small[512];
    size_t n = pc->n < sizeof small - 1 ? pc->n : sizeof small - 1;
    memcpy(small, pc->p, n);
    small[n] = 0;
    for (size_t r = 0; r < lk->nrows; r++) {
        const et_lookup_row *row = &lk->rows[r];
        bool hit = row->key ? !strcasecmp(row->key, small) : false;
        for (size_t j = 0; !hit && j < row->nre; j++)
            hit = scan_re(s, row->re[j], small, n) >= 0;
        if (hit) { pc->p = row->value; pc->n = strlen(row->value); return true; }
    }
    return false;
}

static bool run_on(et_scanner *s, const et_extract *e, const char *v, size_t i)
{
    piece pc;
    if (!v || !apply(s, e, v, &pc)) return false;
    if (e->lookup && !do_lookup(s, e->lookup, &pc)) return false;
    if (e->code) {
        char tmp[11], small[512];
        size_t n = pc.n < sizeof small - 1 ? pc.n : sizeof small - 1;
        memcpy(small, pc.p, n);
        small[n] = 0;
        if (!et_hresult_normalize(small, tmp)) return false;
    }
    store(s, i, e, pc);
    return true;
}

void scan_extract(et_scanner *s, const struct et_rule_impl *im)
{
    s->xbuf.len = 0;
    for (size_t i = 0; i < im->nex; i++) {
        const et_extract *e = &im->ex[i];
        const et_acc *a = &e->src[s->variant];
        s->xhas[i] = false;
        if (a->kind == ACC_EXTRACT) {
            if (s->xhas[a->id]) {
                size_t off = s->xoff[a->id];
                char small[512];
                const char *v = s->xbuf.p + off;
                size_t n = strlen(v);
                char *copy = n < sizeof small ? small : malloc(n + 1);
                memcpy(copy, v, n + 1);
                run_on(s, e, copy, i);
                if (copy != small) free(copy);
            }
        } else {
            for (size_t k = 0; k <= e->nalt && !s->xhas[i]; k++) {
                const et_acc *src = k ? &e->alt[k - 1][s->variant] : a;
                if (src->kind == ACC_ANY) {
                    for (size_t f = 0; f < s->ev->nfields && !s->xhas[i]; f++) run_on(s, e, s->ev->fields[f].value, i);
                } else {
                    run_on(s, e, scan_get(s, src), i);
                }
            }
        }
        if (!s->xhas[i] && e->deflt) {
            s->xoff[i] = sbuf_add(&s->xbuf, e->deflt, strlen(e->deflt));
            s->xhas[i] = true;
        }
    }
    for (size_t i = 0; i < im->nex; i++) s->xval[i] = s->xhas[i] ? s->xbuf.p + s->xoff[i] : NULL;
}
