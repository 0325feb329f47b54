/* findings.c: turns kept matches and correlation hits into report findings: one per rule and
 * host (detections) or per hit (correlations), templates filled from the evidence and from what
 * the host's other records say (its facts), root causes linked to the symptoms they explain,
 * problems a later record shows gone marked resolved, ranked by severity, cause and confidence. */
#include "analyze/kept.h"
#include "analyze/codes.h"
#include "analyze/tplfilter.h"
#include "analyze/steps.h"
#include "core/arena.h"
#include "core/outbuf.h"
#include "core/timeutil.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_EVIDENCE 50
#define CONTEXT_SCAN 4096   /* most context records looked at per placeholder */
#define MAX_RELATED_HOSTS 20   /* related_host entities of one correlation finding */

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

static int same_host(const char *a, const char *b)
{
    if (!a || !b || !*a || !*b) return 0;
    size_t na = strcspn(a, "."), nb = strcspn(b, ".");
    return !strcasecmp(a, b) || (na == nb && !strncasecmp(a, b, na));
}

/* ---- host context: every kept match ordered by (host, time) ------------------------------ */

typedef struct context { const kept_match **v; size_t n; const et_report *report; } context;

static int cmp_ctx(const void *pa, const void *pb)
{
    const kept_match *x = *(const kept_match *const *)pa, *y = *(const kept_match *const *)pb;
    size_t nx = strcspn(x->ev.computer, "."), ny = strcspn(y->ev.computer, ".");
    int c = strncasecmp(x->ev.computer, y->ev.computer, nx < ny ? nx : ny);
    if (!c && nx != ny) c = nx < ny ? -1 : 1;
    if (c) return c;
    if (x->ev.timestamp != y->ev.timestamp) return x->ev.timestamp < y->ev.timestamp ? -1 : 1;
    return x->rule->index < y->rule->index ? -1 : x->rule->index > y->rule->index;
}

static context context_build(const kept_set *k)
{
    context c = {calloc(k->nmatches ? k->nmatches : 1, sizeof *c.v), k->nmatches, NULL};
    if (!c.v) abort();
    for (size_t i = 0; i < k->nmatches; i++) c.v[i] = &k->matches[i];
    if (c.n) qsort(c.v, c.n, sizeof *c.v, cmp_ctx);
    return c;
}

/* First entry of host in the context (entries of a host are contiguous). */
static size_t context_host(const context *c, const char *host)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        size_t nm = strcspn(c->v[mid]->ev.computer, "."), nh = strcspn(host, ".");
        int cmp = strncasecmp(c->v[mid]->ev.computer, host, nm < nh ? nm : nh);
        if (!cmp && nm != nh) cmp = nm < nh ? -1 : 1;
        if (cmp < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The value of name in the host's records: the latest at or before t, else the earliest after. */
static const char *context_value(const context *c, const char *host, int64_t t, const char *name)
{
    if (!host || !*host) return NULL;
    size_t start = context_host(c, host), end = start;
    while (end < c->n && same_host(c->v[end]->ev.computer, host)) end++;
    const char *after = NULL;
    size_t looked = 0;
    for (size_t i = end; i-- > start && looked < CONTEXT_SCAN; looked++) {
        const kept_match *m = c->v[i];
        for (size_t j = 0; j < m->nvalues; j++) {
            if (strcasecmp(m->values[j].key, name) || !*m->values[j].value) continue;
            if (m->ev.timestamp <= t) return m->values[j].value;
            after = m->values[j].value;
        }
    }
    return after;
}

/* ---- template values ---------------------------------------------------------------------- */

typedef struct fill_ctx {
    const et_codes *codes;
    const context *ctx;
    const kept_match *ev; size_t nev;   /* evidence, oldest first */
    const et_kv *group; size_t ngroup;
    const et_kv *entities; size_t nentities;   /* the finding's entities (related_host, ...) */
    const et_rule *rule;
    const char *host;
    uint64_t count;
    int64_t first, last;
    et_arena scratch;
    et_buf missing, refused;   /* placeholders the events could not fill, or whose values could not go in */
    et_tpl_gaps gaps;          /* points at the two */
} fill_ctx;

static const char *lookup_plain(const char *name, fill_ctx *c);

/* "A (2), B (1)": the distinct values of name over the evidence, first seen first. */
static const char *distinct_values(fill_ctx *c, const char *name)
{
    const char *vals[32];
    size_t counts[32], n = 0;
    for (size_t i = 0; i < c->nev; i++) {
        const char *v = kept_value(&c->ev[i], name);
        if (!v || !*v) continue;
        size_t k = 0;
        while (k < n && strcasecmp(vals[k], v)) k++;
        if (k == n && n < 32) { vals[n] = v; counts[n++] = 0; }
        if (k < n) counts[k]++;
    }
    if (!n) return lookup_plain(name, c);
    et_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) et_buf_puts(&b, ", ");
        et_buf_puts(&b, vals[i]);
        if (n > 1 || counts[i] > 1) et_buf_printf(&b, " (%zu)", counts[i]);
    }
    char *out = et_arena_strndup(&c->scratch, b.data, b.len);
    et_buf_free(&b);
    return out;
}

