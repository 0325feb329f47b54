/* gaps.c: evidence gaps: inputs that could not be read in full, logs a finding needs that the
 * upload lacks or that do not cover its time (each rule's rca.needs; the finding's confidence
 * drops as the rule says), and "no rule fired" with what was looked at. */
#include "analyze/kept.h"
#include "core/outbuf.h"
#include "core/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

static void add_gap(et_report *r, const char *kind, const char *msg)
{
    if (r->ngaps == r->gaps_cap) {
        r->gaps_cap = r->gaps_cap ? r->gaps_cap * 2 : 16;
        r->gaps = realloc(r->gaps, r->gaps_cap * sizeof *r->gaps);
        if (!r->gaps) abort();
    }
    r->gaps[r->ngaps] = (et_gap){.kind = xstrdup(kind), .message = xstrdup(msg)};   /* no host, no channel */
    r->ngaps++;
}

/* A gap several findings may state alike (the same missing log): once. Input gaps name their
 * input, so they are unique as made and skip this (a batch has thousands of them). A missing
 * log's gap names its host and channel, for the command that collects it. */
static void add_gap_once(et_report *r, const char *kind, const char *msg, const char *host, const char *channel)
{
    for (size_t i = 0; i < r->ngaps; i++)
        if (!strcmp(r->gaps[i].message, msg)) return;
    add_gap(r, kind, msg);
    r->gaps[r->ngaps - 1].host = host ? xstrdup(host) : NULL;
    r->gaps[r->ngaps - 1].channel = channel ? xstrdup(channel) : NULL;
}

static void input_gaps(et_report *r, const kept_set *k)
{
    char msg[1200];
    for (size_t i = 0; i < r->ninputs; i++) {
        const et_input *in = &r->inputs[i];
        if (in->unreadable) {
            snprintf(msg, sizeof msg, "%s could not be read: %s", in->path, in->nproblems ? in->problems[0] : "?");
            add_gap(r, "unreadable", msg);
            continue;
        }
        if (in->skipped) {
            snprintf(msg, sizeof msg, "%s: %llu record(s) could not be decoded and were skipped", in->path,
                     (unsigned long long)in->skipped);
            add_gap(r, "skipped-records", msg);
        } else if (in->nproblems_total) {
            snprintf(msg, sizeof msg, "%s: %s", in->path, in->problems[0]);
            add_gap(r, "damaged", msg);
        }
        if (in->recovered) {
            snprintf(msg, sizeof msg, "%s: %llu record(s) recovered from slack space (flagged in the evidence)",
                     in->path, (unsigned long long)in->recovered);
            add_gap(r, "recovered-records", msg);
        }
    }
    if (r->tlstore && et_tl_store_failed(r->tlstore))
        add_gap(r, "timeline-incomplete", "the timeline could not be kept whole: a temporary file could not be written (TMPDIR full?)");
    for (size_t i = 0; i < k->ncorr_losses; i++) {
        snprintf(msg, sizeof msg, "correlations incomplete: %s", k->corr_losses[i]);
        add_gap(r, "correlation-incomplete", msg);
    }
    for (size_t i = 0; i < k->ngave_up; i++) add_gap(r, "rule-gave-up", k->gave_up[i]);
    if (k->gave_up_more) {
        snprintf(msg, sizeof msg, "... and %zu more regular expressions that gave up on an input (stderr lists every one)",
                 k->gave_up_more);
        add_gap(r, "rule-gave-up", msg);
    }
    if (k->dropped) {
        snprintf(msg, sizeof msg, "evidence capped: %zu matched record(s) were counted but not kept (at most %d per finding"
                 " and %zu in all); counts and time ranges are exact, evidence lists and value counts cover the kept ones",
                 k->dropped, KEPT_PER_GROUP, k->nmatches);
        add_gap(r, "evidence-capped", msg);
    }
}

/* Findings the bounds left out (kept.c): per rule, the matches past KEPT_GROUPS_PER_RULE
 * findings (KEPT_MAX_GROUPS in all) and the hits of groups past them, counted with their time
 * range; and findings whose records were counted but none kept (the evidence bound), which
 * therefore are not listed. Rule order, so the report is the same whatever -j. */
