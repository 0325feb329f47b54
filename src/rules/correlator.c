/* correlator.c: keeps the matches correlations need (bounded), then sorts them by time and
 * evaluates every correlation at the end, so results never depend on input order. */
#include "rules/rule_int.h"
#include <stdlib.h>
#include <string.h>

#define MAX_EVIDENCE 100

typedef struct citem {
    uint32_t rule;            /* rule set index of the detection or correlation that produced it */
    int64_t ts;
    const char *file, *computer, *channel;
    uint64_t record_id;
    uint32_t event_id;
    et_value_ref *values; size_t nvalues;
} citem;

struct et_correlator {
    const et_ruleset *rs;
    et_arena arena;
    const char **interned; size_t ninterned, capinterned;   /* file, host, channel, field names */
    citem *items; size_t n, cap, limit, dropped;
    int64_t max_ts;
    bool seen;
};

et_correlator *et_correlator_new(const et_ruleset *rs, size_t cap)
{
    et_correlator *c = calloc(1, sizeof *c);
    c->rs = rs;
    c->limit = cap ? cap : 150000;
    c->arena.block_size = 1 << 16;
    return c;
}

void et_correlator_free(et_correlator *c)
{
    if (!c) return;
    et_arena_free(&c->arena);
    free(c->interned);
    free(c->items);
    free(c);
}

size_t et_correlator_dropped(const et_correlator *c) { return c->dropped; }

static const char *keep(et_correlator *c, const char *s)
{
    return s ? et_arena_strndup(&c->arena, s, strlen(s)) : NULL;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* One copy of each repeated string (file names, hosts, channels, field names): they are few,
 * the items many. */
static const char *intern(et_correlator *c, const char *s)
{
    if (!s) return NULL;
    if ((c->ninterned + 1) * 2 > c->capinterned) {
        size_t cap = c->capinterned ? c->capinterned * 2 : 256;
        const char **v = calloc(cap, sizeof *v);
        if (!v) abort();
        for (size_t i = 0; i < c->capinterned; i++)
            if (c->interned[i]) {
                size_t j = str_hash(c->interned[i]) & (cap - 1);
                while (v[j]) j = (j + 1) & (cap - 1);
                v[j] = c->interned[i];
            }
        free(c->interned);
        c->interned = v;
        c->capinterned = cap;
    }
    size_t j = str_hash(s) & (c->capinterned - 1);
    for (; c->interned[j]; j = (j + 1) & (c->capinterned - 1))
        if (!strcmp(c->interned[j], s)) return c->interned[j];
    c->ninterned++;
    return c->interned[j] = keep(c, s);
}

static citem *push(et_correlator *c)
{
    if (c->n >= c->limit) { c->dropped++; return NULL; }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->items = realloc(c->items, c->cap * sizeof *c->items);
    }
    citem *it = &c->items[c->n++];
    memset(it, 0, sizeof *it);
    return it;
}

static void add_value(et_correlator *c, citem *it, size_t cap, const char *name, const char *value)
{
    if (!value || it->nvalues >= cap) return;
    for (size_t i = 0; i < it->nvalues; i++)
        if (!strcmp(it->values[i].name, name)) return;
    it->values[it->nvalues++] = (et_value_ref){intern(c, name), keep(c, value)};
}

void et_correlator_add(et_correlator *c, const et_match *m)
{
    const struct et_rule_impl *im = m->rule->impl;
    if (!im->feeds) return;
    citem *it = push(c);
    if (!it) return;
    const et_event *ev = m->event;
    it->rule = (uint32_t)m->rule->index;
    it->ts = ev->timestamp;
    it->file = intern(c, ev->file);
    it->computer = intern(c, ev->computer);
    it->channel = intern(c, ev->channel);
    it->record_id = ev->record_id;
    it->event_id = ev->event_id;
    size_t cap = im->nneed + m->nfields + m->nextracted;
    it->values = et_arena_alloc(&c->arena, (cap ? cap : 1) * sizeof *it->values);
    for (size_t i = 0; i < im->nneed; i++) add_value(c, it, cap, im->need[i], et_match_value(m, im->need[i]));
    for (size_t i = 0; i < m->nextracted; i++) add_value(c, it, cap, m->extracted[i].name, m->extracted[i].value);
    for (size_t i = 0; i < m->nfields; i++) add_value(c, it, cap, m->fields[i].name, m->fields[i].value);
}