static const char *plain_value(const char *name, void *vctx) { return lookup_plain(name, vctx); }

/* The full name of the host whose short name is v (HV02 -> HV02.contoso.com), from the names the
 * upload gives (its inputs' Computer values, then the matched records'); v itself when it has a
 * dot; NULL when no name with a domain is seen. */
static const char *fqdn_of(const fill_ctx *c, const char *v)
{
    if (!v || !*v || strchr(v, '.')) return v;
    size_t n = strlen(v);
    const et_report *r = c->ctx->report;
    for (size_t i = 0; r && i < r->ninputs; i++)
        for (size_t h = 0; h < r->inputs[i].nhosts; h++) {
            const char *x = r->inputs[i].hosts[h];
            if (!strncasecmp(x, v, n) && x[n] == '.') return x;
        }
    for (size_t i = 0; i < c->ctx->n; i++) {
        const char *x = c->ctx->v[i]->ev.computer;
        if (!strncasecmp(x, v, n) && x[n] == '.') return x;
    }
    return NULL;
}

/* {name@other}: name as the records of the host named by placeholder other say it (that host's
 * facts and matches, the latest at or before the finding's last record first). */
static const char *on_other_host(fill_ctx *c, const char *name, const char *other)
{
    const char *host = lookup_plain(other, c);
    return host ? context_value(c->ctx, host, c->last, name) : NULL;
}

/* {name|filter}: values (the distinct values over the evidence, with counts) and fqdn here, the
 * others (meaning, name, short, domain, since:OTHER) in tplfilter.c; {name@other} looks name up
 * on another host. */
static const char *lookup(const char *name, void *vctx)
{
    fill_ctx *c = vctx;
    char field[128];
    const char *bar = strchr(name, '|'), *at = strchr(name, '@');
    if (at && (!bar || at < bar)) {
        char other[128];
        snprintf(field, sizeof field, "%.*s", (int)(at - name), name);
        snprintf(other, sizeof other, "%.*s", (int)(bar ? bar - at - 1 : (ptrdiff_t)strlen(at + 1)), at + 1);
        const char *v = on_other_host(c, field, other);
        return bar ? tpl_filter(bar + 1, v, plain_value, c, c->codes, &c->scratch) : v;
    }
    if (!bar) return lookup_plain(name, c);
    snprintf(field, sizeof field, "%.*s", (int)(bar - name), name);
    if (!strcmp(bar + 1, "values")) return distinct_values(c, field);
    if (!strcmp(bar + 1, "fqdn")) return fqdn_of(c, lookup_plain(field, c));
    return tpl_filter(bar + 1, lookup_plain(field, c), plain_value, c, c->codes, &c->scratch);
}

