/* corrwin.c: per-group sliding windows for event_count, value_count, temporal, temporal_ordered
 * and absent, evaluated as time moves past them (see corrwin.h). Windows are anchored at each
 * member and include both ends: a member exactly `timespan` after the anchor is inside. After
 * a hit the next window starts after the hit's last member. */
#include "rules/corrwin.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Distinct values (case-insensitive) in a window: open addressing; a value whose count drops
 * to 0 keeps its slot until the table is rebuilt. Strings are copies (members come and go). */
typedef struct vslot { char *v; uint64_t h; size_t n; } vslot;
typedef struct vcount { vslot *t; size_t cap, used, distinct; } vcount;

typedef struct group {
    struct group *next;       /* hash chain */
    char *key;
    uint64_t hash;
    cwin_member *q;           /* ring: members base .. base + n - 1 (absolute indexes) */
    size_t cap, head, n;
    uint64_t base, total;     /* total: members ever added */
    uint64_t anchor;          /* next member to evaluate as an anchor */
    uint64_t j;               /* event_count: last member inside; value_count, temporal: end of window */
    uint64_t next_anchor;     /* temporal_ordered: members before it are used up as anchors */
    size_t *cnt, distinct;    /* temporal: members per rule slot in the window */
    vcount vc;                /* value_count */
} group;

struct cwin {
    size_t max_held;          /* the bound on members held (CWIN_MAX_HELD unless a test sets it) */
    size_t overflowed;        /* members let go unevaluated to stay within it */
    const et_rule *rule;
    const et_corr *k;
    size_t nr;                /* rules in the correlation */
    cwin_emit_fn emit;
    void *ctx;
    group **b; size_t nb, ngroups;
    size_t held, adds;        /* adds since the last sweep */
    char *key; size_t keycap;
    cwin_member *tmp; size_t tmpcap;
    uint64_t *chain;
    int64_t end_of_input;
    int64_t start;            /* cwin_set_start */
};

/* ---- time, without overflow (damaged records carry any 64-bit time) ------------------ */

/* b is more than T after a. */
static bool past(int64_t a, int64_t b, int64_t T)
{
    int64_t d;
    if (__builtin_sub_overflow(b, a, &d)) return b > a;
    return d > T;
}

static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

/* ---- distinct values ----------------------------------------------------------------- */

static uint64_t ihash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint64_t)(unsigned char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s)) * 1099511628211ull;
    return h;
}

static vslot *vc_slot(vslot *t, size_t cap, const char *v, uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!t[i].v || (t[i].h == h && !strcasecmp(t[i].v, v))) return &t[i];
}

static void vc_rebuild(vcount *c)
{
    size_t cap = 16;
    while (cap < (c->distinct + 1) * 4) cap *= 2;
    vslot *t = calloc(cap, sizeof *t);
    if (!t) abort();
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->t[i].v) continue;
        if (c->t[i].n) *vc_slot(t, cap, c->t[i].v, c->t[i].h) = c->t[i];
        else free(c->t[i].v);
    }
    free(c->t);
    c->t = t;
    c->cap = cap;
    c->used = c->distinct;
}

static void vc_add(vcount *c, const char *v, int delta)
{
    if (!v) return;
    if ((c->used + 1) * 2 > c->cap) vc_rebuild(c);
    uint64_t h = ihash(v);
    vslot *s = vc_slot(c->t, c->cap, v, h);
    if (!s->v) {
        if (delta < 0) return;
        if (!(s->v = strdup(v))) abort();
        s->h = h;
        c->used++;
    }
    if (delta > 0 && s->n++ == 0) c->distinct++;
    if (delta < 0 && s->n && --s->n == 0) c->distinct--;
}

static void vc_free(vcount *c)
{
    for (size_t i = 0; i < c->cap; i++) free(c->t[i].v);
    free(c->t);
}

/* ---- groups -------------------------------------------------------------------------- */

static cwin_member *at(const group *g, uint64_t i) { return &g->q[(g->head + (size_t)(i - g->base)) % g->cap]; }
static int64_t ts_of(const group *g, uint64_t i) { return at(g, i)->it->ts; }

static void push(cwin *w, group *g, citem *it, int slot)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        cwin_member *q = malloc(cap * sizeof *q);
        if (!q) abort();
        for (size_t i = 0; i < g->n; i++) q[i] = g->q[(g->head + i) % g->cap];
        free(g->q);
        g->q = q;
        g->cap = cap;
        g->head = 0;
    }
    g->q[(g->head + g->n++) % g->cap] = (cwin_member){citem_ref(it), slot};
    g->total++;
    w->held++;
}