void et_correlator_observe(et_correlator *c, const et_event *ev)
{
    if (!c->seen || ev->timestamp > c->max_ts) c->max_ts = ev->timestamp;
    c->seen = true;
}

void et_correlator_merge(et_correlator *dst, et_correlator *src)
{
    for (size_t i = 0; i < src->n; i++) {
        citem *it = push(dst);
        if (!it) continue;
        *it = src->items[i];
        it->file = intern(dst, it->file);
        it->computer = intern(dst, it->computer);
        it->channel = intern(dst, it->channel);
        et_value_ref *v = et_arena_alloc(&dst->arena, (it->nvalues ? it->nvalues : 1) * sizeof *v);
        for (size_t k = 0; k < it->nvalues; k++) v[k] = (et_value_ref){intern(dst, it->values[k].name), keep(dst, it->values[k].value)};
        it->values = v;
    }
    dst->dropped += src->dropped;
    if (src->seen && (!dst->seen || src->max_ts > dst->max_ts)) dst->max_ts = src->max_ts;
    dst->seen |= src->seen;
    src->n = 0;
}

static int cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

/* Total order independent of arrival: time, rule, file, record, computer. */
static int cmp_item(const citem *a, const citem *b)
{
    if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
    if (a->rule != b->rule) return a->rule < b->rule ? -1 : 1;
    int c = cmp_str(a->file, b->file);
    if (c) return c;
    if (a->record_id != b->record_id) return a->record_id < b->record_id ? -1 : 1;
    return cmp_str(a->computer, b->computer);
}

static int qcmp_item(const void *a, const void *b) { return cmp_item(a, b); }

static const char *item_value(const citem *it, const char *name)
{
    for (size_t i = 0; i < it->nvalues; i++)
        if (!strcmp(it->values[i].name, name)) return it->values[i].value;
    if (!strcmp(name, "Computer") || !strcmp(name, "ComputerName") || !strcmp(name, "Hostname")) return it->computer;
    return NULL;
}

/* ---- evaluation ---------------------------------------------------------------------- */

typedef struct member { const citem *it; const char *key; int ruleslot; } member;

typedef struct evalctx {
    et_correlator *c;
    const et_rule *rule;
    const et_corr *k;
    et_hit_fn fn;
    void *ctx;
    size_t hits;
    citem *newitems; size_t nnew, capnew;   /* hits of correlations others build on */
    char **groupvals;
} evalctx;

static int slot_of(const et_rule *r, uint32_t idx)
{
    for (size_t i = 0; i < r->ncorr_rules; i++)
        if (r->corr_rules[i]->index == idx) return (int)i;
    return -1;
}

static const char *group_field(const et_corr *k, size_t g, int slot)
{
    const char *name = k->group[g];
    for (size_t a = 0; a < k->naliases; a++)
        if (!strcmp(k->aliases[a].name, name) && k->aliases[a].per_rule[slot]) return k->aliases[a].per_rule[slot];
    return name;
}

/* Group key "v1\x1fv2..." or NULL when a group-by value is missing (the event is left out). */
static char *group_key(et_correlator *c, const et_corr *k, const citem *it, int slot)
{
    size_t len = 1;
    for (size_t g = 0; g < k->ngroup; g++) {
        const char *v = item_value(it, group_field(k, g, slot));
        if (!v) return NULL;
        len += strlen(v) + 1;
    }
    char *key = et_arena_alloc(&c->arena, len), *p = key;
    for (size_t g = 0; g < k->ngroup; g++) {
        const char *v = item_value(it, group_field(k, g, slot));
        size_t n = strlen(v);
        memcpy(p, v, n);
        et_lower_ascii(p, n);   /* Windows names compare case-insensitively */
        p += n;
        *p++ = '\x1f';
    }
    *p = 0;
    return key;
}

static int cmp_member(const void *a, const void *b)
{
    const member *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : cmp_item(x->it, y->it);
}

