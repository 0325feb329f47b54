/* analysis.c: the analyze pipeline: an et_scan consumer that matches events on worker
 * threads (one scanner and correlator per unit), merges units in input order, then hands the
 * kept evidence to the findings builder and the gap finder. */
#include "analyze/analysis.h"
#include "analyze/inventory.h"
#include "analyze/kept.h"
#include "analyze/codes.h"
#include "analyze/tplfilter.h"
#include "core/termtext.h"
#include "core/timeutil.h"
#include "input/scan.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>           /* malloc_trim */
#endif

#define DEFAULT_TIMELINE_CAP 20000    /* entries the report itself shows; the timeline file has all */
#define DEFAULT_MATCH_CAP 40000     /* matched records kept as evidence (and KEPT_MAX_BYTES); counts stay exact */
/* Units merged between two malloc_trim calls: what a unit's worker allocated is freed here, on
 * the calling thread, into the worker's arena, whose free pages glibc keeps otherwise
 * (bench/memory_bounds.sh correlated-x2: 55-60 MiB without, 44-46 MiB with). */
#define TRIM_EVERY 64
#ifdef __GLIBC__
#define give_back_freed() malloc_trim(0)
#else
#define give_back_freed() ((void)0)
#endif

typedef struct analysis {
    const et_analysis_opts *opts;
    const et_codes *codes;    /* error-code table, read-only: shared by the worker threads */
    const et_ruleset *rules;
    et_report *report;
    kept_set kept;
    et_correlator *corr;
    size_t inputs_alloc;
    int problems;
    size_t units;             /* merged so far */
    et_giveup *giveups; size_t ngiveups, capgiveups;   /* of the current input: said at its end */
} analysis;

/* One unit's results, built on a worker thread. */
typedef struct an_unit {
    analysis *a;
    et_scanner *scanner;
    et_correlator *corr;
    kept_match *m; size_t nm, mcap;
    et_timeline_entry *tl; size_t ntl, tlcap;
    et_input seen;            /* hosts, channels and streams of this unit */
    char **problems; size_t nproblems;
    uint64_t events;
} an_unit;

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

void et_event_summary(const et_event *ev, char *out, size_t outlen)
{
    size_t n = (size_t)snprintf(out, outlen, "%s %u", ev->provider ? ev->provider : "?", ev->event_id);
    for (size_t i = 0; i < ev->nfields && i < 4 && n < outlen; i++)
        n += (size_t)snprintf(out + n, outlen - n, "%s%s=%.80s", i ? "; " : ": ", ev->fields[i].name,
                              ev->fields[i].value);
}

/* ---- kept evidence ------------------------------------------------------------------------ */

static void add_value(kept_match *k, const char *name, const char *value)
{
    if (!name || !value) return;
    for (size_t i = 0; i < k->nvalues; i++)
        if (strcmp(k->values[i].key, name) == 0) return;
    k->values = realloc(k->values, (k->nvalues + 1) * sizeof *k->values);
    if (!k->values) abort();
    k->values[k->nvalues].key = xstrdup(name);
    k->values[k->nvalues].value = xstrdup(value);
    k->nvalues++;
}

/* The timeline line of a matched record: the rule's `event:` template, else its title, filled
 * from this record alone ({count} is 1, {first_time} and {last_time} its time). */
typedef struct one_ctx { const et_match *m; const et_codes *codes; et_arena scratch; char tmp[40]; } one_ctx;

static const char *one_plain(const char *name, void *vctx)
{
    one_ctx *c = vctx;
    const char *v = et_match_value(c->m, name);
    if (v) return v;
    if (!strcasecmp(name, "count")) return "1";
    if (!strcasecmp(name, "first_time") || !strcasecmp(name, "last_time")) {
        et_filetime_to_iso(c->m->event->timestamp, c->tmp);
        return c->tmp;
    }
    return NULL;
}

static const char *one_lookup(const char *name, void *vctx)
{
    one_ctx *c = vctx;
    const char *bar = strchr(name, '|');
    if (!bar) return one_plain(name, c);
    char field[128];
    snprintf(field, sizeof field, "%.*s", (int)(bar - name), name);
    return tpl_filter(bar + 1, one_plain(field, c), one_plain, c, c->codes, &c->scratch);
}

