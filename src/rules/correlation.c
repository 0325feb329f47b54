/* correlation.c: compiles Sigma correlation documents (event_count, value_count, temporal,
 * temporal_ordered, and evtriage's `absent`) and resolves rule references between documents. */
#include "rules/compile.h"
#include "core/timeutil.h"
#include <stdlib.h>
#include <string.h>


static const char *const corr_keys[] = {"type", "rules", "aliases", "group-by", "timespan", "condition",
                                        "generate", "skew", "at_end", NULL};
static const char *const cond_keys[] = {"gt", "gte", "lt", "lte", "eq", "field", NULL};
static const char *const type_names[] = {"event_count", "value_count", "temporal", "temporal_ordered", "absent"};

const char *et_corr_type_name(et_corr_type t) { return (unsigned)t <= ET_CORR_ABSENT ? type_names[t] : "?"; }

static bool names(et_cctx *c, const ynode *n, const char ***out, size_t *nout, const ynode ***nodes)
{
    *nout = 0;
    if (!n) return true;
    size_t cnt = n->kind == YN_SEQ ? n->n : 1;
    *out = cc_alloc(c, cnt * sizeof **out);
    if (nodes) *nodes = cc_alloc(c, cnt * sizeof **nodes);
    for (size_t i = 0; i < cnt; i++) {
        const ynode *it = n->kind == YN_SEQ ? n->items[i] : n;
        if (!yn_str(it)) { cc_error(c, it, "expected a name"); return false; }
        if (nodes) (*nodes)[i] = it;
        (*out)[(*nout)++] = it->str;
    }
    return true;
}

static bool condition(et_cctx *c, et_corr *k, const ynode *cond)
{
    static const char *const ops[] = {"gt", "gte", "lt", "lte", "eq"};
    if (!cond) {
        if (k->type == ET_CORR_EVENT_COUNT || k->type == ET_CORR_VALUE_COUNT) {
            cc_error(c, NULL, "%s needs a 'condition'", type_names[k->type]);
            return false;
        }
        return true;
    }
    if (cond->kind != YN_MAP) { cc_error(c, cond, "condition must be a map such as {gte: 10}"); return false; }
    cc_check_keys(c, cond, cond_keys, true, "correlation condition");
    bool any = false;
    for (int i = 0; i < 5; i++) {
        const ynode *v = yn_get(cond, ops[i]);
        if (!v) continue;
        char *end;
        if (!yn_str(v) || (k->cond[i] = strtoll(v->str, &end, 10), *end) || !*v->str) {
            cc_error(c, v, "%s needs an integer", ops[i]);
            return false;
        }
        k->has_cond[i] = any = true;
    }
    if (!any) { cc_error(c, cond, "condition needs one of gt, gte, lt, lte, eq"); return false; }
    k->field = yn_str(yn_get(cond, "field"));
    if (k->type == ET_CORR_VALUE_COUNT && !k->field) { cc_error(c, cond, "value_count needs 'field' in its condition"); return false; }
    if (k->type != ET_CORR_VALUE_COUNT && k->field) { cc_error(c, yn_get(cond, "field"), "'field' applies to value_count only"); return false; }
    return true;
}

static bool aliases(et_cctx *c, et_corr *k, const ynode *al)
{
    if (!al) return true;
    if (al->kind != YN_MAP) { cc_error(c, al, "aliases must be a map"); return false; }
    k->naliases = yn_pairs(al);
    k->aliases = cc_alloc(c, k->naliases * sizeof *k->aliases);
    for (size_t i = 0; i < k->naliases; i++) {
        const ynode *per = yn_val(al, i);
        k->aliases[i].name = yn_key(al, i)->str;
        if (per->kind != YN_MAP) { cc_error(c, per, "alias '%s' must map rule names to field names", k->aliases[i].name); return false; }
        k->aliases[i].per_rule = cc_alloc(c, (k->nrule_refs + 1) * sizeof(char *));
        for (size_t j = 0; j < yn_pairs(per); j++) {
            const char *rn = yn_key(per, j)->str, *fld = yn_str(yn_val(per, j));
            size_t r = 0;
            while (r < k->nrule_refs && strcmp(k->rule_refs[r], rn)) r++;
            if (r == k->nrule_refs) { cc_error(c, yn_key(per, j), "alias '%s': '%s' is not among the correlation's rules", k->aliases[i].name, rn); return false; }
            if (!fld) { cc_error(c, yn_val(per, j), "alias field must be a string"); return false; }
            k->aliases[i].per_rule[r] = fld;
        }
    }
    return true;
}