static bool cond_ok(const et_corr *k, int64_t n, bool dflt)
{
    bool any = false;
    if (k->has_cond[0]) { any = true; if (!(n > k->cond[0])) return false; }
    if (k->has_cond[1]) { any = true; if (!(n >= k->cond[1])) return false; }
    if (k->has_cond[2]) { any = true; if (!(n < k->cond[2])) return false; }
    if (k->has_cond[3]) { any = true; if (!(n <= k->cond[3])) return false; }
    if (k->has_cond[4]) { any = true; if (!(n == k->cond[4])) return false; }
    return any || dflt;
}

static bool has_cond(const et_corr *k)
{
    return k->has_cond[0] || k->has_cond[1] || k->has_cond[2] || k->has_cond[3] || k->has_cond[4];
}

static void emit(evalctx *e, member *m, const size_t *idx, size_t nidx, uint64_t count)
{
    et_corr_hit h = {.rule = e->rule, .count = count, .nevents_total = nidx};
    const citem *first = m[idx[0]].it;
    h.first_time = first->ts;
    h.last_time = first->ts;
    size_t ne = nidx < MAX_EVIDENCE ? nidx : MAX_EVIDENCE;
    et_evref *ev = calloc(ne ? ne : 1, sizeof *ev);
    for (size_t i = 0; i < nidx; i++) {
        const citem *it = m[idx[i]].it;
        if (it->ts < h.first_time) h.first_time = it->ts;
        if (it->ts > h.last_time) h.last_time = it->ts;
        if (i < ne)
            ev[i] = (et_evref){e->c->rs->rules[it->rule], it->file, it->computer, it->channel, it->record_id,
                               it->ts, it->event_id, it->values, it->nvalues};
    }
    h.events = ev;
    h.nevents = ne;
    et_value_ref grp[32];
    h.ngroup = e->k->ngroup < 32 ? e->k->ngroup : 32;
    for (size_t g = 0; g < h.ngroup; g++)
        grp[g] = (et_value_ref){e->k->group[g], item_value(first, group_field(e->k, g, m[idx[0]].ruleslot))};
    h.group = grp;
    e->hits++;
    if (e->fn) e->fn(&h, e->ctx);
    if (e->rule->impl->feeds) {   /* a chained correlation builds on this hit */
        if (e->nnew == e->capnew) {
            e->capnew = e->capnew ? e->capnew * 2 : 64;
            e->newitems = realloc(e->newitems, e->capnew * sizeof *e->newitems);
        }
        /* The hit stands for its latest record: that record's place and values, plus the
         * group-by values, so correlations built on it can name what it found. */
        const citem *last = m[idx[nidx - 1]].it;
        citem *it = &e->newitems[e->nnew++];
        memset(it, 0, sizeof *it);
        it->rule = (uint32_t)e->rule->index;
        it->ts = h.last_time;
        it->file = last->file;
        it->computer = last->computer;
        it->channel = last->channel;
        it->record_id = last->record_id;
        it->event_id = last->event_id;
        it->values = et_arena_alloc(&e->c->arena, (h.ngroup + last->nvalues + 1) * sizeof *it->values);
        for (size_t g = 0; g < h.ngroup; g++)
            if (grp[g].value) it->values[it->nvalues++] = (et_value_ref){grp[g].name, grp[g].value};
        for (size_t v = 0; v < last->nvalues; v++) it->values[it->nvalues++] = last->values[v];
    }
    free(ev);
}


/* Windows are anchored at each event and include both ends: an event exactly `timespan` after
 * the anchor is inside. After a hit the next window starts after the hit's last event. */
static void run_event_count(evalctx *e, member *m, size_t g0, size_t g1)
{
    int64_t T = e->k->timespan;
    size_t *idx = malloc((g1 - g0) * sizeof *idx);
    for (size_t i = g0, j = g0; i < g1;) {
        if (j < i) j = i;
        while (j + 1 < g1 && m[j + 1].it->ts - m[i].it->ts <= T) j++;
        if (cond_ok(e->k, (int64_t)(j - i + 1), false)) {
            for (size_t k = i; k <= j; k++) idx[k - i] = k;
            emit(e, m, idx, j - i + 1, j - i + 1);
            i = j + 1;
        } else {
            i++;
        }
    }
    free(idx);
}

/* Counts of distinct values (case-insensitive) in a sliding window: open addressing. */
typedef struct vslot { const char *v; uint64_t h; size_t n; } vslot;
typedef struct vcount { vslot *t; size_t cap, distinct; } vcount;