static void match_message(const et_match *m, const et_codes *codes, char *out, size_t outlen)
{
    et_buf b = {0};
    const et_rca *rca = m->rule->rca;
    const char *tmpl = rca && rca->event ? rca->event : rca && rca->title ? rca->title : NULL;
    if (tmpl) {
        one_ctx c = {.m = m, .codes = codes, .scratch = {.block_size = 1024}};
        et_template_render(&b, tmpl, one_lookup, &c, NULL);
        et_arena_free(&c.scratch);
    } else {
        et_buf_puts(&b, m->rule->title ? m->rule->title : "match");
        for (size_t i = 0; i < m->nextracted && i < 4; i++)
            et_buf_printf(&b, "%s%s=%.80s", i ? "; " : ": ", m->extracted[i].name, m->extracted[i].value);
    }
    snprintf(out, outlen, "%s", b.data ? b.data : "");
    for (char *p = out; *p; p++) if (*p == '\n' || *p == '\r') *p = ' ';
    et_buf_free(&b);
}

static void keep_match(an_unit *u, const et_match *m, const char *msg)
{
    if (u->nm == u->mcap) {
        u->mcap = u->mcap ? u->mcap * 2 : 16;
        u->m = realloc(u->m, u->mcap * sizeof *u->m);
        if (!u->m) abort();
    }
    kept_match *k = &u->m[u->nm++];
    memset(k, 0, sizeof *k);
    const et_event *ev = m->event;
    k->rule = m->rule;
    k->ev.file = xstrdup(ev->file);
    k->ev.record_id = ev->record_id;
    k->ev.timestamp = ev->timestamp;
    k->ev.computer = xstrdup(ev->computer);
    k->ev.channel = xstrdup(ev->channel);
    k->ev.event_id = ev->event_id;
    k->ev.message = xstrdup(msg);
    k->ev.recovered = ev->recovered;
    k->provider = xstrdup(ev->provider);
    for (size_t i = 0; i < m->nextracted; i++) add_value(k, m->extracted[i].name, m->extracted[i].value);
    for (size_t i = 0; i < m->nfields; i++) add_value(k, m->fields[i].name, m->fields[i].value);
    for (size_t i = 0; i < ev->nfields && i < 32; i++) add_value(k, ev->fields[i].name, ev->fields[i].value);
}

/* ---- timeline ------------------------------------------------------------------------------- */

static void unit_timeline(an_unit *u, const et_event *ev, const char *rule, et_severity sev, const char *msg)
{
    if (u->ntl == u->tlcap) {
        u->tlcap = u->tlcap ? u->tlcap * 2 : 16;
        u->tl = realloc(u->tl, u->tlcap * sizeof *u->tl);
        if (!u->tl) abort();
    }
    et_timeline_entry *t = &u->tl[u->ntl++];
    memset(t, 0, sizeof *t);
    t->timestamp = ev->timestamp;
    t->host = xstrdup(ev->computer);
    t->channel = xstrdup(ev->channel);
    t->provider = xstrdup(ev->provider);
    t->event_id = ev->event_id;
    t->message = xstrdup(msg);
    t->file = xstrdup(ev->file);
    t->record_id = ev->record_id;
    t->rule = rule ? xstrdup(rule) : NULL;
    t->severity = sev;
    t->recovered = ev->recovered;
}

/* ---- worker side ---------------------------------------------------------------------------- */

typedef struct scan_ctx { an_unit *u; int matched; et_severity sev; const char *rule; char msg[512]; } scan_ctx;

static void on_match(const et_match *m, void *vctx)
{
    scan_ctx *sc = vctx;
    an_unit *u = sc->u;
    et_correlator_add(u->corr, m);
    char msg[512];
    match_message(m, u->a->codes, msg, sizeof msg);
    if (m->rule->standalone || m->rule->keep_context) keep_match(u, m, msg);
    et_severity sev = (et_severity)m->rule->level;
    if (!sc->matched || sev > sc->sev) {
        sc->sev = sev;
        sc->rule = m->rule->id ? m->rule->id : m->rule->title;
        snprintf(sc->msg, sizeof sc->msg, "%s", msg);
    }
    sc->matched = 1;
}

