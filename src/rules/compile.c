/* compile.c: compiles one Sigma detection rule document (metadata, logsource, detection,
 * condition) into its rule-set form; shared compiler helpers and diagnostics. */
#include "rules/compile.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vdiag(et_cctx *c, int line, int col, et_diag_level lvl, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (lvl == ET_DIAG_WARNING && c->strict) lvl = ET_DIAG_ERROR;
    et_diag d = {c->file, line, col, lvl, msg, 0, 0};
    if (lvl == ET_DIAG_ERROR) c->nerr++;
    else c->nwarn++;
    if (c->diag) c->diag(&d, c->dctx);
}

void cc_error(et_cctx *c, const ynode *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(c, at ? at->line : 0, at ? at->col : 0, ET_DIAG_ERROR, fmt, ap);
    va_end(ap);
}

void cc_error_at(et_cctx *c, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(c, line, col, ET_DIAG_ERROR, fmt, ap);
    va_end(ap);
}

void cc_warn(et_cctx *c, const ynode *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(c, at ? at->line : 0, at ? at->col : 0, ET_DIAG_WARNING, fmt, ap);
    va_end(ap);
}

void *cc_alloc(et_cctx *c, size_t n)
{
    void *p = et_arena_alloc(&c->rs->arena, n ? n : 1);
    memset(p, 0, n ? n : 1);
    return p;
}

char *cc_strdup(et_cctx *c, const char *s, size_t n) { return et_arena_strndup(&c->rs->arena, s, n); }

uint32_t et_intern_field(et_ruleset *rs, const char *name)
{
    for (size_t i = 0; i < rs->nfnames; i++)
        if (!strcmp(rs->fnames[i], name)) return (uint32_t)i;
    if (rs->nfnames == rs->capfnames) {
        rs->capfnames = rs->capfnames ? rs->capfnames * 2 : 64;
        rs->fnames = realloc(rs->fnames, rs->capfnames * sizeof *rs->fnames);
    }
    rs->fnames[rs->nfnames] = et_arena_strndup(&rs->arena, name, strlen(name));
    return (uint32_t)rs->nfnames++;
}

et_acc cc_resolve_one(et_cctx *c, const et_variant *v, const char *name)
{
    et_acc a = {ACC_DATA, 0};
    for (size_t i = 0; i < c->impl->nex; i++)
        if (c->impl->ex[i].name && !strcmp(c->impl->ex[i].name, name)) return (et_acc){ACC_EXTRACT, (uint32_t)i};
    if (!strcmp(name, "*")) return (et_acc){ACC_ANY, 0};
    for (size_t i = 0; v && i < v->nfmap; i++)
        if (!strcmp(v->fmap[i].from, name)) { name = v->fmap[i].to; break; }
    int top = et_mapping_toplevel(c->rs->mapping, name);
    if (top != ACC_NONE) return (et_acc){(uint8_t)top, 0};
    a.id = et_intern_field(c->rs, name);
    return a;
}

et_acc *cc_resolve_field(et_cctx *c, const char *name)
{
    size_t n = c->nvariants ? c->nvariants : 1;
    et_acc *acc = cc_alloc(c, n * sizeof *acc);
    for (size_t i = 0; i < n; i++) acc[i] = cc_resolve_one(c, c->nvariants ? &c->variants[i] : NULL, name);
    return acc;
}

pcre2_code *cc_regex(et_cctx *c, const ynode *n, const char *pattern, uint32_t flags, bool jit)
{
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   flags | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        int col = n->col + (n->plain ? 0 : 1) + (int)erroff;
        cc_error_at(c, n->line, col, "bad regular expression: %s (at offset %zu)", (char *)msg, (size_t)erroff);
        return NULL;
    }
    if (jit) pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    uint32_t ncap = 0;
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ncap);
    if (ncap + 1 > c->rs->max_captures) c->rs->max_captures = ncap + 1;
    et_ruleset *rs = c->rs;   /* kept to be freed with the rule set */
    if (rs->ncodes == rs->capcodes) {
        rs->capcodes = rs->capcodes ? rs->capcodes * 2 : 32;
        rs->codes = realloc(rs->codes, rs->capcodes * sizeof *rs->codes);
    }
    rs->codes[rs->ncodes++] = re;
    return re;
}

void cc_check_keys(et_cctx *c, const ynode *map, const char *const *known, bool strict_keys, const char *where)
{
    for (size_t i = 0; i < yn_pairs(map); i++) {
        const ynode *k = yn_key(map, i);
        bool found = false;
        for (size_t j = 0; known[j] && !found; j++) found = k->kind == YN_SCALAR && !strcmp(k->str, known[j]);
        if (found) continue;
        const char *sug = k->kind == YN_SCALAR ? yn_suggest(k->str, known) : NULL;
        if (sug) cc_error(c, k, "unknown key '%s' in %s (did you mean '%s'?)", k->str, where, sug);
        else if (strict_keys) cc_error(c, k, "unknown key '%s' in %s", k->kind == YN_SCALAR ? k->str : "?", where);
        else cc_warn(c, k, "unknown key '%s' in %s", k->kind == YN_SCALAR ? k->str : "?", where);
    }
}