static void capped_gaps(et_report *r, const kept_set *k)
{
    size_t *unlisted = calloc(k->nover ? k->nover : 1, sizeof *unlisted);
    uint64_t *unlisted_records = calloc(k->nover ? k->nover : 1, sizeof *unlisted_records);
    if (!unlisted || !unlisted_records) abort();
    for (size_t i = 0; i < k->gcap; i++) {
        const kept_group *g = &k->groups[i];
        if (!g->key || g->kept || g->rule->index >= k->nover || !g->rule->standalone) continue;
        unlisted[g->rule->index]++;
        unlisted_records[g->rule->index] += g->extra;
    }
    char msg[1000], t1[32], t2[32];
    for (size_t i = 0; i < k->nover; i++) {
        const kept_over *o = &k->over[i];
        const et_rule *rule = et_ruleset_rule(k->rules, i);
        const char *name = rule ? rule->name ? rule->name : rule->id ? rule->id : rule->title : "?";
        et_filetime_to_iso(o->first, t1);
        et_filetime_to_iso(o->last, t2);
        if (o->records && !o->more_hits && rule && rule->standalone) {
            snprintf(msg, sizeof msg, "findings capped: rule '%s' matched on more hosts (or rca.group_by values) than the "
                     "%d findings a rule may have (%d in all): %llu more matched record(s), %s to %s, are counted here "
                     "and in the timeline, not as findings", name, KEPT_GROUPS_PER_RULE, KEPT_MAX_GROUPS,
                     (unsigned long long)o->records, t1, t2);
            add_gap(r, "findings-capped", msg);
        } else if (o->records && !o->more_hits) {
            snprintf(msg, sizeof msg, "context capped: rule '%s', read for other findings' values, matched on more than "
                     "the %d hosts (or values) kept for all such rules: %llu more matched record(s), %s to %s, are not "
                     "kept; a finding on another host may miss its values (its notes name the placeholders left)",
                     name, KEPT_MAX_GROUPS, (unsigned long long)o->records, t1, t2);
            add_gap(r, "findings-capped", msg);
        }
        if (o->more_hits) {
            snprintf(msg, sizeof msg, "findings capped: correlation '%s' had hits for more groups than the %d findings a "
                     "rule may have (%d in all): %llu more hit(s) over %llu record(s), %s to %s, are counted here, not "
                     "as findings", name, KEPT_GROUPS_PER_RULE, KEPT_MAX_GROUPS, (unsigned long long)o->more_hits,
                     (unsigned long long)o->records, t1, t2);
            add_gap(r, "findings-capped", msg);
        }
        if (unlisted[i]) {
            snprintf(msg, sizeof msg, "findings capped: %zu finding(s) of rule '%s' (%llu matched record(s)) are not "
                     "listed: none of their records could be kept as evidence (the evidence bound is reached); they "
                     "are counted here and in the timeline", unlisted[i], name, (unsigned long long)unlisted_records[i]);
            add_gap(r, "findings-capped", msg);
        }
    }
    free(unlisted);
    free(unlisted_records);
}

/* A caveat on a finding (once), so it is never read without it. */
static void add_note(et_finding *f, const char *note)
{
    for (size_t i = 0; i < f->nnotes; i++)
        if (!strcmp(f->notes[i], note)) return;
    f->notes = realloc(f->notes, (f->nnotes + 1) * sizeof *f->notes);
    if (!f->notes) abort();
    f->notes[f->nnotes++] = xstrdup(note);
}

/* ---- inputs that hold the same records ----------------------------------------------------
 * Two inputs whose streams of one host and channel share record ids over the same time hold
 * the same records (a log copied twice, or exported on two days): a match among them is
 * counted once per copy, and the report says so. */

#define MAX_OVERLAP_GAPS 20

typedef struct stream_ref { const et_input *in; const et_stream *s; } stream_ref;

static int cmp_stream_ref(const void *pa, const void *pb)
{
    const stream_ref *a = pa, *b = pb;
    int c = strcasecmp(a->s->host, b->s->host);
    if (!c) c = strcasecmp(a->s->channel, b->s->channel);
    if (!c && a->s->first_id != b->s->first_id) c = a->s->first_id < b->s->first_id ? -1 : 1;
    return c ? c : strcmp(a->in->path, b->in->path);
}

static int same_stream(const stream_ref *a, const stream_ref *b)
{
    return !strcasecmp(a->s->host, b->s->host) && !strcasecmp(a->s->channel, b->s->channel);
}

/* One group of streams, each holding records of the ones before it: ids [lo, hi] are in two or
 * more; compared: the sampled records found in two of them, all with the same time. */
typedef struct overlap {
    size_t from, n, inputs, compared;
    uint64_t lo, hi, max_id;
    int64_t first, last;
    bool any;
} overlap;