static void *unit_new(void *vctx)
{
    analysis *a = vctx;
    an_unit *u = calloc(1, sizeof *u);
    if (!u) abort();
    u->a = a;
    u->scanner = et_scanner_new(a->rules);
    u->corr = et_correlator_new(a->rules, 0);
    return u;
}

static void unit_event(void *vu, const et_event *ev)
{
    an_unit *u = vu;
    u->events++;
    et_input_note_event(&u->seen, ev);
    et_correlator_observe(u->corr, ev);
    scan_ctx sc = {.u = u};
    et_scanner_scan(u->scanner, ev, on_match, &sc);
    if (sc.matched) {
        unit_timeline(u, ev, sc.rule, sc.sev, sc.msg);
    } else if (u->a->opts->all_events) {
        char msg[512];
        et_event_summary(ev, msg, sizeof msg);
        unit_timeline(u, ev, NULL, ET_SEV_INFO, msg);
    }
}

static void unit_problem(void *vu, const char *msg)
{
    an_unit *u = vu;
    u->problems = realloc(u->problems, (u->nproblems + 1) * sizeof *u->problems);
    if (!u->problems) abort();
    u->problems[u->nproblems++] = xstrdup(msg);
}

/* ---- calling thread: merge in input order ----------------------------------------------------- */

static et_input *current_input(analysis *a) { return &a->report->inputs[a->report->ninputs - 1]; }

static et_input *add_input(analysis *a, const char *display, uint64_t size)
{
    et_report *r = a->report;
    if (r->ninputs == a->inputs_alloc) {
        a->inputs_alloc = a->inputs_alloc ? a->inputs_alloc * 2 : 16;
        r->inputs = realloc(r->inputs, a->inputs_alloc * sizeof *r->inputs);
        if (!r->inputs) abort();
    }
    et_input *in = &r->inputs[r->ninputs++];
    memset(in, 0, sizeof *in);
    in->path = xstrdup(display);
    in->size = size;
    return in;
}

static void file_begin(void *vctx, const et_scan_file *f)
{
    analysis *a = vctx;
    add_input(a, f->display, f->size);
}

/* Every entry goes to the whole timeline's store (flat memory: it spills sorted runs). */
static void merge_timeline(analysis *a, an_unit *u)
{
    for (size_t i = 0; i < u->ntl; i++) et_tl_store_add(a->report->tlstore, &u->tl[i]);
    free(u->tl);
}

/* The report's own view: the first entries of the whole timeline, in time order. */
typedef struct view { et_report *r; size_t cap; } view;

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

static int view_add(const et_timeline_entry *e, void *vctx)
{
    view *v = vctx;
    et_report *r = v->r;
    if (r->ntimeline == v->cap) { r->ntimeline_dropped++; return 0; }
    et_timeline_entry *t = &r->timeline[r->ntimeline++];
    *t = *e;
    t->host = dup_or_null(e->host); t->channel = dup_or_null(e->channel); t->provider = dup_or_null(e->provider);
    t->message = dup_or_null(e->message); t->file = dup_or_null(e->file); t->rule = dup_or_null(e->rule);
    return 0;
}

static void build_view(et_report *r, size_t cap)
{
    size_t total = et_tl_store_counts(r->tlstore)->entries;
    size_t n = total < cap ? total : cap;
    r->timeline = calloc(n ? n : 1, sizeof *r->timeline);
    if (!r->timeline) abort();
    view v = {r, n};
    et_tl_store_each(r->tlstore, view_add, &v);
}

static void merge_matches(analysis *a, an_unit *u)
{
    size_t cap = a->opts->match_cap ? a->opts->match_cap : DEFAULT_MATCH_CAP;
    for (size_t i = 0; i < u->nm; i++) kept_add(&a->kept, &u->m[i], cap);
    free(u->m);
}

