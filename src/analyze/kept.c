/* kept.c: the evidence the analysis keeps: matched records, bounded per future finding and in
 * all (beyond the bounds records are counted in their group, so counts and time ranges stay
 * exact while memory stays flat), and the correlation hits. */
#include "analyze/kept.h"
#include "core/outbuf.h"
#include "core/spillsort.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void kept_match_free(kept_match *m)
{
    free(m->ev.file); free(m->ev.computer); free(m->ev.channel); free(m->ev.message);
    free(m->provider);
    for (size_t i = 0; i < m->nvalues; i++) { free(m->values[i].key); free(m->values[i].value); }
    free(m->values);
}

void kept_set_free(kept_set *k)
{
    for (size_t i = 0; i < k->nmatches; i++) kept_match_free(&k->matches[i]);
    free(k->matches);
    for (size_t i = 0; i < k->gcap; i++) free(k->groups[i].key);
    free(k->groups);
    for (size_t i = 0; i < k->nhits; i++) {
        kept_hit *h = &k->hits[i];
        for (size_t j = 0; j < h->ngroup; j++) { free(h->group[j].key); free(h->group[j].value); }
        free(h->group);
        for (size_t j = 0; j < h->nevents; j++) kept_match_free(&h->events[j]);
        free(h->events);
    }
    free(k->hits);
    free(k->hit_slots);
    free(k->over);
    et_spill_free(k->ids);
    for (size_t i = 0; i < k->ngave_up; i++) free(k->gave_up[i]);
    free(k->gave_up);
    memset(k, 0, sizeof *k);
}

const char *kept_value(const kept_match *m, const char *name)
{
    for (size_t i = 0; i < m->nvalues; i++)
        if (strcasecmp(m->values[i].key, name) == 0) return m->values[i].value;
    if (!strcasecmp(name, "Computer") || !strcasecmp(name, "host")) return m->ev.computer;
    if (!strcasecmp(name, "Channel")) return m->ev.channel;
    if (!strcasecmp(name, "Provider") || !strcasecmp(name, "Provider_Name")) return m->provider;
    return NULL;
}

/* ---- groups: one per future finding ------------------------------------------------------- */

/* host, then the rule's rca.group_by values, lower-cased (findings compare them that way) */
static void group_key(const kept_match *m, et_buf *b)
{
    b->len = 0;
    et_buf_puts(b, m->ev.computer ? m->ev.computer : "");
    const et_rca *rca = m->rule->rca;
    for (size_t i = 0; rca && i < rca->ngroup_by; i++) {
        const char *v = kept_value(m, rca->group_by[i]);
        et_buf_putc(b, '\x1f');
        et_buf_puts(b, v ? v : "");
    }
    for (size_t i = 0; i < b->len; i++)
        if (b->data[i] >= 'A' && b->data[i] <= 'Z') b->data[i] = (char)(b->data[i] - 'A' + 'a');
}

static uint64_t hash_of(const et_rule *r, const char *key)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)r->index;
    for (const char *p = key; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static kept_group *find_slot(kept_group *v, size_t cap, const et_rule *r, const char *key, uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!v[i].key || (v[i].hash == h && v[i].rule == r && !strcmp(v[i].key, key))) return &v[i];
}

static void grow(kept_set *k)
{
    size_t cap = k->gcap ? k->gcap * 2 : 256;
    kept_group *v = calloc(cap, sizeof *v);
    if (!v) abort();
    for (size_t i = 0; i < k->gcap; i++)
        if (k->groups[i].key) *find_slot(v, cap, k->groups[i].rule, k->groups[i].key, k->groups[i].hash) = k->groups[i];
    free(k->groups);
    k->groups = v;
    k->gcap = cap;
}

/* The tally of what rule r matched past the bounds (grown to its index). */
static kept_over *over_of(kept_set *k, const et_rule *r)
{
    if (r->index >= k->nover) {
        size_t n = r->index + 1 > k->nover * 2 ? r->index + 1 : k->nover * 2;
        k->over = realloc(k->over, n * sizeof *k->over);
        if (!k->over) abort();
        memset(k->over + k->nover, 0, (n - k->nover) * sizeof *k->over);
        k->nover = n;
    }
    return &k->over[r->index];
}

static void over_time(kept_over *o, int64_t first, int64_t last)
{
    bool none = !o->records && !o->more_hits;
    if (none || first < o->first) o->first = first;
    if (none || last > o->last) o->last = last;
}