/* ---- detection ------------------------------------------------------------------------- */

/* Each field is compiled, whatever the ones before gave (every problem is said). */
static bool map_alt(et_cctx *c, const ynode *map, et_alt *alt)
{
    size_t n = yn_pairs(map);
    if (!n) { cc_error(c, map, "empty search identifier map"); return false; }
    alt->conds = cc_alloc(c, n * sizeof *alt->conds);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const ynode *k = yn_key(map, i);
        if (k->kind != YN_SCALAR) { cc_error(c, k, "field names must be strings"); ok = false; continue; }
        if (cc_field_condition(c, k, k->str, yn_val(map, i), &alt->conds[alt->nconds])) alt->nconds++;
        else ok = false;
    }
    return ok;
}

/* A search identifier: map (AND), list of maps (OR) or keyword list (OR). */
static bool compile_sel(et_cctx *c, const ynode *key, const ynode *v, et_sel *sel)
{
    sel->name = key->str;
    if (v->kind == YN_MAP) {
        sel->alts = cc_alloc(c, sizeof *sel->alts);
        sel->nalts = 1;
        return map_alt(c, v, &sel->alts[0]);
    }
    if (v->kind == YN_SCALAR) {   /* a single keyword */
        sel->alts = cc_alloc(c, sizeof *sel->alts);
        sel->nalts = 1;
        sel->alts[0].conds = cc_alloc(c, sizeof(et_fcond));
        sel->alts[0].nconds = 1;
        return cc_field_condition(c, key, NULL, v, &sel->alts[0].conds[0]);
    }
    sel->alts = cc_alloc(c, (v->n + 1) * sizeof *sel->alts);
    bool kw = false, ok = true;
    for (size_t i = 0; i < v->n; i++) {
        const ynode *it = v->items[i];
        if (it->kind == YN_MAP) {
            ok &= map_alt(c, it, &sel->alts[sel->nalts++]);
        } else if (it->kind == YN_SCALAR) {
            kw = true;
        } else {
            cc_error(c, it, "a search identifier list holds strings or maps");
            ok = false;
        }
    }
    if (kw) {   /* all keyword strings of the list form one OR-ed keyword condition */
        ynode *list = cc_alloc(c, sizeof *list);
        *list = *v;
        list->items = cc_alloc(c, v->n * sizeof *list->items);
        list->n = 0;
        for (size_t i = 0; i < v->n; i++)
            if (v->items[i]->kind == YN_SCALAR) list->items[list->n++] = v->items[i];
        et_alt *a = &sel->alts[sel->nalts++];
        a->conds = cc_alloc(c, sizeof(et_fcond));
        a->nconds = 1;
        ok &= cc_field_condition(c, key, NULL, list, &a->conds[0]);
    }
    if (!sel->nalts) { cc_error(c, v, "empty search identifier"); return false; }
    return ok;
}

/* Records every named field of the detection once, for the match output and the lint. */
static void collect_out(et_cctx *c)
{
    struct et_rule_impl *im = c->impl;
    size_t cap = 0;
    for (uint32_t s = 0; s < im->nsels; s++)
        for (uint32_t a = 0; a < im->sels[s].nalts; a++) cap += im->sels[s].alts[a].nconds;
    im->out = cc_alloc(c, (cap + 1) * sizeof *im->out);
    for (uint32_t s = 0; s < im->nsels; s++)
        for (uint32_t a = 0; a < im->sels[s].nalts; a++)
            for (uint32_t k = 0; k < im->sels[s].alts[a].nconds; k++) {
                const et_fcond *f = &im->sels[s].alts[a].conds[k];
                if (f->keyword) continue;
                bool dup = false;
                for (size_t o = 0; o < im->nout && !dup; o++) dup = !strcmp(im->out[o].name, f->name);
                if (!dup) im->out[im->nout++] = (et_outfield){f->name, f->acc};
            }
    if (im->nout > c->rs->max_out) c->rs->max_out = im->nout;
}

/* The key node naming a field (Field or Field|mods) anywhere under n, for diagnostics. */
static const ynode *find_field_key(const ynode *n, const char *field)
{
    size_t fl = strlen(field);
    if (!n) return NULL;
    if (n->kind == YN_MAP)
        for (size_t i = 0; i < yn_pairs(n); i++) {
            const ynode *k = yn_key(n, i);
            if (k->kind == YN_SCALAR && !strncmp(k->str, field, fl) && (k->str[fl] == 0 || k->str[fl] == '|')) return k;
            const ynode *r = find_field_key(yn_val(n, i), field);
            if (r) return r;
        }
    if (n->kind == YN_SEQ)
        for (size_t i = 0; i < n->n; i++) {
            const ynode *r = find_field_key(n->items[i], field);
            if (r) return r;
        }
    return NULL;
}

