/* correlator.c: collects the matches correlations need (corrstore.c: flat memory, spilled
 * beyond a bound) and, at the end, streams them in time order through each correlation's
 * windows (corrwin.c), which let members go as time moves past them. Correlations built on
 * other correlations run in later passes over the same stream, fed the earlier hits. Results
 * never depend on the order events were added. */
#include "rules/corrstore.h"
#include "rules/corrwin.h"
#include "rules/rule_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVIDENCE 100
#define SWEEP_EVERY 65536     /* items between sweeps of every correlation's windows */

struct et_correlator {
    const et_ruleset *rs;
    cstore *store;
    int64_t max_ts, max_item_ts;
    bool seen, any_item;
    size_t overflowed;        /* members windows let go unevaluated (CWIN_MAX_HELD) */
    bool keep_copies;         /* each copy of a record (the same log in two inputs) is counted */
    size_t copies;            /* copies passed over (every pass reads the same store) */
    int64_t start;            /* events before it were not observed on purpose (INT64_MIN: none) */
};

et_correlator *et_correlator_new(const et_ruleset *rs, size_t cap)
{
    et_correlator *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->rs = rs;
    c->store = cstore_new(cap);
    c->start = INT64_MIN;
    return c;
}

void et_correlator_free(et_correlator *c)
{
    if (!c) return;
    cstore_free(c->store);
    free(c);
}

void et_correlator_keep_copies(et_correlator *c, bool keep) { c->keep_copies = keep; }
void et_correlator_set_start(et_correlator *c, int64_t start) { c->start = start; }
size_t et_correlator_copies(const et_correlator *c) { return c->copies; }

size_t et_correlator_dropped(const et_correlator *c) { return cstore_lost(c->store); }
size_t et_correlator_overflowed(const et_correlator *c) { return c->overflowed; }

void et_correlator_losses(const et_correlator *c, et_loss_fn fn, void *ctx)
{
    char s[256];
    if (et_correlator_dropped(c)) {
        snprintf(s, sizeof s, "%zu match(es) could not be spilled to a temporary file (TMPDIR full?) and were not "
                 "correlated", et_correlator_dropped(c));
        fn(s, true, ctx);
    }
    if (c->overflowed) {
        snprintf(s, sizeof s, "%zu match(es) were let go by correlation windows holding more than %d at once; those "
                 "correlations may be undercounted", c->overflowed, CWIN_MAX_HELD);
        fn(s, false, ctx);
    }
}

static void add_value(et_value_ref *v, size_t *n, size_t cap, const char *name, const char *value)
{
    if (!value || *n >= cap) return;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(v[i].name, name)) return;
    v[(*n)++] = (et_value_ref){name, value};
}

static void note_item_time(et_correlator *c, int64_t ts)
{
    if (!c->any_item || ts > c->max_item_ts) c->max_item_ts = ts;
    c->any_item = true;
}

void et_correlator_add(et_correlator *c, const et_match *m)
{
    const struct et_rule_impl *im = m->rule->impl;
    if (!im->feeds) return;
    const et_event *ev = m->event;
    size_t cap = im->nneed + m->nfields + m->nextracted, n = 0;
    et_value_ref stack[64], *v = cap <= 64 ? stack : malloc(cap * sizeof *v);
    if (!v) abort();
    for (size_t i = 0; i < im->nneed; i++) add_value(v, &n, cap, im->need[i], et_match_value(m, im->need[i]));
    for (size_t i = 0; i < m->nextracted; i++) add_value(v, &n, cap, m->extracted[i].name, m->extracted[i].value);
    for (size_t i = 0; i < m->nfields; i++) add_value(v, &n, cap, m->fields[i].name, m->fields[i].value);
    cstore_add(c->store, citem_new((uint32_t)m->rule->index, ev->timestamp, ev->record_id, ev->event_id, ev->file,
                                   ev->computer, ev->channel, v, n));
    if (v != stack) free(v);
    note_item_time(c, ev->timestamp);
}

void et_correlator_observe(et_correlator *c, const et_event *ev)
{
    if (!c->seen || ev->timestamp > c->max_ts) c->max_ts = ev->timestamp;
    c->seen = true;
}