/* The group of m, made when create and within the bounds (else NULL: m is counted past them). */
static kept_group *group_for(kept_set *k, const kept_match *m, int create)
{
    et_buf key = {0};
    group_key(m, &key);
    const char *ks = key.data ? key.data : "";
    uint64_t h = hash_of(m->rule, ks);
    kept_group *g = k->gcap ? find_slot(k->groups, k->gcap, m->rule, ks, h) : NULL;
    kept_over *o = create && (!g || !g->key) ? over_of(k, m->rule) : NULL;
    bool finding = m->rule->standalone;   /* else only context for other findings' values */
    if (o && (finding ? o->groups >= KEPT_GROUPS_PER_RULE || k->nfinding_groups >= KEPT_MAX_GROUPS
                      : k->ngroups - k->nfinding_groups >= KEPT_MAX_GROUPS)) {
        et_buf_free(&key);
        return NULL;
    }
    if ((!g || !g->key) && create) {
        o->groups++;
        k->nfinding_groups += finding;
        if ((k->ngroups + 1) * 2 > k->gcap) grow(k);
        g = find_slot(k->groups, k->gcap, m->rule, ks, h);
        g->key = strdup(ks);
        if (!g->key) abort();
        g->rule = m->rule;
        g->hash = h;
        g->ord = (uint32_t)k->ngroups++;
    }
    et_buf_free(&key);
    return g && g->key ? g : NULL;
}

const kept_group *kept_group_of(const kept_set *k, const kept_match *m)
{
    return group_for((kept_set *)k, m, 0);
}

/* ---- copies: the same record matched in two inputs ------------------------------------------ */

/* A match's record, 32 bytes with no padding: its group, host and channel (hashed), id, time. */
typedef struct kept_id { uint64_t where, record_id; int64_t ts; uint32_t ord, zero; } kept_id;

static int cmp_id(const void *pa, const void *pb)
{
    const kept_id *a = pa, *b = pb;
    if (a->ord != b->ord) return a->ord < b->ord ? -1 : 1;
    if (a->where != b->where) return a->where < b->where ? -1 : 1;
    if (a->record_id != b->record_id) return a->record_id < b->record_id ? -1 : 1;
    return a->ts < b->ts ? -1 : a->ts > b->ts;
}