static uint64_t ihash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint64_t)(unsigned char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s)) * 1099511628211ull;
    return h;
}

static vslot *vc_slot(vcount *c, const char *v, uint64_t h)
{
    for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1))
        if (!c->t[i].v || (c->t[i].h == h && !strcasecmp(c->t[i].v, v))) return &c->t[i];
}

static void vc_add(vcount *c, const char *v, int delta)
{
    if (!v) return;
    uint64_t h = ihash(v);
    vslot *s = vc_slot(c, v, h);
    if (!s->v) { s->v = v; s->h = h; }
    if (delta > 0 && s->n++ == 0) c->distinct++;
    if (delta < 0 && --s->n == 0) c->distinct--;   /* the slot stays (tombstone with n = 0) */
}

static void run_value_count(evalctx *e, member *m, size_t g0, size_t g1)
{
    int64_t T = e->k->timespan;
    vcount vc = {.cap = 16};
    while (vc.cap < 2 * (g1 - g0)) vc.cap *= 2;
    vc.t = calloc(vc.cap, sizeof *vc.t);
    size_t *idx = malloc((g1 - g0) * sizeof *idx);
    size_t j = g0;   /* window is [i, j) */
    for (size_t i = g0; i < g1;) {
        while (j < g1 && m[j].it->ts - m[i].it->ts <= T) vc_add(&vc, item_value(m[j++].it, e->k->field), 1);
        if (cond_ok(e->k, (int64_t)vc.distinct, false)) {
            for (size_t k = i; k < j; k++) idx[k - i] = k;
            emit(e, m, idx, j - i, vc.distinct);
            for (; i < j; i++) vc_add(&vc, item_value(m[i].it, e->k->field), -1);
            continue;
        }
        vc_add(&vc, item_value(m[i].it, e->k->field), -1);
        i++;
    }
    free(vc.t);
    free(idx);
}

static void run_temporal(evalctx *e, member *m, size_t g0, size_t g1)
{
    int64_t T = e->k->timespan;
    size_t nr = e->rule->ncorr_rules;
    size_t *cnt = calloc(nr, sizeof *cnt), *idx = malloc((g1 - g0) * sizeof *idx);
    size_t distinct = 0;
    size_t j = g0;   /* window is [i, j) */
    for (size_t i = g0; i < g1;) {
        while (j < g1 && m[j].it->ts - m[i].it->ts <= T) {
            if (cnt[m[j].ruleslot]++ == 0) distinct++;
            j++;
        }
        bool ok = has_cond(e->k) ? cond_ok(e->k, (int64_t)distinct, false) : distinct == nr;
        if (ok) {
            for (size_t k = i; k < j; k++) idx[k - i] = k;
            emit(e, m, idx, j - i, distinct);
            memset(cnt, 0, nr * sizeof *cnt);
            distinct = 0;
            i = j;
            continue;
        }
        if (--cnt[m[i].ruleslot] == 0) distinct--;
        i++;
    }
    free(cnt);
    free(idx);
}

/* First index in [g0, g1) whose time is >= t (members of a group are in time order). */
static size_t lower_bound(const member *m, size_t g0, size_t g1, int64_t t)
{
    while (g0 < g1) {
        size_t mid = g0 + (g1 - g0) / 2;
        if (m[mid].it->ts < t) g0 = mid + 1;
        else g1 = mid;
    }
    return g0;
}

/* First member of rule slot s usable after prev (clock skew allowed), within the window. */
static size_t next_in_order(const evalctx *e, member *m, size_t g0, size_t g1, int s, size_t prev, int64_t end,
                            const size_t *chain, size_t nchain)
{
    int64_t from = m[prev].it->ts - e->k->skew;
    for (size_t q = lower_bound(m, g0, g1, from); q < g1 && m[q].it->ts <= end; q++) {
        if (m[q].ruleslot != s || m[q].it->ts < from) continue;
        bool used = false;
        for (size_t c = 0; c < nchain && !used; c++) used = chain[c] == q;
        if (!used) return q;
    }
    return (size_t)-1;
}