static const char *lookup_plain(const char *name, fill_ctx *c)
{
    for (size_t i = 0; i < c->ngroup; i++)
        if (!strcasecmp(c->group[i].key, name) && *c->group[i].value) return c->group[i].value;
    for (size_t i = c->nev; i-- > 0;) {   /* the latest evidence first */
        const char *v = kept_value(&c->ev[i], name);
        if (v && *v) return v;
    }
    const char *v = context_value(c->ctx, c->host, c->last, name);
    if (v) return v;
    char tmp[40];
    if (!strcasecmp(name, "count")) { snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)c->count); return et_arena_strndup(&c->scratch, tmp, strlen(tmp)); }
    if (!strcasecmp(name, "first_time")) { et_filetime_to_iso(c->first, tmp); return et_arena_strndup(&c->scratch, tmp, strlen(tmp)); }
    if (!strcasecmp(name, "last_time")) { et_filetime_to_iso(c->last, tmp); return et_arena_strndup(&c->scratch, tmp, strlen(tmp)); }
    if (!strcasecmp(name, "when")) {   /* "at T" for one moment, "between T1 and T2" else */
        char a[32], b[32], out[100];
        et_filetime_to_iso(c->first, a);
        et_filetime_to_iso(c->last, b);
        if (c->first == c->last) snprintf(out, sizeof out, "at %s", a);
        else snprintf(out, sizeof out, "between %s and %s", a, b);
        return et_arena_strndup(&c->scratch, out, strlen(out));
    }
    for (size_t i = 0; i < c->nentities; i++)
        if (!strcasecmp(c->entities[i].key, name)) return c->entities[i].value;
    if (!strcasecmp(name, "rule") || !strcasecmp(name, "title")) return c->rule->title;
    if (!strcasecmp(name, "host_short") && c->host) return et_arena_strndup(&c->scratch, c->host, strcspn(c->host, "."));
    if (!strcasecmp(name, "domain") && c->host && strchr(c->host, '.')) return strchr(c->host, '.') + 1;
    return NULL;
}

static char *render(const char *tmpl, fill_ctx *c)
{
    if (!tmpl) return NULL;
    et_buf b = {0};
    et_template_render(&b, tmpl, lookup, c, &c->gaps);   /* the finding's every text adds to one list */
    char *s = xstrdup(b.data);
    et_buf_free(&b);
    return s;
}

/* ---- building ----------------------------------------------------------------------------- */

