/* index.c: maps (channel, provider, event id) to the rules that can match such events, from
 * each rule's logsource variants narrowed by what its detection requires. */
#include "rules/rule_int.h"
#include <stdlib.h>
#include <string.h>

/* A set of strings per dimension; any = unconstrained. */
typedef struct cset { bool any; const char *v[64]; size_t n; } cset;
typedef struct ctr { cset eid, prov, chan; } ctr;

static void cs_any(cset *s) { s->any = true; s->n = 0; }

static bool cs_has(const cset *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcasecmp(s->v[i], x)) return true;
    return false;
}

static void cs_add(cset *s, const char *x)
{
    if (s->any) return;
    if (s->n == 64) { cs_any(s); return; }
    if (!cs_has(s, x)) s->v[s->n++] = x;
}

static void cs_and(cset *a, const cset *b)
{
    if (b->any) return;
    if (a->any) { *a = *b; return; }
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++)
        if (cs_has(b, a->v[i])) a->v[k++] = a->v[i];
    a->n = k;
}

static void cs_or(cset *a, const cset *b)
{
    if (a->any) return;
    if (b->any) { cs_any(a); return; }
    for (size_t i = 0; i < b->n; i++) cs_add(a, b->v[i]);
}

static void ctr_any(ctr *c) { cs_any(&c->eid); cs_any(&c->prov); cs_any(&c->chan); }
static void ctr_none(ctr *c) { memset(c, 0, sizeof *c); }
static void ctr_and(ctr *a, const ctr *b) { cs_and(&a->eid, &b->eid); cs_and(&a->prov, &b->prov); cs_and(&a->chan, &b->chan); }
static void ctr_or(ctr *a, const ctr *b) { cs_or(&a->eid, &b->eid); cs_or(&a->prov, &b->prov); cs_or(&a->chan, &b->chan); }

static bool numeric(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

/* What one field condition requires of the event's id, provider or channel. */
static void fcond_ctr(const et_fcond *f, size_t vi, ctr *out)
{
    ctr_any(out);
    if (f->keyword) return;
    int kind = f->acc[vi].kind;
    cset *dim = kind == ACC_EVENT_ID ? &out->eid : kind == ACC_PROVIDER ? &out->prov : kind == ACC_CHANNEL ? &out->chan : NULL;
    if (!dim || (f->all && f->nvals > 1)) return;
    for (uint32_t i = 0; i < f->nvals; i++) {
        const et_val *v = &f->vals[i];
        if (v->op != OP_EQ || v->neg || v->fieldref || (kind == ACC_EVENT_ID && !numeric(v->s))) return;
    }
    cset s = {0};
    for (uint32_t i = 0; i < f->nvals; i++) cs_add(&s, f->vals[i].s);
    *dim = s;
}

static void sel_ctr(const et_sel *sel, size_t vi, ctr *out)
{
    ctr_none(out);
    for (uint32_t a = 0; a < sel->nalts; a++) {
        ctr alt;
        ctr_any(&alt);
        for (uint32_t k = 0; k < sel->alts[a].nconds; k++) {
            ctr f;
            fcond_ctr(&sel->alts[a].conds[k], vi, &f);
            ctr_and(&alt, &f);
        }
        ctr_or(out, &alt);
    }
}

/* Recursive over the condition's nesting, which the compiler bounds (CX_MAX_DEPTH). */
static void cx_ctr(const struct et_rule_impl *im, const et_cx *x, size_t vi, ctr *out)
{
    ctr b;
    switch (x->op) {
    case CX_SEL: sel_ctr(&im->sels[x->sel], vi, out); return;
    case CX_AND:
        ctr_any(out);
        for (uint32_t i = 0; i < x->n; i++) { cx_ctr(im, x->kids[i], vi, &b); ctr_and(out, &b); }
        return;
    case CX_OR:
        ctr_none(out);
        for (uint32_t i = 0; i < x->n; i++) { cx_ctr(im, x->kids[i], vi, &b); ctr_or(out, &b); }
        return;
    case CX_FALSE: ctr_none(out); return;
    default: ctr_any(out); return;
    }
}

static et_bucket *bucket(et_ruleset *rs, const char *ch, const char *pr)
{
    for (size_t i = 0; i < rs->nbuckets; i++)
        if (!strcasecmp(rs->buckets[i].channel, ch) && !strcasecmp(rs->buckets[i].provider, pr)) return &rs->buckets[i];
    if (rs->nbuckets == rs->capbuckets) {
        rs->capbuckets = rs->capbuckets ? rs->capbuckets * 2 : 16;
        rs->buckets = realloc(rs->buckets, rs->capbuckets * sizeof *rs->buckets);
    }
    et_bucket *b = &rs->buckets[rs->nbuckets++];
    memset(b, 0, sizeof *b);
    b->channel = strdup(ch);
    b->provider = strdup(pr);
    et_lower_ascii(b->channel, strlen(ch));
    et_lower_ascii(b->provider, strlen(pr));
    return b;
}

static void push(et_cand **v, size_t *n, size_t *cap, et_cand c)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].rule == c.rule && (*v)[i].variant == c.variant) return;
    if (*n == *cap) { *cap = *cap ? *cap * 2 : 4; *v = realloc(*v, *cap * sizeof **v); }
    (*v)[(*n)++] = c;
}