/* Lets go of the members before index i. */
static void drop_before(cwin *w, group *g, uint64_t i)
{
    while (g->base < i && g->n) {
        citem_unref(g->q[g->head].it);
        g->head = (g->head + 1) % g->cap;
        g->base++;
        g->n--;
        w->held--;
    }
}

static void group_free(cwin *w, group *g)
{
    drop_before(w, g, g->base + g->n);
    free(g->q);
    free(g->cnt);
    vc_free(&g->vc);
    free(g->key);
    free(g);
}

const char *cwin_group_field(const et_corr *k, size_t g, int slot)
{
    const char *name = k->group[g];
    for (size_t a = 0; a < k->naliases; a++)
        if (!strcmp(k->aliases[a].name, name) && k->aliases[a].per_rule[slot]) return k->aliases[a].per_rule[slot];
    return name;
}

/* The group key "v1\x1fv2\x1f..." (lower-cased: Windows names compare case-insensitively) in
 * w->key; false when a group-by value is missing. */
static bool make_key(cwin *w, const citem *it, int slot)
{
    size_t len = 1;
    for (size_t g = 0; g < w->k->ngroup; g++) {
        const char *v = citem_value(it, cwin_group_field(w->k, g, slot));
        if (!v) return false;
        len += strlen(v) + 1;
    }
    if (len > w->keycap) {
        w->keycap = len * 2;
        if (!(w->key = realloc(w->key, w->keycap))) abort();
    }
    char *p = w->key;
    for (size_t g = 0; g < w->k->ngroup; g++) {
        const char *v = citem_value(it, cwin_group_field(w->k, g, slot));
        size_t n = strlen(v);
        memcpy(p, v, n);
        et_lower_ascii(p, n);
        p += n;
        *p++ = '\x1f';
    }
    *p = 0;
    return true;
}

static void rehash(cwin *w)
{
    size_t nb = w->nb ? w->nb * 2 : 64;
    group **b = calloc(nb, sizeof *b);
    if (!b) abort();
    for (size_t i = 0; i < w->nb; i++)
        for (group *g = w->b[i], *next; g; g = next) {
            next = g->next;
            g->next = b[g->hash & (nb - 1)];
            b[g->hash & (nb - 1)] = g;
        }
    free(w->b);
    w->b = b;
    w->nb = nb;
}

static group *find_group(cwin *w)
{
    uint64_t h = ihash(w->key);   /* the key is lower-cased already */
    if (w->nb)
        for (group *g = w->b[h & (w->nb - 1)]; g; g = g->next)
            if (g->hash == h && !strcmp(g->key, w->key)) return g;
    if (w->ngroups + 1 > w->nb) rehash(w);
    group *g = calloc(1, sizeof *g);
    if (!g || !(g->key = strdup(w->key))) abort();
    g->hash = h;
    if (w->k->type == ET_CORR_TEMPORAL && !(g->cnt = calloc(w->nr, sizeof *g->cnt))) abort();
    g->next = w->b[h & (w->nb - 1)];
    w->b[h & (w->nb - 1)] = g;
    w->ngroups++;
    return g;
}

/* ---- conditions and hits ------------------------------------------------------------- */

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

static cwin_member *scratch(cwin *w, size_t n)
{
    if (n > w->tmpcap) {
        w->tmpcap = n * 2;
        if (!(w->tmp = realloc(w->tmp, w->tmpcap * sizeof *w->tmp))) abort();
    }
    return w->tmp;
}

/* Members [i, j) make a hit. */
static void emit_range(cwin *w, group *g, uint64_t i, uint64_t j, uint64_t count)
{
    cwin_member *m = scratch(w, (size_t)(j - i));
    for (uint64_t k = i; k < j; k++) m[k - i] = *at(g, k);
    w->emit(w->ctx, w->rule, m, (size_t)(j - i), count);
}

/* ---- the five kinds: evaluate the windows that are complete (all of them when final) -- */

static void eval_event_count(cwin *w, group *g, int64_t now, bool final)
{
    int64_t T = w->k->timespan;
    uint64_t i = g->anchor, j = g->j;
    while (i < g->total) {
        int64_t ti = ts_of(g, i);
        if (!final && !past(ti, now, T)) break;
        if (j < i) j = i;
        while (j + 1 < g->total && !past(ti, ts_of(g, j + 1), T)) j++;
        if (cond_ok(w->k, (int64_t)(j - i + 1), false)) {
            emit_range(w, g, i, j + 1, j - i + 1);
            i = j + 1;
        } else {
            i++;
        }
    }
    g->anchor = i;
    g->j = j;
    drop_before(w, g, i);
}