static uint64_t where_of(const et_evidence *e)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = e->computer ? e->computer : ""; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (const char *p = e->channel ? e->channel : ""; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

void kept_track_copies(kept_set *k)
{
    if (!k->ids) k->ids = et_spill_new(sizeof(kept_id), 0, cmp_id);
}

typedef struct id_walk { kept_group **by_ord; kept_id prev; bool any; size_t copies; } id_walk;

static int count_copy(const void *rec, void *ctx)
{
    const kept_id *id = rec;
    id_walk *w = ctx;
    if (w->any && !cmp_id(id, &w->prev)) { w->by_ord[id->ord]->copies++; w->copies++; }
    w->prev = *id;
    w->any = true;
    return 0;
}

/* Kept matches in record order (rule, host, channel, record id, time), each record's copies by
 * file name. */
static int cmp_record(const void *pa, const void *pb)
{
    const kept_match *x = pa, *y = pb;
    if (x->rule->index != y->rule->index) return x->rule->index < y->rule->index ? -1 : 1;
    int c = strcmp(x->ev.computer ? x->ev.computer : "", y->ev.computer ? y->ev.computer : "");
    if (c) return c;
    if ((c = strcmp(x->ev.channel ? x->ev.channel : "", y->ev.channel ? y->ev.channel : ""))) return c;
    if (x->ev.record_id != y->ev.record_id) return x->ev.record_id < y->ev.record_id ? -1 : 1;
    if (x->ev.timestamp != y->ev.timestamp) return x->ev.timestamp < y->ev.timestamp ? -1 : 1;
    if ((c = strcmp(x->ev.file ? x->ev.file : "", y->ev.file ? y->ev.file : ""))) return c;
    if (x->ev.recovered != y->ev.recovered) return x->ev.recovered ? 1 : -1;   /* live before carved */
    return strcmp(x->ev.message ? x->ev.message : "", y->ev.message ? y->ev.message : "");
}

static bool same_record(const kept_match *x, const kept_match *y)
{
    return x->rule == y->rule && x->ev.record_id == y->ev.record_id && x->ev.timestamp == y->ev.timestamp &&
           !strcmp(x->ev.computer ? x->ev.computer : "", y->ev.computer ? y->ev.computer : "") &&
           !strcmp(x->ev.channel ? x->ev.channel : "", y->ev.channel ? y->ev.channel : "");
}

size_t kept_drop_copies(kept_set *k, bool *ok)
{
    *ok = k->ids && !et_spill_failed(k->ids);
    if (!*ok) return 0;
    id_walk w = {.by_ord = calloc(k->ngroups ? k->ngroups : 1, sizeof *w.by_ord)};
    if (!w.by_ord) abort();
    for (size_t i = 0; i < k->gcap; i++)
        if (k->groups[i].key) w.by_ord[k->groups[i].ord] = &k->groups[i];
    et_spill_each(k->ids, count_copy, &w);
    free(w.by_ord);
    if (et_spill_failed(k->ids)) {   /* a run could not be read back: counts stay as they were */
        for (size_t i = 0; i < k->gcap; i++) k->groups[i].copies = 0;
        *ok = false;
        return 0;
    }
    if (k->nmatches > 1) qsort(k->matches, k->nmatches, sizeof *k->matches, cmp_record);
    size_t out = 0;
    for (size_t i = 0; i < k->nmatches; i++) {
        if (out && same_record(&k->matches[out - 1], &k->matches[i])) { kept_match_free(&k->matches[i]); continue; }
        k->matches[out++] = k->matches[i];
    }
    /* every copy was either kept (and is dropped now) or counted beyond the bounds */
    size_t beyond = w.copies - (k->nmatches - out);
    k->dropped = k->dropped > beyond ? k->dropped - beyond : 0;
    k->nmatches = out;
    return w.copies;
}

/* What keeping m costs: the struct, its strings and values, and the allocator's overhead. */
static size_t match_bytes(const kept_match *m)
{
    const size_t per_alloc = 16;
    size_t n = sizeof *m + 6 * per_alloc + (m->nvalues + 1) * (sizeof *m->values + 2 * per_alloc);
    const char *str[] = {m->ev.file, m->ev.computer, m->ev.channel, m->ev.message, m->provider};
    for (size_t i = 0; i < sizeof str / sizeof *str; i++) n += str[i] ? strlen(str[i]) + 1 : 0;
    for (size_t i = 0; i < m->nvalues; i++) n += strlen(m->values[i].key) + strlen(m->values[i].value) + 2;
    return n;
}

void kept_add(kept_set *k, kept_match *m, size_t cap)
{
    kept_group *g = group_for(k, m, 1);
    if (!g) {   /* a finding past the bounds: counted for the findings-capped gap */
        kept_over *o = over_of(k, m->rule);
        over_time(o, m->ev.timestamp, m->ev.timestamp);
        o->records++;
        kept_match_free(m);
        return;
    }
    if (k->ids)
        et_spill_add(k->ids, &(kept_id){.where = where_of(&m->ev), .record_id = m->ev.record_id,
                                        .ts = m->ev.timestamp, .ord = g->ord});
    size_t bytes = match_bytes(m);
    int full = k->nmatches >= cap || k->bytes + bytes > KEPT_MAX_BYTES ||
               (!m->rule->fact && g->kept >= KEPT_PER_GROUP);
    if (full) {
        if (!g->extra || m->ev.timestamp < g->extra_first) g->extra_first = m->ev.timestamp;
        if (!g->extra || m->ev.timestamp > g->extra_last) g->extra_last = m->ev.timestamp;
        g->extra++;
        k->dropped++;
        kept_match_free(m);
        return;
    }
    if (k->nmatches == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        k->matches = realloc(k->matches, k->cap * sizeof *k->matches);
        if (!k->matches) abort();
    }
    k->matches[k->nmatches++] = *m;
    k->bytes += bytes;
    g->kept++;
}

/* ---- correlation hits: one per rule and group ----------------------------------------------- */

static uint64_t hit_hash(const kept_hit *h)
{
    uint64_t x = 1469598103934665603ULL ^ (uint64_t)h->rule->index;
    for (size_t i = 0; i < h->ngroup; i++) {
        for (const char *p = h->group[i].value ? h->group[i].value : ""; *p; p++) {
            unsigned char c = (unsigned char)*p;
            x = (x ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 1099511628211ULL;
        }
        x = (x ^ 0x1f) * 1099511628211ULL;
    }
    return x;
}

static bool same_hit_group(const kept_hit *a, const kept_hit *b)
{
    if (a->rule != b->rule || a->ngroup != b->ngroup) return false;
    for (size_t g = 0; g < a->ngroup; g++)
        if (strcasecmp(a->group[g].value ? a->group[g].value : "", b->group[g].value ? b->group[g].value : ""))
            return false;
    return true;
}

/* The slot of h's group: its hit's index + 1, or 0 where it would go. */
static uint32_t *hit_slot(kept_set *k, const kept_hit *h)
{
    for (size_t i = hit_hash(h) & (k->hslots - 1);; i = (i + 1) & (k->hslots - 1))
        if (!k->hit_slots[i] || same_hit_group(&k->hits[k->hit_slots[i] - 1], h)) return &k->hit_slots[i];
}

static void hit_slots_grow(kept_set *k)
{
    size_t n = k->hslots ? k->hslots * 2 : 64;
    free(k->hit_slots);
    k->hit_slots = calloc(n, sizeof *k->hit_slots);
    if (!k->hit_slots) abort();
    k->hslots = n;
    for (size_t i = 0; i < k->nhits; i++) *hit_slot(k, &k->hits[i]) = (uint32_t)(i + 1);
}

static void free_hit(kept_hit *h)
{
    for (size_t j = 0; j < h->ngroup; j++) { free(h->group[j].key); free(h->group[j].value); }
    free(h->group);
    for (size_t j = 0; j < h->nevents; j++) kept_match_free(&h->events[j]);
    free(h->events);
}

static int cmp_time_only(const void *pa, const void *pb)
{
    const kept_match *x = pa, *y = pb;
    if (x->ev.timestamp != y->ev.timestamp) return x->ev.timestamp < y->ev.timestamp ? -1 : 1;
    return x->ev.record_id < y->ev.record_id ? -1 : x->ev.record_id > y->ev.record_id;
}

/* s into d (the same group): counts add up, records d holds already are skipped, evidence kept
 * up to KEPT_PER_GROUP records (the rest counted in nevents_total), in time order. */
static void merge_hit(kept_hit *d, kept_hit *s)
{
    d->count += s->count;
    d->nevents_total += s->nevents_total;
    if (s->first_time < d->first_time) d->first_time = s->first_time;
    if (s->last_time > d->last_time) d->last_time = s->last_time;
    size_t room = d->nevents < KEPT_PER_GROUP ? KEPT_PER_GROUP - d->nevents : 0;
    d->events = realloc(d->events, (d->nevents + (s->nevents < room ? s->nevents : room) + 1) * sizeof *d->events);
    if (!d->events) abort();
    for (size_t k = 0; k < s->nevents; k++) {
        bool dup = false;
        for (size_t q = 0; q < d->nevents && !dup; q++)
            dup = d->events[q].ev.record_id == s->events[k].ev.record_id && !strcmp(d->events[q].ev.file, s->events[k].ev.file);
        if (dup) d->nevents_total--;
        if (dup || !room) { kept_match_free(&s->events[k]); continue; }
        d->events[d->nevents++] = s->events[k];
        room--;
    }
    s->nevents = 0;
    free_hit(s);
    if (d->nevents > 1) qsort(d->events, d->nevents, sizeof *d->events, cmp_time_only);
}

void kept_add_hit(kept_set *k, kept_hit *h)
{
    if ((k->nhits + 1) * 2 > k->hslots) hit_slots_grow(k);
    uint32_t *slot = hit_slot(k, h);
    if (*slot) { merge_hit(&k->hits[*slot - 1], h); return; }
    kept_over *o = over_of(k, h->rule);
    if (o->hits >= KEPT_GROUPS_PER_RULE || k->nhits >= KEPT_MAX_GROUPS) {   /* counted, not a finding */
        over_time(o, h->first_time, h->last_time);
        o->more_hits++;
        o->records += h->nevents_total;
        free_hit(h);
        return;
    }
    o->hits++;
    if (k->nhits == k->hcap) {
        k->hcap = k->hcap ? k->hcap * 2 : 16;
        k->hits = realloc(k->hits, k->hcap * sizeof *k->hits);
        if (!k->hits) abort();
    }
    if (h->nevents > 1) qsort(h->events, h->nevents, sizeof *h->events, cmp_time_only);
    k->hits[k->nhits++] = *h;
    *slot = (uint32_t)k->nhits;
}