void et_correlator_merge(et_correlator *dst, et_correlator *src)
{
    cstore_move(dst->store, src->store);
    if (src->seen && (!dst->seen || src->max_ts > dst->max_ts)) dst->max_ts = src->max_ts;
    dst->seen |= src->seen;
    if (src->any_item) note_item_time(dst, src->max_item_ts);
}

/* ---- one pass: the correlations of one chain depth ----------------------------------- */

typedef struct items { citem **v; size_t n, cap; } items;

static void items_push(items *s, citem *it)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        if (!(s->v = realloc(s->v, s->cap * sizeof *s->v))) abort();
    }
    s->v[s->n++] = it;
}

static int qcmp(const void *a, const void *b) { return citem_cmp(*(citem *const *)a, *(citem *const *)b); }

typedef struct target { cwin *w; int slot; } target;

typedef struct pass {
    const et_ruleset *rs;
    int64_t start;            /* et_correlator_set_start */
    et_hit_fn fn;
    void *ctx;
    size_t hits;
    items fed;                /* hits of correlations that others build on */
    cwin **w; size_t nw;
    target **to; size_t *nto; /* per rule index: the windows its members go to */
} pass;

/* The hit stands for its latest member: that member's place and values, plus the group-by
 * values, so correlations built on it can name what it found. */
static void feed_hit(pass *p, const et_corr_hit *h, const citem *last)
{
    size_t n = 0, cap = h->ngroup + last->nvalues;
    et_value_ref *v = malloc((cap ? cap : 1) * sizeof *v);
    if (!v) abort();
    for (size_t g = 0; g < h->ngroup; g++)
        if (h->group[g].value) v[n++] = h->group[g];
    for (size_t i = 0; i < last->nvalues; i++) v[n++] = last->values[i];
    items_push(&p->fed, citem_new((uint32_t)h->rule->index, h->last_time, last->record_id, last->event_id,
                                  last->file, last->computer, last->channel, v, n));
    free(v);
}

static void on_emit(void *vctx, const et_rule *rule, const cwin_member *m, size_t n, uint64_t count)
{
    pass *p = vctx;
    const et_corr *k = rule->impl->corr;
    et_corr_hit h = {.rule = rule, .count = count, .nevents_total = n};
    h.first_time = h.last_time = m[0].it->ts;
    size_t ne = n < MAX_EVIDENCE ? n : MAX_EVIDENCE;
    et_evref *ev = calloc(ne ? ne : 1, sizeof *ev);
    if (!ev) abort();
    for (size_t i = 0; i < n; i++) {
        const citem *it = m[i].it;
        if (it->ts < h.first_time) h.first_time = it->ts;
        if (it->ts > h.last_time) h.last_time = it->ts;
        if (i < ne)
            ev[i] = (et_evref){p->rs->rules[it->rule], it->file, it->computer, it->channel, it->record_id,
                               it->ts, it->event_id, it->values, it->nvalues};
    }
    h.events = ev;
    h.nevents = ne;
    et_value_ref grp[32];
    h.ngroup = k->ngroup < 32 ? k->ngroup : 32;
    for (size_t g = 0; g < h.ngroup; g++)
        grp[g] = (et_value_ref){k->group[g], citem_value(m[0].it, cwin_group_field(k, g, m[0].slot))};
    h.group = grp;
    p->hits++;
    if (p->fn) p->fn(&h, p->ctx);
    if (rule->impl->feeds) feed_hit(p, &h, m[n - 1].it);   /* a chained correlation builds on this hit */
    free(ev);
}

static int slot_of(const et_rule *r, size_t idx)
{
    for (size_t i = 0; i < r->ncorr_rules; i++)
        if (r->corr_rules[i]->index == idx) return (int)i;
    return -1;
}