typedef struct draft {
    et_finding f;
    const et_rule *rule;
    int64_t first_time, last_time;
    int score;
    size_t seq;               /* creation order: links survive re-sorting */
    long root;                /* seq of the root cause explaining this one, -1 when none */
    size_t nsyms;             /* symptoms it explains */
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

static void keep_evidence(draft *d, const kept_match *ev, size_t n, size_t total)
{
    size_t keep = n < MAX_EVIDENCE ? n : MAX_EVIDENCE;
    d->f.evidence = calloc(keep ? keep : 1, sizeof *d->f.evidence);
    if (!d->f.evidence) abort();
    for (size_t k = 0; k < keep; k++) copy_evidence(&d->f.evidence[k], &ev[k]);
    d->f.nevidence = keep;
    d->f.nevidence_total = total;
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
    f->rule_name = r->name ? xstrdup(r->name) : NULL;
    f->severity = r->has_level ? (et_severity)r->level : ET_SEV_MEDIUM;
    f->title = rca && rca->title ? render(rca->title, fc) : xstrdup(r->title);
    f->message = rca && rca->message ? render(rca->message, fc) : NULL;
    f->confidence = xstrdup(rca && rca->confidence ? rca->confidence : "medium");
    f->root_cause = rca && (rca->cause || rca->nremediation);
    f->cause = rca && rca->cause ? render(rca->cause, fc) : NULL;
    et_steps_fill(f, rca, lookup, fc, &fc->gaps);
    for (size_t i = 0; rca && i < rca->nreferences; i++)
        push_str(&f->references, &f->nreferences, xstrdup(rca->references[i]));
    for (size_t i = 0; rca && i < rca->nnotes; i++) push_str(&f->notes, &f->nnotes, render(rca->notes[i], fc));
    if (fc->missing.len) {
        et_buf note = {0};
        et_buf_printf(&note, "not found in the events, shown as <name>: %s", fc->missing.data);
        push_str(&f->notes, &f->nnotes, xstrdup(note.data));
        et_buf_free(&note);
    }
    if (fc->refused.len) {
        et_buf note = {0};
        et_buf_printf(&note, "not put into a command or code span, shown as <name> (the evidence has the value as "
                      "recorded): %s; a value holding %s cannot stand there as one literal", fc->refused.data, fc->gaps.why);
        push_str(&f->notes, &f->nnotes, xstrdup(note.data));
        et_buf_free(&note);
    }
}

/* Fills the draft; false (the draft emptied) when the rule's rca.require does not hold on its
 * values: then there is no such finding. */
static bool fill(draft *d, fill_ctx *fc)
{
    fc->scratch.block_size = 4096;
    fc->gaps.missing = &fc->missing;
    fc->gaps.refused = &fc->refused;
    const et_rca *rca = d->rule->rca;
    bool made = !rca || !rca->nrequire || et_when_holds(rca->require, rca->nrequire, lookup, fc);
    if (made) fill_from_rule(d, fc);
    et_arena_free(&fc->scratch);
    et_buf_free(&fc->missing);
    et_buf_free(&fc->refused);
    return made;
}

/* Takes back the draft just made (its rule's require did not hold). */
static void drop_last(drafts *d)
{
    et_finding_clear(&d->v[--d->n].f);
}

/* Compares the values of the rule's rca.group_by fields (one finding per distinct set). */
static int cmp_split(const kept_match *x, const kept_match *y)
{
    const et_rca *rca = x->rule->rca;
    for (size_t i = 0; rca && i < rca->ngroup_by; i++) {
        const char *a = kept_value(x, rca->group_by[i]), *b = kept_value(y, rca->group_by[i]);
        int c = strcasecmp(a ? a : "", b ? b : "");
        if (c) return c;
    }
    return 0;
}

static int cmp_match(const void *pa, const void *pb)
{
    const kept_match *x = pa, *y = pb;
    if (x->rule->index != y->rule->index) return x->rule->index < y->rule->index ? -1 : 1;
    int c = strcasecmp(x->ev.computer, y->ev.computer);
    if (c) return c;
    if ((c = cmp_split(x, y))) return c;
    if (x->ev.timestamp != y->ev.timestamp) return x->ev.timestamp < y->ev.timestamp ? -1 : 1;
    c = strcmp(x->ev.file, y->ev.file);
    if (c) return c;
    return x->ev.record_id < y->ev.record_id ? -1 : x->ev.record_id > y->ev.record_id;
}

/* The value of name in the latest of n matches (oldest first) that has one: a finding's entity
 * (a host a gap names, say) is not lost because its last record lacks that field. */
static const char *latest_value(const kept_match *m, size_t n, const char *name)
{
    for (size_t k = n; k-- > 0;) {
        const char *v = kept_value(&m[k], name);
        if (v && *v) return v;
    }
    return NULL;
}

/* One finding per (detection rule, host[, rca.group_by values]); facts and resolution-only
 * rules give none. */
static void detection_findings(const kept_set *k, drafts *out, const et_codes *codes, const context *ctx)
{
    kept_match *m = k->matches;
    size_t n = k->nmatches;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && m[j].rule == m[i].rule && !strcasecmp(m[j].ev.computer, m[i].ev.computer) && !cmp_split(&m[i], &m[j]))
            j++;
        if (!m[i].rule->standalone) { i = j; continue; }
        draft *d = new_draft(out);
        d->rule = m[i].rule;
        d->first_time = m[i].ev.timestamp;
        d->last_time = m[j - 1].ev.timestamp;
        size_t total = j - i;
        const kept_group *g = kept_group_of(k, &m[i]);   /* records counted beyond the bounds */
        if (g && g->copies) {   /* copies of records in other inputs count once */
            total = g->kept + g->extra - g->copies;
            d->f.copies = g->copies;
        }
        if (g && g->extra) {
            if (!g->copies) total += g->extra;
            if (g->extra_first < d->first_time) d->first_time = g->extra_first;
            if (g->extra_last > d->last_time) d->last_time = g->extra_last;
        }
        fill_ctx fc = {.codes = codes, .ctx = ctx, .ev = &m[i], .nev = j - i, .rule = d->rule, .host = m[i].ev.computer,
                       .count = total, .first = d->first_time, .last = d->last_time};
        if (!fill(d, &fc)) { drop_last(out); i = j; continue; }
        add_entity(&d->f, "host", m[i].ev.computer);
        for (size_t e = 0; e < d->rule->nextract; e++)
            add_entity(&d->f, d->rule->extract_names[e], latest_value(&m[i], j - i, d->rule->extract_names[e]));
        keep_evidence(d, &m[i], j - i, total);
        i = j;
    }
}