/* value_count and temporal: what the window [i, j) counts (distinct values of the field, or
 * distinct rules) as members come in and go. */
static void window_enter(cwin *w, group *g, uint64_t k)
{
    if (w->k->type == ET_CORR_VALUE_COUNT) vc_add(&g->vc, citem_value(at(g, k)->it, w->k->field), 1);
    else if (g->cnt[at(g, k)->slot]++ == 0) g->distinct++;
}

static void window_leave(cwin *w, group *g, uint64_t k)
{
    if (w->k->type == ET_CORR_VALUE_COUNT) vc_add(&g->vc, citem_value(at(g, k)->it, w->k->field), -1);
    else if (--g->cnt[at(g, k)->slot] == 0) g->distinct--;
}

static bool window_ok(const cwin *w, uint64_t n)
{
    if (w->k->type == ET_CORR_TEMPORAL && !has_cond(w->k)) return n == w->nr;   /* all the rules */
    return cond_ok(w->k, (int64_t)n, false);
}

static void eval_window(cwin *w, group *g, int64_t now, bool final)
{
    int64_t T = w->k->timespan;
    uint64_t i = g->anchor, j = g->j;   /* the window is [i, j) */
    while (i < g->total) {
        int64_t ti = ts_of(g, i);
        if (!final && !past(ti, now, T)) break;
        for (; j < g->total && !past(ti, ts_of(g, j), T); j++) window_enter(w, g, j);
        uint64_t n = w->k->type == ET_CORR_VALUE_COUNT ? g->vc.distinct : g->distinct;
        if (window_ok(w, n)) {
            emit_range(w, g, i, j, n);
            for (; i < j; i++) window_leave(w, g, i);
            continue;
        }
        window_leave(w, g, i++);
    }
    g->anchor = i;
    g->j = j;
    drop_before(w, g, i);
}