/* The records two streams both sampled (ids multiples of the larger step, so each holds every
 * such id it has): how many have the same time, or -1 when one does not (two logs that only
 * look alike: another host of the same name, a log cleared and begun again). */
static long same_records(const et_stream *a, const et_stream *b)
{
    uint64_t step = a->step > b->step ? a->step : b->step;
    long equal = 0;
    for (size_t i = 0; i < a->nsamples; i++) {
        if (a->samples[i].id & (step - 1)) continue;
        for (size_t k = 0; k < b->nsamples; k++)
            if (b->samples[k].id == a->samples[i].id) {
                if (b->samples[k].time != a->samples[i].time) return -1;
                equal++;
            }
    }
    return equal;
}

/* Does stream i hold records of the group's? How many compared equal (0: it does not, or none
 * could be compared; a record that differs in a member compared rules it out). It is compared
 * with the group's first and last JOIN_PEERS members, so that thousands of copies of one log
 * cost linear time. */
#define JOIN_PEERS 8

static long joins_group(const stream_ref *v, const overlap *o, size_t i)
{
    const et_stream *s = v[i].s;
    if (!o->n || !same_stream(&v[o->from], &v[i]) || s->first_id > o->max_id || s->first_time > o->last ||
        s->last_time < o->first)
        return 0;
    long equal = 0;
    for (size_t m = o->from; m < o->from + o->n; m++) {
        if (m == o->from + JOIN_PEERS && o->n > 2 * JOIN_PEERS) m = o->from + o->n - JOIN_PEERS;
        if (v[m].s->last_id < s->first_id) continue;   /* no id in common */
        long e = same_records(v[m].s, s);
        if (e < 0) return 0;
        equal += e;
    }
    return equal;
}

/* Is evidence e one of the records the group's inputs share? */
static bool shared_record(const stream_ref *v, const overlap *o, const et_evidence *e)
{
    const et_stream *s = v[o->from].s;
    if (e->record_id < o->lo || e->record_id > o->hi || !e->file) return false;
    if (strcasecmp(e->computer ? e->computer : "", s->host) || strcasecmp(e->channel ? e->channel : "", s->channel))
        return false;
    for (size_t i = o->from; i < o->from + o->n; i++)
        if (!strcmp(v[i].in->path, e->file)) return true;
    return false;
}

static void note_copies(const et_report *r, et_finding *f)
{
    char note[300];
    if (r->copies_counted)
        snprintf(note, sizeof note, "counts include copies: some of its records are in more than one input and each "
                 "copy is counted (see duplicate-records under gaps)");
    else if (f->copies)
        snprintf(note, sizeof note, "counted once: %zu of its records were also read from another input (see "
                 "duplicate-records under gaps)", f->copies);
    else
        snprintf(note, sizeof note, "counted once: some of its records were also read from another input (see "
                 "duplicate-records under gaps)");
    add_note(f, note);
}

/* Findings whose evidence includes records the group's inputs share say so. */
static void note_shared(et_report *r, const stream_ref *v, const overlap *o)
{
    for (size_t f = 0; f < r->nfindings; f++)
        for (size_t i = 0; i < r->findings[f].nevidence; i++)
            if (shared_record(v, o, &r->findings[f].evidence[i])) {
                note_copies(r, &r->findings[f]);
                break;
            }
}

static void overlap_gap(et_report *r, const stream_ref *v, const overlap *o, size_t *shown, size_t *more)
{
    if (!o->any || o->inputs < 2) return;
    note_shared(r, v, o);
    if (*shown == MAX_OVERLAP_GAPS) { (*more)++; return; }
    (*shown)++;
    et_buf b = {0};
    const et_stream *s = v[o->from].s;
    bool identical = v[o->from].in->sha256[0];
    for (size_t i = o->from + 1; i < o->from + o->n; i++) identical &= !strcmp(v[i].in->sha256, v[o->from].in->sha256);
    if (o->lo == o->hi) et_buf_printf(&b, "record %llu", (unsigned long long)o->lo);
    else et_buf_printf(&b, "records %llu-%llu", (unsigned long long)o->lo, (unsigned long long)o->hi);
    et_buf_printf(&b, " of %s on %s %s in %zu inputs (", s->channel, *s->host ? s->host : "no host",
                  o->lo == o->hi ? "is" : "are", o->inputs);
    for (size_t i = o->from, k = 0; i < o->from + o->n; i++) {
        if (i > o->from && v[i].in == v[i - 1].in) continue;
        if (k == 3) { et_buf_printf(&b, " and %zu more", o->inputs - 3); break; }
        et_buf_printf(&b, "%s%s", k++ ? ", " : "", v[i].in->path);
    }
    et_buf_printf(&b, "; %zu sampled record(s) compared between them, all at the same time)%s: %s",
                  o->compared, identical ? ", identical files (the same SHA-256)" : "",
                  r->copies_counted ? "a match among them is counted once per copy"
                                    : "a record among them is counted once (--keep-copies: once per copy)");
    if (!identical) et_buf_puts(&b, " (the same log copied, or exported twice?)");
    add_gap(r, "duplicate-records", b.data);
    et_buf_free(&b);
}