static void unit_done(void *vctx, void *vu, const et_scan_file *f)
{
    analysis *a = vctx;
    an_unit *u = vu;
    et_input *in = current_input(a);
    et_input_merge(in, &u->seen);
    if (u->nproblems) a->problems++;   /* a damaged record or chunk: exit 1, as in dump */
    for (size_t i = 0; i < u->nproblems; i++) {
        et_term_say(f->display, u->problems[i]);
        et_input_add_problem(in, u->problems[i]);
        free(u->problems[i]);
    }
    free(u->problems);
    a->report->events_read += u->events;
    merge_timeline(a, u);
    merge_matches(a, u);
    et_correlator_merge(a->corr, u->corr);
    et_correlator_free(u->corr);
    et_scanner_take_giveups(u->scanner, &a->giveups, &a->ngiveups, &a->capgiveups);
    et_scanner_free(u->scanner);
    et_input_clear(&u->seen);
    free(u);
    if (++a->units % TRIM_EVERY == 0) give_back_freed();   /* see TRIM_EVERY */
}

/* Rules whose regular expressions gave up on the input's events: matches left unknown, so a
 * gap of the report (the input itself is whole) and exit 1. */
static void say_giveups(analysis *a, const char *display)
{
    kept_set *k = &a->kept;
    for (size_t i = 0; i < a->ngiveups; i++) {
        char msg[ET_GIVEUP_MESSAGE_MAX];
        et_giveup_message(&a->giveups[i], msg, sizeof msg);
        et_term_say(display, msg);
        a->problems++;
        if (k->ngave_up == KEPT_GAVE_UP) { k->gave_up_more++; continue; }
        if (!k->gave_up) k->gave_up = calloc(KEPT_GAVE_UP, sizeof *k->gave_up);
        if (!k->gave_up) abort();
        size_t n = strlen(display) + 2 + strlen(msg) + 1;
        char *line = malloc(n);
        if (!line) abort();
        snprintf(line, n, "%s: %s", display, msg);
        k->gave_up[k->ngave_up++] = line;
    }
    a->ngiveups = 0;
}

static void file_end(void *vctx, const et_scan_file *f)
{
    analysis *a = vctx;
    et_input *in = current_input(a);
    memcpy(in->sha256, f->sha256, sizeof in->sha256);   /* complete at file_end */
    in->size = f->size;   /* a member found damaged as it was read: shorter than at its begin */
    if (f->note) {   /* a damaged member: read up to the damage */
        et_term_say(f->display, f->note);
        et_input_add_problem_first(in, f->note);
        a->problems++;
    }
    et_input_end(in, &f->stats);
    if (f->stats.skipped) a->problems++;
    say_giveups(a, f->display);
    if (f->hash_error) {
        char msg[320];
        snprintf(msg, sizeof msg, "SHA-256 not computed: %s", f->hash_error);
        et_term_say(f->display, msg);
        et_input_add_problem(in, msg);
        a->problems++;
    }
}

/* A path passed over goes in the report too (the first ET_REPORT_MAX_SKIPPED of them). */
static void add_skip(et_report *r, const char *display, const char *msg)
{
    if (r->nskipped_total++ >= ET_REPORT_MAX_SKIPPED) return;
    if (!r->skipped) r->skipped = calloc(ET_REPORT_MAX_SKIPPED, sizeof *r->skipped);
    if (!r->skipped) abort();
    const char *why = strncmp(msg, "skipped: ", 9) ? msg : msg + 9;
    r->skipped[r->nskipped++] = (et_skip){xstrdup(display), xstrdup(why)};
}

static void input_problem(void *vctx, const char *display, const char *msg, bool is_skip)
{
    analysis *a = vctx;
    et_term_say(display, msg);
    if (is_skip) { add_skip(a->report, display, msg); return; }
    et_input *in = add_input(a, display, 0);
    in->unreadable = true;
    et_input_add_problem(in, msg);
    a->problems++;
}

/* An archive comes after everything read from it: its inputs are the last ones, named
 * "PATH!..." (its own problems, named PATH, may sit among them). */