static bool timespans(et_cctx *c, et_corr *k, const ynode *corr)
{
    const ynode *ts = yn_get(corr, "timespan"), *sk = yn_get(corr, "skew");
    if (!ts) { cc_error(c, corr, "correlation needs a 'timespan' (e.g. 5m)"); return false; }
    if ((k->timespan = et_parse_duration(yn_str(ts))) < 0) { cc_error(c, ts, "bad timespan '%s' (number + s, m, h or d)", yn_str(ts) ? ts->str : "?"); return false; }
    if (sk && (k->skew = et_parse_duration(yn_str(sk))) < 0) { cc_error(c, sk, "bad skew '%s' (number + s, m, h or d)", yn_str(sk) ? sk->str : "?"); return false; }
    return true;
}

/* `at_end` (absent only): what an answer whose wait runs past the end of the input is.
 * undecided (the default: a KMS request the log ends a second after) or absent (an answer that,
 * when it exists, comes before or with the request: the log ending cannot hide it). */
static bool at_end(et_cctx *c, et_corr *k, const ynode *corr)
{
    const ynode *n = yn_get(corr, "at_end");
    if (!n) return true;
    const char *v = yn_str(n);
    if (!v || (strcmp(v, "absent") && strcmp(v, "undecided"))) { cc_error(c, n, "at_end is undecided or absent"); return false; }
    if (k->type != ET_CORR_ABSENT) { cc_error(c, n, "at_end applies to absent correlations only"); return false; }
    k->end_absent = !strcmp(v, "absent");
    return true;
}

/* Each part is checked whatever the others gave (every problem is said); those that need the
 * type or the rules only once they are known. */
bool cc_correlation(et_cctx *c, const ynode *corr)
{
    if (corr->kind != YN_MAP) { cc_error(c, corr, "'correlation' must be a map"); return false; }
    cc_check_keys(c, corr, corr_keys, true, "correlation");
    et_corr *k = cc_alloc(c, sizeof *k);
    bool ok = true;
    const ynode *type = yn_get(corr, "type");
    int t = -1;
    for (int i = 0; type && yn_str(type) && i < 5; i++)
        if (!strcmp(type->str, type_names[i])) t = i;
    if (t < 0) {
        cc_error(c, type ? type : corr, "correlation type must be event_count, value_count, temporal, temporal_ordered or absent");
        ok = false;
    } else {
        k->type = (et_corr_type)t;
        c->rule->corr_type = k->type;
    }
    const ynode *rules = yn_get(corr, "rules");
    int before = c->nerr;
    bool have_rules = rules && names(c, rules, &k->rule_refs, &k->nrule_refs, &k->rule_ref_nodes) && k->nrule_refs;
    if (!have_rules) {
        if (c->nerr == before) cc_error(c, rules ? rules : corr, "correlation needs 'rules'");
        ok = false;
    } else if (t >= 0) {
        if (k->type == ET_CORR_ABSENT && k->nrule_refs != 2) {
            cc_error(c, rules, "absent takes exactly two rules: the request and the answer");
            ok = false;
        }
        if ((k->type == ET_CORR_TEMPORAL || k->type == ET_CORR_TEMPORAL_ORDERED) && k->nrule_refs < 2)
            cc_warn(c, rules, "%s over a single rule", type_names[k->type]);
    }
    ok &= names(c, yn_get(corr, "group-by"), &k->group, &k->ngroup, NULL);
    ok &= timespans(c, k, corr);
    if (t >= 0) ok &= at_end(c, k, corr);
    if (have_rules) ok &= aliases(c, k, yn_get(corr, "aliases"));
    if (t >= 0) ok &= condition(c, k, yn_get(corr, "condition"));
    const ynode *gen = yn_get(corr, "generate");
    if (!gen) gen = yn_get(c->impl->doc, "generate");
    k->generate = gen && yn_str(gen) && !strcmp(gen->str, "true");
    if (ok) c->impl->corr = k;
    return ok;
}

/* Correlation chains must not loop, nor be deeper than MAX_CHAIN. */
#define MAX_CHAIN 32
#define LOOP 1000   /* the depth of a correlation in a loop, or over one */