/* Copies are counted once whether or not the sampled records showed the inputs they came from
 * (a small overlap may hold no sampled record): the total, and each finding that had some. */
static void copies_said(et_report *r)
{
    if (r->copies_counted) return;
    for (size_t f = 0; f < r->nfindings; f++)
        if (r->findings[f].copies) note_copies(r, &r->findings[f]);
    if (!r->copies) return;
    char msg[240];
    snprintf(msg, sizeof msg, "%zu record(s) of the timeline were read more than once (in more than one input, or "
             "twice in one): each is listed and counted once (--keep-copies: once per copy)", r->copies);
    add_gap(r, "duplicate-records", msg);
}

static void overlap_gaps(et_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ninputs; i++) n += r->inputs[i].nstreams;
    stream_ref *v = calloc(n ? n : 1, sizeof *v);
    if (!v) abort();
    n = 0;
    for (size_t i = 0; i < r->ninputs; i++)
        for (size_t j = 0; j < r->inputs[i].nstreams; j++)
            if (r->inputs[i].streams[j].records) v[n++] = (stream_ref){&r->inputs[i], &r->inputs[i].streams[j]};
    qsort(v, n, sizeof *v, cmp_stream_ref);
    size_t shown = 0, more = 0;
    overlap o = {0};
    for (size_t i = 0; i < n; i++) {
        const et_stream *s = v[i].s;
        long equal = joins_group(v, &o, i);
        if (!equal) {
            overlap_gap(r, v, &o, &shown, &more);
            o = (overlap){.from = i, .n = 1, .inputs = 1, .max_id = s->last_id, .first = s->first_time, .last = s->last_time};
            continue;
        }
        o.compared += (size_t)equal;
        uint64_t hi = s->last_id < o.max_id ? s->last_id : o.max_id;
        if (!o.any || s->first_id < o.lo) o.lo = s->first_id;
        if (!o.any || hi > o.hi) o.hi = hi;
        o.any = true;
        o.inputs += v[i].in != v[i - 1].in;
        o.n++;
        if (s->last_id > o.max_id) o.max_id = s->last_id;
        if (s->first_time < o.first) o.first = s->first_time;
        if (s->last_time > o.last) o.last = s->last_time;
    }
    overlap_gap(r, v, &o, &shown, &more);
    copies_said(r);
    if (more) {
        char msg[200];
        snprintf(msg, sizeof msg, "%zu more group(s) of inputs hold the same records (the first %d are listed)", more,
                 MAX_OVERLAP_GAPS);
        add_gap(r, "duplicate-records", msg);
    }
    free(v);
}

/* ---- rca.needs: logs a finding depends on ------------------------------------------------ */

static const char *entity_lookup(const char *name, void *ctx)
{
    const et_finding *f = ctx;
    for (size_t i = 0; i < f->nentities; i++)
        if (!strcasecmp(f->entities[i].key, name)) return f->entities[i].value;
    return NULL;
}

static int same_host(const char *a, const char *b)
{
    size_t na = strcspn(a, "."), nb = strcspn(b, ".");
    return !strcasecmp(a, b) || (na == nb && !strncasecmp(a, b, na));
}

static void finding_span(const et_finding *f, int64_t *first, int64_t *last)
{
    *first = INT64_MAX;
    *last = INT64_MIN;
    for (size_t i = 0; i < f->nevidence; i++) {
        if (f->evidence[i].timestamp < *first) *first = f->evidence[i].timestamp;
        if (f->evidence[i].timestamp > *last) *last = f->evidence[i].timestamp;
    }
}

typedef enum { LOG_PRESENT = 0, LOG_MISSING, LOG_NOT_COVERING } log_state;