/* First index held whose time is >= t (a group's members are in time order). */
static uint64_t lower_bound(const group *g, int64_t t)
{
    uint64_t lo = g->base, hi = g->base + g->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ts_of(g, mid) < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* First member of rule slot s usable after prev (clock skew allowed), within the window. */
static uint64_t next_in_order(const cwin *w, const group *g, int s, uint64_t prev, int64_t end, size_t nchain)
{
    int64_t from = sat_add(ts_of(g, prev), -w->k->skew);
    for (uint64_t q = lower_bound(g, from); q < g->total && ts_of(g, q) <= end; q++) {
        if (at(g, q)->slot != s) continue;
        bool used = false;
        for (size_t c = 0; c < nchain && !used; c++) used = w->chain[c] == q;
        if (!used) return q;
    }
    return UINT64_MAX;
}

/* Keeps what a later anchor may still reach back to: members up to `reach` before the next
 * anchor (or before now, when every member has been an anchor). */
static void drop_unreachable(cwin *w, group *g, uint64_t p, int64_t now, int64_t reach)
{
    int64_t lowest = sat_add(p < g->total ? ts_of(g, p) : now, -reach);
    uint64_t i = g->base;
    while (i < p && ts_of(g, i) < lowest) i++;
    drop_before(w, g, i);
}

static void eval_ordered(cwin *w, group *g, int64_t now, bool final)
{
    const et_corr *k = w->k;
    uint64_t p = g->anchor;
    for (; p < g->total; p++) {
        if (p < g->next_anchor || at(g, p)->slot != 0) continue;
        if (!final && !past(ts_of(g, p), now, k->timespan)) break;
        int64_t end = sat_add(ts_of(g, p), k->timespan);
        size_t n = 1;
        w->chain[0] = p;
        for (size_t s = 1; s < w->nr; s++) {
            uint64_t q = next_in_order(w, g, (int)s, w->chain[n - 1], end, n);
            if (q == UINT64_MAX) break;
            w->chain[n++] = q;
        }
        if (n < w->nr) continue;
        cwin_member *m = scratch(w, n);
        uint64_t last = p;
        for (size_t c = 0; c < n; c++) {
            m[c] = *at(g, w->chain[c]);
            if (w->chain[c] > last) last = w->chain[c];
        }
        w->emit(w->ctx, w->rule, m, n, n);
        g->next_anchor = last + 1;
    }
    g->anchor = p;
    int64_t reach = k->skew > 0 && w->nr > 1 ? (k->skew > INT64_MAX / (int64_t)(w->nr - 1) ? INT64_MAX : k->skew * (int64_t)(w->nr - 1)) : 0;
    drop_unreachable(w, g, p, now, reach);
}

/* `absent`: rule 0 with no rule 1 in the group within [t - skew, t + timespan]; undecided (no
 * hit) when the input ends before t + timespan (unless at_end: absent), or starts
 * (cwin_set_start) after t - skew. */
static void eval_absent(cwin *w, group *g, int64_t now, bool final)
{
    const et_corr *k = w->k;
    uint64_t p = g->anchor;
    for (; p < g->total; p++) {
        if (at(g, p)->slot != 0) continue;
        int64_t t = ts_of(g, p);
        if (!final && !past(t, now, k->timespan)) break;
        int64_t lo = sat_add(t, -k->skew), hi = sat_add(t, k->timespan);
        bool answered = false;
        for (uint64_t q = lower_bound(g, lo); q < g->total && ts_of(g, q) <= hi && !answered; q++)
            answered = at(g, q)->slot == 1;
        if (answered || (final && w->end_of_input < hi && !k->end_absent) || lo < w->start) continue;
        cwin_member *m = scratch(w, 1);
        m[0] = *at(g, p);
        w->emit(w->ctx, w->rule, m, 1, 1);
    }
    g->anchor = p;
    drop_unreachable(w, g, p, now, k->skew > 0 ? k->skew : 0);
}

static void evaluate(cwin *w, group *g, int64_t now, bool final)
{
    switch (w->k->type) {
    case ET_CORR_EVENT_COUNT: eval_event_count(w, g, now, final); break;
    case ET_CORR_VALUE_COUNT:
    case ET_CORR_TEMPORAL: eval_window(w, g, now, final); break;
    case ET_CORR_TEMPORAL_ORDERED: eval_ordered(w, g, now, final); break;
    case ET_CORR_ABSENT: eval_absent(w, g, now, final); break;
    }
}

/* ---- the window set ------------------------------------------------------------------ */

cwin *cwin_new(const et_rule *rule, cwin_emit_fn emit, void *ctx)
{
    cwin *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->max_held = CWIN_MAX_HELD;
    w->rule = rule;
    w->k = rule->impl->corr;
    w->nr = rule->ncorr_rules;
    w->emit = emit;
    w->ctx = ctx;
    w->start = INT64_MIN;
    if (!(w->chain = calloc(w->nr ? w->nr : 1, sizeof *w->chain))) abort();
    return w;
}

static void sweep(cwin *w, int64_t now, bool final)
{
    for (size_t i = 0; i < w->nb; i++)
        for (group **pg = &w->b[i]; *pg;) {
            group *g = *pg;
            evaluate(w, g, now, final);
            if (g->n && !final) { pg = &g->next; continue; }
            *pg = g->next;
            group_free(w, g);
            w->ngroups--;
        }
    w->adds = 0;
}

/* Over the bound: the group's oldest member goes as if it had anchored a window without a hit
 * (a window holding so much may then be undercounted: the caller warns). */
static void let_go_oldest(cwin *w, group *g)
{
    uint64_t b = g->base;
    if (g->anchor == b) {
        if (w->k->type == ET_CORR_VALUE_COUNT || w->k->type == ET_CORR_TEMPORAL) {
            if (b < g->j) window_leave(w, g, b);
            else g->j = b + 1;
        }
        g->anchor = b + 1;
    }
    drop_before(w, g, b + 1);
    w->overflowed++;
}

void cwin_add(cwin *w, citem *it, int slot)
{
    if (!make_key(w, it, slot)) return;   /* a group-by value is missing: the event cannot be grouped */
    group *g = find_group(w);
    push(w, g, it, slot);
    if (w->held > w->max_held) let_go_oldest(w, g);
    evaluate(w, g, it->ts, false);
    if (++w->adds >= w->ngroups + 1024) sweep(w, it->ts, false);   /* amortized: a sweep per group's worth of adds */
}

void cwin_expire(cwin *w, int64_t now) { sweep(w, now, false); }
void cwin_set_start(cwin *w, int64_t start) { w->start = start; }

void cwin_finish(cwin *w, int64_t end_of_input)
{
    w->end_of_input = end_of_input;
    sweep(w, end_of_input, true);
}

size_t cwin_held(const cwin *w) { return w->held; }
size_t cwin_overflowed(const cwin *w) { return w->overflowed; }
void cwin_set_max_held(cwin *w, size_t n) { w->max_held = n ? n : CWIN_MAX_HELD; }
size_t cwin_groups(const cwin *w) { return w->ngroups; }

void cwin_free(cwin *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->nb; i++)
        for (group *g = w->b[i], *next; g; g = next) {
            next = g->next;
            group_free(w, g);
        }
    free(w->b);
    free(w->key);
    free(w->tmp);
    free(w->chain);
    free(w);
}