static void archive_done(void *vctx, const et_scan_archive *sa)
{
    analysis *a = vctx;
    et_report *r = a->report;
    r->archives = realloc(r->archives, (r->narchives + 1) * sizeof *r->archives);
    if (!r->archives) abort();
    et_archive *ar = &r->archives[r->narchives++];
    *ar = (et_archive){.path = xstrdup(sa->display), .size = sa->size, .members = sa->members};
    memcpy(ar->sha256, sa->sha256, sizeof ar->sha256);
    size_t len = strlen(sa->display);
    for (size_t i = r->ninputs; i-- > 0;) {
        const char *p = r->inputs[i].path;
        if (strncmp(p, sa->display, len) != 0 || (p[len] != '!' && p[len] != 0)) break;
        if (p[len] != '!') continue;
        ar->inputs++;
        ar->unreadable += r->inputs[i].unreadable;
    }
    if (sa->hash_error) {
        char msg[320];
        snprintf(msg, sizeof msg, "SHA-256 of the archive not computed: %s", sa->hash_error);
        et_term_say(sa->display, msg);
        a->problems++;
    }
}

/* ---- correlation hits ---------------------------------------------------------------------- */

static void copy_evref(kept_match *k, const et_evref *e)
{
    memset(k, 0, sizeof *k);
    k->rule = e->rule;
    k->ev.file = xstrdup(e->file);
    k->ev.record_id = e->record_id;
    k->ev.timestamp = e->timestamp;
    k->ev.computer = xstrdup(e->computer);
    k->ev.channel = xstrdup(e->channel);
    k->ev.event_id = e->event_id;
    k->ev.message = xstrdup(e->rule && e->rule->title ? e->rule->title : "");
    k->provider = xstrdup("");
    for (size_t i = 0; i < e->nvalues; i++) add_value(k, e->values[i].name, e->values[i].value);
}

static void on_hit(const et_corr_hit *h, void *vctx)
{
    analysis *a = vctx;
    if (!h->rule->standalone) return;   /* only feeds another correlation */
    kept_hit hit = {0}, *kh = &hit;
    kh->rule = h->rule;
    kh->first_time = h->first_time;
    kh->last_time = h->last_time;
    kh->count = h->count;
    kh->ngroup = h->ngroup;
    kh->group = calloc(h->ngroup ? h->ngroup : 1, sizeof *kh->group);
    for (size_t i = 0; i < h->ngroup; i++) {
        kh->group[i].key = xstrdup(h->group[i].name);
        kh->group[i].value = xstrdup(h->group[i].value);
    }
    kh->nevents = h->nevents;
    kh->nevents_total = h->nevents_total;
    kh->events = calloc(h->nevents ? h->nevents : 1, sizeof *kh->events);
    for (size_t i = 0; i < h->nevents; i++) copy_evref(&kh->events[i], &h->events[i]);
    kept_add_hit(&a->kept, kh);   /* merged with its group's, or counted past the bounds */
}

/* What the correlator could not use: kept for the report's gaps and the warnings. */
static void on_loss(const char *sentence, bool lost, void *vctx)
{
    kept_set *k = vctx;
    if (k->ncorr_losses < 2) snprintf(k->corr_losses[k->ncorr_losses++], sizeof k->corr_losses[0], "%s", sentence);
    k->corr_lost |= lost;
}

/* A record in two inputs (the same log copied) counts once, unless --keep-copies. */
static void drop_copies(analysis *a, et_report *r)
{
    bool ok = false;
    r->copies_counted = true;
    if (a->opts->keep_copies) return;
    kept_drop_copies(&a->kept, &ok);
    r->copies_counted = !ok;
    if (!ok) fprintf(stderr, "evtriage: warning: copies of records in more than one input could not be told apart (a "
                     "temporary file could not be written); each copy is counted\n");
}

/* Now in ISO 8601 UTC, or SOURCE_DATE_EPOCH's time for reproducible reports. */
static char *now_iso(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
    char iso[32];
    et_filetime_to_iso((int64_t)t * ET_TICKS_PER_SEC + ET_EPOCH_DIFF_TICKS, iso);
    return xstrdup(iso);
}

static int cmp_path(const void *pa, const void *pb) { return strcmp(*(char *const *)pa, *(char *const *)pb); }

static int cmp_input(const void *pa, const void *pb)
{
    return strcmp(((const et_input *)pa)->path, ((const et_input *)pb)->path);
}

static int cmp_archive(const void *pa, const void *pb)
{
    return strcmp(((const et_archive *)pa)->path, ((const et_archive *)pb)->path);
}