/* Does some input hold the channel (of host / of another host than self), over [first, last]? */
static log_state find_log(const et_report *r, const et_need *n, const char *host, const char *self,
                          int64_t first, int64_t last)
{
    log_state best = LOG_MISSING;
    for (size_t i = 0; i < r->ninputs; i++) {
        const et_input *in = &r->inputs[i];
        int ch = 0, who = !host && !n->other_host;
        for (size_t c = 0; c < in->nchannels && !ch; c++) ch = !strcasecmp(in->channels[c], n->channel);
        for (size_t h = 0; h < in->nhosts && !who; h++)
            who = host ? same_host(in->hosts[h], host) : !self || !same_host(in->hosts[h], self);
        if (!ch || !who) continue;
        if (!n->covering || (in->first_time <= first && in->last_time >= last)) return LOG_PRESENT;
        best = LOG_NOT_COVERING;
    }
    return best;
}

static void lower_confidence(et_finding *f, const char *to)
{
    static const char *order[] = {"low", "medium", "high"};
    int have = 1, want = 1;
    for (int i = 0; i < 3; i++) {
        if (f->confidence && !strcmp(f->confidence, order[i])) have = i;
        if (!strcmp(to, order[i])) want = i;
    }
    if (want >= have) return;
    free(f->confidence);
    f->confidence = xstrdup(order[want]);
}

static void need_gap(et_report *r, et_finding *f, const et_need *n)
{
    et_buf host = {0}, msg = {0}, missing = {0};
    et_tpl_gaps unfilled = {.missing = &missing};
    if (n->host) et_template_render(&host, n->host, entity_lookup, f, &unfilled);
    const char *h = host.len && !missing.len ? host.data : NULL;
    int64_t first, last;
    finding_span(f, &first, &last);
    log_state st = find_log(r, n, h, entity_lookup("host", f), first, last);
    if (st != LOG_PRESENT) {
        et_template_render(&msg, n->message ? n->message : "a log this finding needs is missing", entity_lookup, f, NULL);
        char line[1600];
        const char *whose = h ? h : n->other_host ? "another host" : "any host";
        snprintf(line, sizeof line, "%s (%s: %s log of %s%s)", msg.data ? msg.data : "", f->id, n->channel, whose,
                 st == LOG_NOT_COVERING ? " does not cover the time of the finding" : " is not in the upload");
        add_gap_once(r, st == LOG_NOT_COVERING ? "time-range" : "missing-log", line, h, n->channel);
        if (n->confidence) lower_confidence(f, n->confidence);
        /* the finding says it too, so it is never read without its caveat */
        char note[1700];
        snprintf(note, sizeof note, "not checked: %s", line);
        add_note(f, note);
    }
    et_buf_free(&host);
    et_buf_free(&msg);
    et_buf_free(&missing);
}

static void declared_gaps(et_report *r, const kept_set *k)
{
    for (size_t j = 0; j < r->nfindings; j++) {
        et_finding *f = &r->findings[j];
        const et_rule *rule = et_ruleset_find(k->rules, f->rule);
        for (size_t i = 0; rule && rule->rca && i < rule->rca->nneeds; i++) need_gap(r, f, &rule->rca->needs[i]);
    }
}

/* "No rule fired" says what was looked at. */
static void nothing_found(et_report *r)
{
    int above_info = 0;
    for (size_t i = 0; i < r->nfindings; i++) above_info |= r->findings[i].severity > ET_SEV_INFO;
    if (above_info) return;
    et_buf b = {0};
    size_t hosts = 0, files = 0;
    for (size_t i = 0; i < r->ninputs; i++) { files += !r->inputs[i].unreadable; hosts += r->inputs[i].nhosts; }
    et_buf_printf(&b, "No rule fired above info: %zu rule(s) looked at %llu event(s) in %zu readable file(s)",
                  r->nrules, (unsigned long long)r->events_read, files);
    et_buf_puts(&b, "; channels read:");
    size_t shown = 0;
    for (size_t i = 0; i < r->ninputs && shown < 12; i++)
        for (size_t c = 0; c < r->inputs[i].nchannels && shown < 12; c++, shown++)
            et_buf_printf(&b, "%s %s", shown ? "," : "", r->inputs[i].channels[c]);
    if (!shown) et_buf_puts(&b, " none");
    (void)hosts;
    add_gap(r, "no-findings", b.data);
    et_buf_free(&b);
}

void et_find_gaps(const kept_set *k, et_report *r)
{
    declared_gaps(r, k);
    input_gaps(r, k);
    capped_gaps(r, k);
    overlap_gaps(r);
    nothing_found(r);
}