static void add_key(et_ruleset *rs, const char *ch, const char *pr, const char *eid, et_cand c)
{
    et_bucket *b = bucket(rs, ch, pr);
    if (!eid) { push(&b->any, &b->nany, &b->capany, c); return; }
    uint32_t id = (uint32_t)strtoul(eid, NULL, 10);
    et_eidlist *l = NULL;
    for (size_t i = 0; i < b->neids && !l; i++)
        if (b->eids[i].eid == id) l = &b->eids[i];
    if (!l) {
        if (b->neids == b->capeids) {
            b->capeids = b->capeids ? b->capeids * 2 : 8;
            b->eids = realloc(b->eids, b->capeids * sizeof *b->eids);
        }
        l = &b->eids[b->neids++];
        memset(l, 0, sizeof *l);
        l->eid = id;
    }
    push(&l->c, &l->n, &l->cap, c);
}

static void index_variant(et_ruleset *rs, uint32_t r, uint32_t vi, const et_variant *v, const ctr *det)
{
    cset ch = {0}, pr = {0}, ev = {0};
    char num[64][12];
    if (v->channel) cs_add(&ch, v->channel); else cs_any(&ch);
    if (v->provider) cs_add(&pr, v->provider); else cs_any(&pr);
    if (v->neids) {
        for (size_t i = 0; i < v->neids && i < 64; i++) {
            snprintf(num[i], sizeof num[i], "%u", v->eids[i]);
            cs_add(&ev, num[i]);
        }
    } else {
        cs_any(&ev);
    }
    cs_and(&ch, &det->chan);
    cs_and(&pr, &det->prov);
    cs_and(&ev, &det->eid);
    size_t nc = ch.any ? 1 : ch.n, np = pr.any ? 1 : pr.n, ne = ev.any ? 1 : ev.n;
    et_cand c = {r, vi};
    for (size_t a = 0; a < nc; a++)
        for (size_t b = 0; b < np; b++)
            for (size_t e = 0; e < ne; e++)
                add_key(rs, ch.any ? "" : ch.v[a], pr.any ? "" : pr.v[b], ev.any ? NULL : ev.v[e], c);
}

static int cmp_eid(const void *a, const void *b)
{
    uint32_t x = ((const et_eidlist *)a)->eid, y = ((const et_eidlist *)b)->eid;
    return x < y ? -1 : x > y;
}

static int cmp_bucket(const void *a, const void *b)
{
    const et_bucket *x = a, *y = b;
    int c = strcmp(x->channel, y->channel);
    return c ? c : strcmp(x->provider, y->provider);
}

void et_index_build(et_ruleset *rs)
{
    for (size_t r = 0; r < rs->nrules; r++) {
        const et_rule *rule = rs->rules[r];
        const struct et_rule_impl *im = rule->impl;
        if (rule->kind != ET_RULE_DETECTION || !im->cond) continue;
        for (size_t v = 0; v < im->nvariants; v++) {
            ctr det;
            cx_ctr(im, im->cond, v, &det);
            index_variant(rs, (uint32_t)r, (uint32_t)v, &im->variants[v], &det);
        }
    }
    for (size_t i = 0; i < rs->nbuckets; i++)
        if (rs->buckets[i].neids) qsort(rs->buckets[i].eids, rs->buckets[i].neids, sizeof *rs->buckets[i].eids, cmp_eid);
    if (rs->nbuckets) qsort(rs->buckets, rs->nbuckets, sizeof *rs->buckets, cmp_bucket);
}

void et_index_free(et_ruleset *rs)
{
    for (size_t i = 0; i < rs->nbuckets; i++) {
        et_bucket *b = &rs->buckets[i];
        for (size_t k = 0; k < b->neids; k++) free(b->eids[k].c);
        free(b->eids);
        free(b->any);
        free(b->channel);
        free(b->provider);
    }
    free(rs->buckets);
}

static const et_bucket *find(const et_ruleset *rs, const char *ch, const char *pr)
{
    et_bucket key = {.channel = (char *)ch, .provider = (char *)pr};
    if (!rs->nbuckets) return NULL;
    return bsearch(&key, rs->buckets, rs->nbuckets, sizeof *rs->buckets, cmp_bucket);
}

size_t et_index_lookup(const et_ruleset *rs, const char *channel, const char *provider, const et_bucket *out[4])
{
    char ch[256], pr[256];
    snprintf(ch, sizeof ch, "%s", channel ? channel : "");
    snprintf(pr, sizeof pr, "%s", provider ? provider : "");
    et_lower_ascii(ch, strlen(ch));
    et_lower_ascii(pr, strlen(pr));
    size_t n = 0;
    const et_bucket *b;
    if (ch[0] && pr[0] && (b = find(rs, ch, pr))) out[n++] = b;
    if (ch[0] && (b = find(rs, ch, ""))) out[n++] = b;
    if (pr[0] && (b = find(rs, "", pr))) out[n++] = b;
    if ((b = find(rs, "", ""))) out[n++] = b;
    return n;
}

const et_cand *et_bucket_cands(const et_bucket *b, uint32_t eid, size_t *n, const et_cand **any, size_t *nany)
{
    *any = b->any;
    *nany = b->nany;
    et_eidlist key = {.eid = eid};
    const et_eidlist *l = !b->neids ? NULL : bsearch(&key, b->eids, b->neids, sizeof *b->eids, cmp_eid);
    *n = l ? l->n : 0;
    return l ? l->c : NULL;
}