static void hit_entities(draft *d, const kept_hit *h, const kept_match *latest)
{
    if (latest) add_entity(&d->f, "host", latest->ev.computer);
    for (size_t g = 0; g < h->ngroup; g++)   /* a group-by on the host itself names nothing new */
        if (!latest || !same_host(h->group[g].value, latest->ev.computer) || strcasecmp(h->group[g].key, "Computer"))
            add_entity(&d->f, h->group[g].key, h->group[g].value);
    /* every other host the evidence comes from concerns the finding too (the first
     * MAX_RELATED_HOSTS: a hit over thousands of hosts names them in a note's count) */
    size_t other = 0, more = 0;
    for (size_t e = h->nevents; latest && e-- > 0;) {
        const char *c = h->events[e].ev.computer;
        int seen = same_host(c, latest->ev.computer);
        for (size_t k = 0; k < d->f.nentities && !seen; k++)
            seen = !strncmp(d->f.entities[k].key, "related_host", 12) && same_host(d->f.entities[k].value, c);
        if (seen) continue;
        if (other == MAX_RELATED_HOSTS) { more++; continue; }
        char key[32];
        snprintf(key, sizeof key, other ? "related_host_%zu" : "related_host", other + 1);
        add_entity(&d->f, key, c);
        other++;
    }
    if (more) {
        char note[160];
        snprintf(note, sizeof note, "the evidence names more hosts than the %d listed as related_host (%zu more record(s) "
                 "from hosts not listed)", MAX_RELATED_HOSTS, more);
        push_str(&d->f.notes, &d->f.nnotes, xstrdup(note));
    }
}

static void hit_findings(const kept_hit *h, size_t n, drafts *out, const et_codes *codes, const context *ctx)
{
    for (size_t i = 0; i < n; i++) {
        draft *d = new_draft(out);
        d->rule = h[i].rule;
        d->first_time = h[i].first_time;
        d->last_time = h[i].last_time;
        const kept_match *latest = h[i].nevents ? &h[i].events[h[i].nevents - 1] : NULL;
        hit_entities(d, &h[i], latest);
        fill_ctx fc = {.codes = codes, .ctx = ctx, .ev = h[i].events, .nev = h[i].nevents, .group = h[i].group,
                       .ngroup = h[i].ngroup, .entities = d->f.entities, .nentities = d->f.nentities, .rule = d->rule,
                       .host = latest ? latest->ev.computer : NULL, .count = h[i].count, .first = h[i].first_time,
                       .last = h[i].last_time};
        if (!fill(d, &fc)) { drop_last(out); continue; }
        keep_evidence(d, h[i].events, h[i].nevents, h[i].nevents_total);
    }
}

/* ---- resolution --------------------------------------------------------------------------- */

static int resolves(const et_rule *root, const et_rule *r)
{
    for (size_t i = 0; root->rca && i < root->rca->nresolved_by; i++)
        if (root->rca->resolved_by[i] == r) return 1;
    return 0;
}

/* The first record after the finding's last evidence, on its host, of a rule that shows the
 * problem gone; the finding keeps its severity but is marked resolved and ranks lower. */
static void mark_resolved(draft *d, const context *ctx)
{
    if (!d->rule->rca || !d->rule->rca->nresolved_by || !d->f.nentities) return;
    const char *host = d->f.entities[0].value;
    const kept_match *best = NULL;
    for (size_t i = context_host(ctx, host); i < ctx->n && same_host(ctx->v[i]->ev.computer, host); i++) {
        const kept_match *m = ctx->v[i];
        if (m->ev.timestamp > d->last_time && resolves(d->rule, m->rule)) { best = m; break; }
    }
    if (!best) return;
    d->f.resolved = true;
    /* A symptom that went away is a transient; a root cause that went away stays what it was. */
    if (!d->f.root_cause) d->f.severity = ET_SEV_INFO;
    copy_evidence(&d->f.resolution, best);
    free(d->f.resolution.message);
    d->f.resolution.message = xstrdup(best->rule->title);
    char iso[32], note[600];
    et_filetime_to_iso(best->ev.timestamp, iso);
    snprintf(note, sizeof note, "resolved: %s at %s (%s, record %llu)", best->rule->title, iso, best->ev.file,
             (unsigned long long)best->ev.record_id);
    push_str(&d->f.notes, &d->f.nnotes, xstrdup(note));
}

/* ---- ranking and root causes ------------------------------------------------------------------ */