typedef struct frame { et_rule *r; size_t next; int d; } frame;

/* The depth of r's chain: 1 + the deepest correlation it references (detection rules: 0), or
 * LOOP. Each rule's depth is worked out once and kept (impl->depth; -1 while its references
 * are followed), depth first with a stack of its own: references that fan out (a chain of 30
 * correlations each naming the next three times took 3^30 steps) and long chains cost one step
 * a reference, and no recursion as deep as a rule file makes it. */
static int depth_of(et_rule *root)
{
    if (root->kind != ET_RULE_CORRELATION) return 0;
    if (root->impl->depth > 0) return root->impl->depth;
    frame *st = malloc(16 * sizeof *st);
    size_t n = 0, cap = 16;
    if (!st) abort();
    root->impl->depth = -1;
    st[n++] = (frame){root, 0, 0};
    while (n) {
        frame *f = &st[n - 1];
        if (f->next < f->r->ncorr_rules) {
            et_rule *c = (et_rule *)f->r->corr_rules[f->next++];
            int cd = c->kind != ET_RULE_CORRELATION ? 0 : c->impl->depth == -1 ? LOOP : c->impl->depth;
            if (!cd && c->kind == ET_RULE_CORRELATION) {   /* not yet seen: follow it */
                if (n == cap && !(st = realloc(st, (cap *= 2) * sizeof *st))) abort();
                c->impl->depth = -1;
                st[n++] = (frame){c, 0, 0};
                continue;
            }
            if (cd > f->d) f->d = cd;
            continue;
        }
        int d = f->d >= LOOP ? LOOP : f->d + 1;
        f->r->impl->depth = d;
        if (--n && d > st[n - 1].d) st[n - 1].d = d;
    }
    free(st);
    return root->impl->depth;
}

static void add_need(et_cctx *c, struct et_rule_impl *im, const char *name)
{
    for (size_t i = 0; i < im->nneed; i++)
        if (!strcmp(im->need[i], name)) return;
    const char **n = cc_alloc(c, (im->nneed + 1) * sizeof *n);
    if (im->nneed) memcpy(n, im->need, im->nneed * sizeof *n);
    n[im->nneed++] = name;
    im->need = n;
}

static bool corr_refs(et_cctx *c, et_rule *r)
{
    et_corr *k = r->impl->corr;
    r->corr_rules = cc_alloc(c, k->nrule_refs * sizeof *r->corr_rules);
    for (size_t i = 0; i < k->nrule_refs; i++) {
        const et_rule *t = et_ruleset_find(c->rs, k->rule_refs[i]);
        if (!t) { cc_error(c, k->rule_ref_nodes[i], "unknown rule reference '%s'", k->rule_refs[i]); return false; }
        if (t == r) { cc_error(c, k->rule_ref_nodes[i], "a correlation cannot reference itself"); return false; }
        r->corr_rules[r->ncorr_rules++] = t;
    }
    r->ncorr_rules = k->nrule_refs;
    for (size_t i = 0; i < r->ncorr_rules; i++) {
        struct et_rule_impl *ti = r->corr_rules[i]->impl;
        for (size_t g = 0; g < k->ngroup; g++) {
            const char *name = k->group[g];
            for (size_t a = 0; a < k->naliases; a++)
                if (!strcmp(k->aliases[a].name, name) && k->aliases[a].per_rule[i]) name = k->aliases[a].per_rule[i];
            add_need(c, ti, name);
        }
        if (k->field) add_need(c, ti, k->field);
    }
    return true;
}

bool cc_check_depth(et_cctx *c, et_rule *r)
{
    if (r->kind != ET_RULE_CORRELATION) return true;
    int d = depth_of(r);
    if (d >= LOOP) {
        cc_error(c, r->impl->corr->rule_ref_nodes[0], "correlation references form a loop");
        return false;
    }
    if (d > MAX_CHAIN) {
        cc_error(c, r->impl->corr->rule_ref_nodes[0], "a chain of %d correlations: at most %d", d, MAX_CHAIN);
        return false;
    }
    return true;
}

bool cc_resolve_refs(et_cctx *c, et_rule *r)
{
    if (r->kind == ET_RULE_CORRELATION && !corr_refs(c, r)) return false;
    return cc_rca_refs(c, r) && cc_tests_refs(c, r);
}