/* Warns about a field no variant of the logsource carries (only where the mapping lists the
 * fields of every variant). */
static void lint_fields(et_cctx *c, const ynode *det)
{
    struct et_rule_impl *im = c->impl;
    for (size_t o = 0; o < im->nout; o++) {
        bool carried = !c->nvariants;
        for (size_t v = 0; v < c->nvariants && !carried; v++) {
            const et_variant *var = &c->variants[v];
            if (im->out[o].acc[v].kind != ACC_DATA || !var->nknown) { carried = true; break; }
            const char *fname = c->rs->fnames[im->out[o].acc[v].id];
            for (size_t k = 0; k < var->nknown && !carried; k++) carried = !strcmp(var->known[k], fname);
        }
        if (carried) continue;
        const ynode *at = find_field_key(det, im->out[o].name);
        cc_warn(c, at ? at : det, "field '%s' is not mapped: no event of this logsource (%s%s) carries it",
                im->out[o].name, c->variants[0].source, c->nvariants > 1 ? ", ..." : "");
    }
}

static bool compile_variant_extras(et_cctx *c)
{
    for (size_t v = 0; v < c->nvariants; v++) {
        et_variant *var = &c->variants[v];
        if (!var->cond_node) continue;
        et_cctx one = *c;
        one.variants = var;
        one.nvariants = 1;
        bool ok = map_alt(&one, var->cond_node, &var->extra);
        c->nerr = one.nerr;
        c->nwarn = one.nwarn;
        if (!ok) return false;
    }
    return true;
}

/* A detection rule: its problems are all said (each selection is compiled whatever the others
 * gave, the condition is read whatever they gave); the output fields and their lint only for a
 * rule that compiled. */
bool cc_detection(et_cctx *c, const ynode *doc)
{
    const ynode *ls = yn_get(doc, "logsource");
    const ynode *det = yn_get(doc, "detection");
    if (!det) { cc_error(c, doc, "rule has no 'detection' (nor 'correlation')"); return false; }
    if (!ls || ls->kind != YN_MAP) { cc_error(c, ls ? ls : doc, "a detection rule needs a 'logsource' map"); return false; }
    static const char *const ls_keys[] = {"category", "product", "service", "definition", NULL};
    cc_check_keys(c, ls, ls_keys, false, "logsource");
    bool known;
    c->nvariants = et_mapping_variants(c->rs->mapping, ls, &c->rs->arena, &c->variants, &known);
    if (c->nvariants) {
        et_variant *v = cc_alloc(c, c->nvariants * sizeof *v);
        memcpy(v, c->variants, c->nvariants * sizeof *v);
        free(c->variants);
        c->variants = v;
    }
    c->impl->variants = c->variants;
    c->impl->nvariants = c->nvariants;
    if (!known) cc_warn(c, ls, "logsource is not mapped to any Windows event log: the rule cannot match EVTX input");
    if (!compile_variant_extras(c)) return false;
    bool ok = true;
    const ynode *ex = yn_get(doc, "extract");
    if (ex) ok &= cc_extract(c, ex);
    if (det->kind != YN_MAP) { cc_error(c, det, "'detection' must be a map"); return false; }
    const ynode *cond = yn_get(det, "condition");
    if (!cond) {   /* a misspelt one is a search identifier to Sigma: pointed at, not guessed */
        static const char *const condition[] = {"condition", NULL};
        const ynode *typo = NULL;
        for (size_t i = 0; i < yn_pairs(det) && !typo; i++) {
            const ynode *k = yn_key(det, i);
            if (k->kind == YN_SCALAR && yn_suggest(k->str, condition)) typo = k;
        }
        if (typo) cc_error(c, typo, "detection has no 'condition' (is '%s' meant to be it?)", typo->str);
        else cc_error(c, det, "detection has no 'condition'");
        ok = false;
    }
    size_t n = yn_pairs(det);
    c->impl->sels = cc_alloc(c, n * sizeof *c->impl->sels);
    for (size_t i = 0; i < n; i++) {
        const ynode *k = yn_key(det, i);
        if (k->kind != YN_SCALAR) { cc_error(c, k, "search identifiers must be strings"); ok = false; continue; }
        if (!strcmp(k->str, "condition") || !strcmp(k->str, "timeframe")) {
            if (!strcmp(k->str, "timeframe")) cc_warn(c, k, "'timeframe' is obsolete (Sigma 1.0): use a correlation rule");
            continue;
        }
        /* a selection with problems keeps its name, so that the condition names it without
         * a second error */
        ok &= compile_sel(c, k, yn_val(det, i), &c->impl->sels[c->impl->nsels]);
        c->impl->nsels++;
    }
    if (cond && !(c->impl->cond = cc_condition(c, cond))) ok = false;
    if (!ok) return false;
    collect_out(c);
    lint_fields(c, det);
    return true;
}