static void score(draft *d)
{
    const et_finding *f = &d->f;
    d->score = (int)f->severity * 10 + (f->root_cause ? 5 : 0) + confidence_rank(f->confidence) - (f->resolved ? 10 : 0);
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
            int hosts = !strncmp(a->entities[i].key, "host", 4) || !strncmp(a->entities[i].key, "related_host", 12);
            int hosts2 = !strncmp(b->entities[j].key, "host", 4) || !strncmp(b->entities[j].key, "related_host", 12);
            if (!strcasecmp(x, y) || (hosts && hosts2 && same_host(x, y))) return 1;
        }
    return 0;
}

/* Any evidence of sym within the window of any evidence of root. */
static int near_in_time(const et_finding *root, const et_finding *sym, int64_t window)
{
    for (size_t i = 0; i < root->nevidence; i++)
        for (size_t j = 0; j < sym->nevidence; j++) {
            int64_t dt = root->evidence[i].timestamp - sym->evidence[j].timestamp;
            if (dt <= window && dt >= -window) return 1;
        }
    return 0;
}

static int explains_rule(const et_rule *root, const et_rule *sym)
{
    for (size_t i = 0; root->rca && i < root->rca->nexplains; i++)
        if (root->rca->explains[i] == sym) return 1;
    return 0;
}

/* Links each symptom to the first-ranked root cause that explains it (a root cause that is itself
 * explained does not take symptoms); a symptom never ranks above its root cause. */
static void link_causes(drafts *d)
{
    for (size_t i = 0; i < d->n; i++) d->v[i].root = -1;
    for (size_t i = 0; i < d->n; i++) {
        draft *root = &d->v[i];
        if (!root->rule->rca || !root->rule->rca->nexplains || root->root >= 0) continue;
        for (size_t j = 0; j < d->n; j++) {
            draft *sym = &d->v[j];
            if (i == j || sym->root >= 0 || sym->nsyms || !explains_rule(root->rule, sym->rule)) continue;
            int64_t win = root->rule->rca->explains_window;
            if (!same_entity(&root->f, &sym->f) && !(win && near_in_time(&root->f, &sym->f, win))) continue;
            sym->root = (long)root->seq;
            root->nsyms++;
            if (sym->f.severity > root->f.severity) {
                sym->f.severity = root->f.severity;
                score(sym);
            }
        }
    }
}

/* Final ids in rank order, then the explains / explained_by lists by id. */
static void name_findings(drafts *d)
{
    size_t *id_of = calloc(d->n ? d->n : 1, sizeof *id_of);
    if (!id_of) abort();
    for (size_t i = 0; i < d->n; i++) {
        char id[32];
        snprintf(id, sizeof id, "F%zu", i + 1);
        d->v[i].f.id = xstrdup(id);
        id_of[d->v[i].seq] = i;
    }
    for (size_t i = 0; i < d->n; i++) {
        draft *sym = &d->v[i];
        if (sym->root < 0) continue;
        draft *root = &d->v[id_of[sym->root]];
        sym->f.explained_by = xstrdup(root->f.id);
        push_str(&root->f.explains, &root->f.nexplains, xstrdup(sym->f.id));
    }
    free(id_of);
}

void et_build_findings(kept_set *k, et_report *r, const et_codes *codes)
{
    drafts d = {0};
    kept_match *m = k->matches;
    if (k->nmatches) qsort(m, k->nmatches, sizeof *m, cmp_match);
    context ctx = context_build(k);
    ctx.report = r;
    detection_findings(k, &d, codes, &ctx);
    hit_findings(k->hits, k->nhits, &d, codes, &ctx);   /* hits of one group are merged as kept (kept.c) */
    for (size_t i = 0; i < d.n; i++) {
        mark_resolved(&d.v[i], &ctx);
        score(&d.v[i]);
    }
    free(ctx.v);
    if (d.n) qsort(d.v, d.n, sizeof *d.v, cmp_draft);
    for (size_t i = 0; i < d.n; i++) d.v[i].seq = i;
    link_causes(&d);
    if (d.n) qsort(d.v, d.n, sizeof *d.v, cmp_draft);
    name_findings(&d);
    r->findings = calloc(d.n ? d.n : 1, sizeof *r->findings);
    for (size_t i = 0; i < d.n; i++) r->findings[i] = d.v[i].f;
    r->nfindings = d.n;
    free(d.v);
}
