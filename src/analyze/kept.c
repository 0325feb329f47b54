/* kept.c: the evidence the analysis keeps: matched records, bounded per future finding and in
 * all (beyond the bounds records are counted in their group, so counts and time ranges stay
 * exact while memory stays flat), and the correlation hits. */
#include "analyze/kept.h"
#include "core/outbuf.h"
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

static kept_group *group_for(kept_set *k, const kept_match *m, int create)
{
    et_buf key = {0};
    group_key(m, &key);
    const char *ks = key.data ? key.data : "";
    uint64_t h = hash_of(m->rule, ks);
    kept_group *g = k->gcap ? find_slot(k->groups, k->gcap, m->rule, ks, h) : NULL;
    if ((!g || !g->key) && create) {
        if ((k->ngroups + 1) * 2 > k->gcap) grow(k);
        g = find_slot(k->groups, k->gcap, m->rule, ks, h);
        g->key = strdup(ks);
        if (!g->key) abort();
        g->rule = m->rule;
        g->hash = h;
        k->ngroups++;
    }
    et_buf_free(&key);
    return g && g->key ? g : NULL;
}

const kept_group *kept_group_of(const kept_set *k, const kept_match *m)
{
    return group_for((kept_set *)k, m, 0);
}

void kept_add(kept_set *k, kept_match *m, size_t cap)
{
    kept_group *g = group_for(k, m, 1);
    int full = k->nmatches >= cap || (!m->rule->fact && g->kept >= KEPT_PER_GROUP);
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
    g->kept++;
}
