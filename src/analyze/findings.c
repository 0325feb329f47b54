/* findings.c: turns kept matches and correlation hits into report findings: one per rule and
 * entity, templates filled from the evidence, root causes linked to the symptoms they explain
 * (rca.explains), ranked by severity, root cause and confidence. */
#include "analyze/kept.h"
#include "analyze/codes.h"
#include "core/outbuf.h"
#include "core/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_EVIDENCE 50

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

/* ---- template values -------------------------------------------------------------------- */

typedef struct fill_ctx {
    const et_codes *codes;
    const kept_match *latest;     /* the most recent evidence event */
    const et_kv *group; size_t ngroup;
    const et_rule *rule;
    uint64_t count;
    int64_t first, last;
    char tmp[64];
    size_t missing;
    char missing_names[256];
} fill_ctx;

static const char *lookup_plain(const char *name, fill_ctx *c);

/* {field|meaning} and {field|name}: an error code rendered as words from the code table. */
static const char *lookup(const char *name, void *vctx)
{
    fill_ctx *c = vctx;
    const char *bar = strchr(name, '|');
    if (!bar) return lookup_plain(name, c);
    char field[128];
    snprintf(field, sizeof field, "%.*s", (int)(bar - name), name);
    const char *v = lookup_plain(field, c);
    if (!v) return NULL;
    const char *words = !strcmp(bar + 1, "meaning") ? et_codes_meaning(c->codes, v)
                        : !strcmp(bar + 1, "name")  ? et_codes_name(c->codes, v) : NULL;
    return words ? words : v;
}

static const char *lookup_plain(const char *name, fill_ctx *c)
{
    for (size_t i = 0; i < c->ngroup; i++)
        if (!strcasecmp(c->group[i].key, name)) return c->group[i].value;
    const char *v = c->latest ? kept_value(c->latest, name) : NULL;
    if (v && *v) return v;
    if (!strcasecmp(name, "count")) { snprintf(c->tmp, sizeof c->tmp, "%llu", (unsigned long long)c->count); return c->tmp; }
    if (!strcasecmp(name, "first_time")) { et_filetime_to_iso(c->first, c->tmp); return c->tmp; }
    if (!strcasecmp(name, "last_time")) { et_filetime_to_iso(c->last, c->tmp); return c->tmp; }
    if (!strcasecmp(name, "rule") || !strcasecmp(name, "title")) return c->rule->title;
    if (!strcasecmp(name, "host_short") && c->latest && c->latest->ev.computer) {
        snprintf(c->tmp, sizeof c->tmp, "%.*s", (int)strcspn(c->latest->ev.computer, "."), c->latest->ev.computer);
        return c->tmp;
    }
    if (!strcasecmp(name, "domain") && c->latest && c->latest->ev.computer) {
        const char *dot = strchr(c->latest->ev.computer, '.');
        if (dot) return dot + 1;
    }
    c->missing++;
    size_t n = strlen(c->missing_names);
    if (!strstr(c->missing_names, name) && n + strlen(name) + 3 < sizeof c->missing_names)
        snprintf(c->missing_names + n, sizeof c->missing_names - n, "%s%s", n ? ", " : "", name);
    return NULL;
}

static char *render(const char *tmpl, fill_ctx *c)
{
    if (!tmpl) return NULL;
    et_buf b = {0};
    et_template_render(&b, tmpl, lookup, c);
    char *s = xstrdup(b.data);
    et_buf_free(&b);
    return s;
}

/* ---- building ----------------------------------------------------------------------------- */

typedef struct draft {
    et_finding f;
    const et_rule *rule;
    int64_t first_time;
    int score;
    size_t index;             /* final rank */
} draft;

typedef struct drafts { draft *v; size_t n, cap; } drafts;

static draft *new_draft(drafts *d)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = realloc(d->v, d->cap * sizeof *d->v);
        if (!d->v) abort();
    }
    draft *x = &d->v[d->n++];
    memset(x, 0, sizeof *x);
    return x;
}

static void add_entity(et_finding *f, const char *key, const char *value)
{
    if (!value || !*value) return;
    for (size_t i = 0; i < f->nentities; i++)
        if (!strcmp(f->entities[i].key, key)) return;
    f->entities = realloc(f->entities, (f->nentities + 1) * sizeof *f->entities);
    if (!f->entities) abort();
    f->entities[f->nentities].key = xstrdup(key);
    f->entities[f->nentities].value = xstrdup(value);
    f->nentities++;
}