static void run_ordered(evalctx *e, member *m, size_t g0, size_t g1)
{
    size_t nr = e->rule->ncorr_rules;
    size_t *chain = malloc(nr * sizeof *chain);
    size_t next_anchor = g0;
    for (size_t i = g0; i < g1; i++) {
        if (i < next_anchor || m[i].ruleslot != 0) continue;
        int64_t end = m[i].it->ts + e->k->timespan;
        size_t n = 1;
        chain[0] = i;
        for (size_t s = 1; s < nr; s++) {
            size_t q = next_in_order(e, m, g0, g1, (int)s, chain[n - 1], end, chain, n);
            if (q == (size_t)-1) break;
            chain[n++] = q;
        }
        if (n < nr) continue;
        emit(e, m, chain, n, n);
        size_t last = i;
        for (size_t k = 0; k < n; k++) if (chain[k] > last) last = chain[k];
        next_anchor = last + 1;
    }
    free(chain);
}

/* `absent`: rule 0 with no rule 1 in the group within [t - skew, t + timespan]; undecided (no hit)
 * when the input ends before t + timespan. */
static void run_absent(evalctx *e, member *m, size_t g0, size_t g1)
{
    int64_t end_of_input = e->c->max_ts;
    for (size_t i = g0; i < g1; i++) {
        if (m[i].ruleslot != 0) continue;
        int64_t t = m[i].it->ts, lo = t - e->k->skew, hi = t + e->k->timespan;
        bool answered = false;
        for (size_t q = lower_bound(m, g0, g1, lo); q < g1 && m[q].it->ts <= hi && !answered; q++)
            answered = m[q].ruleslot == 1;
        if (answered || end_of_input < hi) continue;
        emit(e, m, &i, 1, 1);
    }
}

static void eval_correlation(evalctx *e)
{
    et_correlator *c = e->c;
    member *m = malloc((c->n ? c->n : 1) * sizeof *m);
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) {
        int slot = slot_of(e->rule, c->items[i].rule);
        if (slot < 0) continue;
        char *key = group_key(c, e->k, &c->items[i], slot);
        if (!key) continue;   /* a group-by value is missing: the event cannot be grouped */
        m[n++] = (member){&c->items[i], key, slot};
    }
    if (n) qsort(m, n, sizeof *m, cmp_member);
    for (size_t g0 = 0, g1; g0 < n; g0 = g1) {
        for (g1 = g0 + 1; g1 < n && !strcmp(m[g1].key, m[g0].key);) g1++;
        switch (e->k->type) {
        case ET_CORR_EVENT_COUNT: run_event_count(e, m, g0, g1); break;
        case ET_CORR_VALUE_COUNT: run_value_count(e, m, g0, g1); break;
        case ET_CORR_TEMPORAL: run_temporal(e, m, g0, g1); break;
        case ET_CORR_TEMPORAL_ORDERED: run_ordered(e, m, g0, g1); break;
        case ET_CORR_ABSENT: run_absent(e, m, g0, g1); break;
        }
    }
    free(m);
}

size_t et_correlator_finish(et_correlator *c, et_hit_fn fn, void *ctx)
{
    if (c->n) qsort(c->items, c->n, sizeof *c->items, qcmp_item);
    if (!c->seen && c->n) c->max_ts = c->items[c->n - 1].ts;
    const et_ruleset *rs = c->rs;
    int maxdepth = 0;
    for (size_t i = 0; i < rs->nrules; i++)
        if (rs->rules[i]->impl->depth > maxdepth) maxdepth = rs->rules[i]->impl->depth;
    size_t hits = 0;
    for (int d = 1; d <= maxdepth; d++) {
        evalctx e = {.c = c, .fn = fn, .ctx = ctx};
        for (size_t i = 0; i < rs->nrules; i++) {
            const et_rule *r = rs->rules[i];
            if (r->kind != ET_RULE_CORRELATION || r->impl->depth != d) continue;
            e.rule = r;
            e.k = r->impl->corr;
            eval_correlation(&e);
        }
        hits += e.hits;
        for (size_t i = 0; i < e.nnew; i++) {   /* make chained hits visible to the next depth */
            citem *it = push(c);
            if (it) *it = e.newitems[i];
        }
        free(e.newitems);
        if (e.nnew) qsort(c->items, c->n, sizeof *c->items, qcmp_item);
    }
    return hits;
}