static int cmp_skip(const void *pa, const void *pb)
{
    const et_skip *a = pa, *b = pb;
    int c = strcmp(a->path, b->path);
    return c ? c : strcmp(a->reason, b->reason);
}

et_report *et_analyze(char **paths, int npaths, const et_ruleset *rules, const et_analysis_opts *opts,
                      int *problems)
{
    analysis a = {.opts = opts, .rules = rules};
    a.report = calloc(1, sizeof *a.report);
    if (!a.report) abort();
    a.report->tlstore = et_tl_store_new();
    a.kept.rules = rules;
    a.codes = opts->codes;
    a.corr = et_correlator_new(rules, 0);
    et_correlator_keep_copies(a.corr, opts->keep_copies);
    if (!opts->keep_copies) kept_track_copies(&a.kept);
    et_scan_consumer c = {.ctx = &a, .unit_new = unit_new, .event = unit_event, .problem = unit_problem,
                          .file_begin = file_begin, .unit_done = unit_done, .file_end = file_end,
                          .input_problem = input_problem, .archive = archive_done};
    et_scan_opts so = {.jobs = opts->jobs, .hash = !opts->no_hash, .limits = opts->limits, .progress = opts->progress};
    a.report->unhashed = opts->no_hash;
    /* paths in name order: which records a finding keeps (the first 200), and which copy of a
     * record it shows, must not depend on the order they were given in */
    char **sorted = malloc((size_t)(npaths > 0 ? npaths : 1) * sizeof *sorted);
    if (!sorted) abort();
    if (npaths > 0) memcpy(sorted, paths, (size_t)npaths * sizeof *sorted);
    if (npaths > 1) qsort(sorted, (size_t)npaths, sizeof *sorted, cmp_path);
    et_scan(sorted, npaths, &so, &c);
    free(sorted);
    give_back_freed();   /* what the worker threads' arenas freed goes back before the report is built */
    et_report *r = a.report;
    et_correlator_finish(a.corr, on_hit, &a);
    if (!opts->keep_copies && !et_tl_store_drop_copies(r->tlstore, &r->copies))
        fprintf(stderr, "evtriage: warning: the timeline could not be rewritten without the copies of its records (a "
                "temporary file could not be written); it lists each copy\n");
    /* order-independence: inputs sorted by name, timeline by time (ties by host, channel, record, file) */
    if (r->ninputs) qsort(r->inputs, r->ninputs, sizeof *r->inputs, cmp_input);
    if (r->narchives) qsort(r->archives, r->narchives, sizeof *r->archives, cmp_archive);
    if (r->nskipped) qsort(r->skipped, r->nskipped, sizeof *r->skipped, cmp_skip);
    build_view(r, opts->timeline_cap ? opts->timeline_cap : DEFAULT_TIMELINE_CAP);
    r->nrules = et_ruleset_count(rules);
    r->tool_version = xstrdup(EVTRIAGE_VERSION);
    r->tz = opts->tz ? xstrdup(opts->tz) : NULL;
    r->generated_at = now_iso();
    et_correlator_losses(a.corr, on_loss, &a.kept);
    drop_copies(&a, r);
    et_build_findings(&a.kept, r, a.codes);
    et_find_gaps(&a.kept, r);
    if (a.kept.dropped)
        fprintf(stderr, "evtriage: note: %zu matched record(s) were counted but not kept as evidence (at most %d per "
                "finding, %zu in all); counts stay exact\n", a.kept.dropped, KEPT_PER_GROUP, a.kept.nmatches);
    for (size_t i = 0; i < a.kept.ncorr_losses; i++) fprintf(stderr, "evtriage: warning: %s\n", a.kept.corr_losses[i]);
    bool lost = a.kept.corr_lost;
    if (et_tl_store_failed(r->tlstore)) {   /* the timeline-incomplete gap says it too */
        fprintf(stderr, "evtriage: warning: timeline entries were lost: a temporary file could not be written "
                "(TMPDIR full or not writable?)\n");
        lost = true;
    }
    et_correlator_free(a.corr);
    free(a.giveups);
    kept_set_free(&a.kept);
    if (problems) *problems = a.problems + (lost ? 1 : 0);
    return r;
}