static void push_str(char ***v, size_t *n, char *s)
{
    *v = realloc(*v, (*n + 1) * sizeof **v);
    if (!*v) abort();
    (*v)[(*n)++] = s;
}

static void copy_evidence(et_evidence *dst, const kept_match *m)
{
    *dst = m->ev;
    dst->file = xstrdup(m->ev.file);
    dst->computer = xstrdup(m->ev.computer);
    dst->channel = xstrdup(m->ev.channel);
    dst->message = xstrdup(m->ev.message);
}

static int confidence_rank(const char *c)
{
    if (!c) return 1;
    return !strcmp(c, "high") ? 2 : !strcmp(c, "low") ? 0 : 1;
}

/* Fills title, message, cause, remediation... from the rule and the evidence. */
static void fill_from_rule(draft *d, fill_ctx *fc)
{
    const et_rule *r = d->rule;
    const et_rca *rca = r->rca;
    et_finding *f = &d->f;
    f->rule = xstrdup(r->id ? r->id : r->name ? r->name : r->title);
    f->severity = r->has_level ? (et_severity)r->level : ET_SEV_MEDIUM;
    f->title = rca && rca->title ? render(rca->title, fc) : xstrdup(r->title);
    f->message = rca && rca->message ? render(rca->message, fc) : NULL;
    f->confidence = xstrdup(rca && rca->confidence ? rca->confidence : "medium");
    f->root_cause = rca && (rca->cause || rca->nremediation);
    f->cause = rca && rca->cause ? render(rca->cause, fc) : NULL;
    for (size_t i = 0; rca && i < rca->nremediation; i++)
        push_str(&f->remediation, &f->nremediation, render(rca->remediation[i], fc));
    for (size_t i = 0; rca && i < rca->nreferences; i++)
        push_str(&f->references, &f->nreferences, xstrdup(rca->references[i]));
    if (fc->missing) {
        char note[400];
        snprintf(note, sizeof note, "not found in the events, left as placeholders: %s", fc->missing_names);
        push_str(&f->notes, &f->nnotes, xstrdup(note));
    }
    d->score = (int)f->severity * 10 + (f->root_cause ? 5 : 0) + confidence_rank(f->confidence);
}

static int cmp_match(const void *pa, const void *pb)
{
    const kept_match *x = pa, *y = pb;
    if (x->rule->index != y->rule->index) return x->rule->index < y->rule->index ? -1 : 1;
    int c = strcasecmp(x->ev.computer, y->ev.computer);
    if (c) return c;
    if (x->ev.timestamp != y->ev.timestamp) return x->ev.timestamp < y->ev.timestamp ? -1 : 1;
    c = strcmp(x->ev.file, y->ev.file);
    if (c) return c;
    return x->ev.record_id < y->ev.record_id ? -1 : x->ev.record_id > y->ev.record_id;
}

/* One finding per (detection rule, host). */
static void detection_findings(kept_match *m, size_t n, drafts *out, const et_codes *codes)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && m[j].rule == m[i].rule && !strcasecmp(m[j].ev.computer, m[i].ev.computer)) j++;
        draft *d = new_draft(out);
        d->rule = m[i].rule;
        d->first_time = m[i].ev.timestamp;
        fill_ctx fc = {.codes = codes, .latest = &m[j - 1], .rule = d->rule, .count = j - i,
                       .first = m[i].ev.timestamp, .last = m[j - 1].ev.timestamp};
        fill_from_rule(d, &fc);
        add_entity(&d->f, "host", m[i].ev.computer);
        for (size_t e = 0; e < d->rule->nextract; e++)
            add_entity(&d->f, d->rule->extract_names[e], kept_value(&m[j - 1], d->rule->extract_names[e]));
        d->f.nevidence_total = j - i;
        size_t keep = j - i < MAX_EVIDENCE ? j - i : MAX_EVIDENCE;
        d->f.evidence = calloc(keep, sizeof *d->f.evidence);
        for (size_t k = 0; k < keep; k++) copy_evidence(&d->f.evidence[k], &m[i + k]);
        d->f.nevidence = keep;
        i = j;
    }
}