/* The windows of every correlation at depth d, and which rules feed which; false if none. */
static bool pass_open(pass *p, int d)
{
    const et_ruleset *rs = p->rs;
    p->to = calloc(rs->nrules ? rs->nrules : 1, sizeof *p->to);
    p->nto = calloc(rs->nrules ? rs->nrules : 1, sizeof *p->nto);
    p->w = calloc(rs->nrules ? rs->nrules : 1, sizeof *p->w);
    if (!p->to || !p->nto || !p->w) abort();
    for (size_t i = 0; i < rs->nrules; i++) {
        const et_rule *r = rs->rules[i];
        if (r->kind != ET_RULE_CORRELATION || r->impl->depth != d) continue;
        cwin *w = p->w[p->nw++] = cwin_new(r, on_emit, p);
        cwin_set_start(w, p->start);
        for (size_t s = 0; s < r->ncorr_rules; s++) {
            size_t src = r->corr_rules[s]->index;
            if (slot_of(r, src) != (int)s) continue;   /* a rule listed twice feeds its first slot */
            if (!(p->to[src] = realloc(p->to[src], (p->nto[src] + 1) * sizeof **p->to))) abort();
            p->to[src][p->nto[src]++] = (target){w, (int)s};
        }
    }
    return p->nw > 0;
}

static void pass_close(pass *p, int64_t end_of_input, size_t *overflowed)
{
    for (size_t i = 0; i < p->nw; i++) {   /* in rule order */
        cwin_finish(p->w[i], end_of_input);
        *overflowed += cwin_overflowed(p->w[i]);
        cwin_free(p->w[i]);
    }
    for (size_t i = 0; i < p->rs->nrules; i++) free(p->to[i]);
    free(p->to);
    free(p->nto);
    free(p->w);
}

static void dispatch(pass *p, citem *it, size_t *seen)
{
    if (it->rule < p->rs->nrules)
        for (size_t i = 0; i < p->nto[it->rule]; i++) cwin_add(p->to[it->rule][i].w, it, p->to[it->rule][i].slot);
    if (++*seen % SWEEP_EVERY == 0)
        for (size_t i = 0; i < p->nw; i++) cwin_expire(p->w[i], it->ts);
}

/* The stored matches merged with the hits of earlier depths (fed, sorted), in time order. A
 * match of a record already dispatched (its copy in another input, which evaluation order puts
 * right after it) is passed over unless copies are kept; returns how many were. */
static size_t pass_run(pass *p, cstore *store, const items *fed, bool keep_copies)
{
    cstore_iter *iter = cstore_iter_new(store);
    citem *base = cstore_iter_next(iter), *prev = NULL;
    size_t f = 0, seen = 0, copies = 0;
    while (base || f < fed->n) {
        if (base && (f == fed->n || citem_cmp(base, fed->v[f]) <= 0)) {
            if (!keep_copies && prev && citem_same_record(prev, base)) copies++;
            else dispatch(p, base, &seen);
            if (prev) citem_unref(prev);
            prev = base;
            base = cstore_iter_next(iter);
        } else {
            dispatch(p, fed->v[f++], &seen);
        }
    }
    if (prev) citem_unref(prev);
    cstore_iter_free(iter);
    return copies;
}

size_t et_correlator_finish(et_correlator *c, et_hit_fn fn, void *ctx)
{
    const et_ruleset *rs = c->rs;
    int64_t end_of_input = c->seen ? c->max_ts : c->max_item_ts;
    int maxdepth = 0;
    for (size_t i = 0; i < rs->nrules; i++)
        if (rs->rules[i]->impl->depth > maxdepth) maxdepth = rs->rules[i]->impl->depth;
    size_t hits = 0;
    items fed = {0};
    for (int d = 1; d <= maxdepth; d++) {
        pass p = {.rs = rs, .start = c->start, .fn = fn, .ctx = ctx};
        if (pass_open(&p, d)) {
            size_t copies = pass_run(&p, c->store, &fed, c->keep_copies);
            if (copies > c->copies) c->copies = copies;   /* each pass reads the same store */
        }
        pass_close(&p, end_of_input, &c->overflowed);
        hits += p.hits;
        for (size_t i = 0; i < p.fed.n; i++) items_push(&fed, p.fed.v[i]);   /* visible to the next depth */
        free(p.fed.v);
        if (fed.n) qsort(fed.v, fed.n, sizeof *fed.v, qcmp);
    }
    for (size_t i = 0; i < fed.n; i++) citem_unref(fed.v[i]);
    free(fed.v);
    return hits;
}