static void hit_findings(const kept_hit *h, size_t n, drafts *out, const et_codes *codes)
{
    for (size_t i = 0; i < n; i++) {
        draft *d = new_draft(out);
        d->rule = h[i].rule;
        d->first_time = h[i].first_time;
        const kept_match *latest = h[i].nevents ? &h[i].events[h[i].nevents - 1] : NULL;
        fill_ctx fc = {.codes = codes, .latest = latest, .group = h[i].group, .ngroup = h[i].ngroup, .rule = d->rule,
                       .count = h[i].count, .first = h[i].first_time, .last = h[i].last_time};
        fill_from_rule(d, &fc);
        if (latest) add_entity(&d->f, "host", latest->ev.computer);
        for (size_t g = 0; g < h[i].ngroup; g++) add_entity(&d->f, h[i].group[g].key, h[i].group[g].value);
        d->f.nevidence_total = h[i].nevents_total;
        size_t keep = h[i].nevents < MAX_EVIDENCE ? h[i].nevents : MAX_EVIDENCE;
        d->f.evidence = calloc(keep ? keep : 1, sizeof *d->f.evidence);
        for (size_t k = 0; k < keep; k++) copy_evidence(&d->f.evidence[k], &h[i].events[k]);
        d->f.nevidence = keep;
    }
}

static int cmp_draft(const void *pa, const void *pb)
{
    const draft *x = pa, *y = pb;
    if (x->score != y->score) return y->score - x->score;
    if (x->first_time != y->first_time) return x->first_time < y->first_time ? -1 : 1;
    int c = strcmp(x->f.rule, y->f.rule);
    if (c) return c;
    const char *hx = x->f.nentities ? x->f.entities[0].value : "", *hy = y->f.nentities ? y->f.entities[0].value : "";
    return strcmp(hx, hy);
}

/* Do two findings concern the same thing? The same host (short names compared) or any
 * equal entity value. */
static int same_entity(const et_finding *a, const et_finding *b)
{
    for (size_t i = 0; i < a->nentities; i++)
        for (size_t j = 0; j < b->nentities; j++) {
            const char *x = a->entities[i].value, *y = b->entities[j].value;
            size_t nx = strcspn(x, "."), ny = strcspn(y, ".");
            if (!strcasecmp(x, y) || (nx == ny && !strncasecmp(x, y, nx) &&
                                      !strcmp(a->entities[i].key, "host") && !strcmp(b->entities[j].key, "host")))
                return 1;
        }
    return 0;
}

static int explains_rule(const et_rule *root, const et_rule *sym)
{
    for (size_t i = 0; root->rca && i < root->rca->nexplains; i++)
        if (root->rca->explains[i] == sym) return 1;
    return 0;
}

static void link_causes(drafts *d)
{
    for (size_t i = 0; i < d->n; i++) {
        draft *root = &d->v[i];
        if (!root->rule->rca || !root->rule->rca->nexplains) continue;
        for (size_t j = 0; j < d->n; j++) {
            draft *sym = &d->v[j];
            if (i == j || sym->f.explained_by || !explains_rule(root->rule, sym->rule)) continue;
            if (!same_entity(&root->f, &sym->f)) continue;
            sym->f.explained_by = xstrdup(root->f.id);
            push_str(&root->f.explains, &root->f.nexplains, xstrdup(sym->f.id));
        }
    }
}

void et_build_findings(const kept_set *k, et_report *r, const char *codes_file)
{
    et_codes *codes = codes_file ? et_codes_load(codes_file) : NULL;
    drafts d = {0};
    kept_match *m = k->matches;
    if (k->nmatches) qsort(m, k->nmatches, sizeof *m, cmp_match);
    detection_findings(m, k->nmatches, &d, codes);
    hit_findings(k->hits, k->nhits, &d, codes);
    et_codes_free(codes);
    if (d.n) qsort(d.v, d.n, sizeof *d.v, cmp_draft);
    for (size_t i = 0; i < d.n; i++) {
        char id[32];
        snprintf(id, sizeof id, "F%zu", i + 1);
        d.v[i].f.id = xstrdup(id);
    }
    link_causes(&d);
    r->findings = calloc(d.n ? d.n : 1, sizeof *r->findings);
    for (size_t i = 0; i < d.n; i++) r->findings[i] = d.v[i].f;
    r->nfindings = d.n;
    free(d.v);
}
