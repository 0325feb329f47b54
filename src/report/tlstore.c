/* tlstore.c: the whole timeline in time order with flat memory: entries collect in a bounded
 * buffer; a full buffer is sorted and spilled to an anonymous temporary file (a run); reading
 * merges the runs. Counts by severity, host and rule are kept as entries arrive. */
#include "report/report.h"
#include "core/tempfile.h"
#include <stdlib.h>
#include <string.h>

#define RUN_ENTRIES 16384     /* entries in memory before a run is written (~6 MiB) */
#define MAX_KEYS 256          /* distinct hosts / rules counted (the rest counted under "") */

typedef struct run { FILE *f; size_t n; } run;

struct et_tl_store {
    et_timeline_entry *buf; size_t n;
    run *runs; size_t nruns;
    et_tl_counts counts;
    int failed;               /* a temporary file could not be written: entries were lost */
};

static char *dupstr(const char *s)
{
    if (!s) return NULL;
    char *p = strdup(s);
    if (!p) abort();
    return p;
}

static void entry_free(et_timeline_entry *t)
{
    free(t->host); free(t->channel); free(t->provider); free(t->message); free(t->file); free(t->rule);
}

static void counts_clear(et_tl_counts *c)
{
    for (size_t i = 0; i < c->nhosts; i++) free(c->hosts[i].key);
    for (size_t i = 0; i < c->nrules; i++) free(c->rules[i].key);
    free(c->hosts);
    free(c->rules);
    memset(c, 0, sizeof *c);
}

et_tl_store *et_tl_store_new(void)
{
    et_tl_store *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->buf = malloc(RUN_ENTRIES * sizeof *s->buf);
    if (!s->buf) abort();
    return s;
}

void et_tl_store_free(et_tl_store *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) entry_free(&s->buf[i]);
    for (size_t i = 0; i < s->nruns; i++) fclose(s->runs[i].f);
    counts_clear(&s->counts);
    free(s->runs);
    free(s->buf);
    free(s);
}

static int cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

int et_tl_cmp(const et_timeline_entry *x, const et_timeline_entry *y)
{
    if (x->timestamp != y->timestamp) return x->timestamp < y->timestamp ? -1 : 1;
    int c = cmp_str(x->host, y->host);
    if (c) return c;
    if ((c = cmp_str(x->channel, y->channel))) return c;
    if (x->record_id != y->record_id) return x->record_id < y->record_id ? -1 : 1;
    if (x->event_id != y->event_id) return x->event_id < y->event_id ? -1 : 1;
    if ((c = cmp_str(x->file, y->file))) return c;
    if (x->recovered != y->recovered) return x->recovered ? 1 : -1;   /* a live record before a carved copy */
    return cmp_str(x->message, y->message);
}

static int cmp_entry(const void *a, const void *b) { return et_tl_cmp(a, b); }

static void count_key(et_tl_key **v, size_t *n, const char *key)
{
    const char *k = key ? key : "";
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i].key, k)) { (*v)[i].n++; return; }
    if (*n == MAX_KEYS) k = "";
    for (size_t i = 0; i < *n && *n == MAX_KEYS; i++)
        if (!(*v)[i].key[0]) { (*v)[i].n++; return; }
    *v = realloc(*v, (*n + 1) * sizeof **v);
    if (!*v) abort();
    (*v)[*n].key = dupstr(k);
    (*v)[(*n)++].n = 1;
}

/* ---- runs ------------------------------------------------------------------------------------- */

static void put_str(FILE *f, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) + 1 : 0;   /* 0: NULL */
    fwrite(&n, sizeof n, 1, f);
    if (n > 1) fwrite(s, 1, n - 1, f);
}

static char *get_str(FILE *f)
{
    uint32_t n;
    if (fread(&n, sizeof n, 1, f) != 1 || n == 0) return NULL;
    char *s = malloc(n);
    if (!s) abort();
    if (n > 1 && fread(s, 1, n - 1, f) != n - 1) { free(s); return NULL; }
    s[n - 1] = 0;
    return s;
}

static void put_entry(FILE *f, const et_timeline_entry *t)
{
    uint8_t flags[2] = {(uint8_t)t->severity, (uint8_t)t->recovered};
    fwrite(&t->timestamp, sizeof t->timestamp, 1, f);
    fwrite(&t->event_id, sizeof t->event_id, 1, f);
    fwrite(&t->record_id, sizeof t->record_id, 1, f);
    fwrite(flags, 1, 2, f);
    put_str(f, t->host); put_str(f, t->channel); put_str(f, t->provider);
    put_str(f, t->message); put_str(f, t->file); put_str(f, t->rule);
}

static int get_entry(FILE *f, et_timeline_entry *t)
{
    uint8_t flags[2];
    memset(t, 0, sizeof *t);
    if (fread(&t->timestamp, sizeof t->timestamp, 1, f) != 1 || fread(&t->event_id, sizeof t->event_id, 1, f) != 1 ||
        fread(&t->record_id, sizeof t->record_id, 1, f) != 1 || fread(flags, 1, 2, f) != 2)
        return 0;
    t->severity = (et_severity)flags[0];
    t->recovered = flags[1];
    t->host = get_str(f); t->channel = get_str(f); t->provider = get_str(f);
    t->message = get_str(f); t->file = get_str(f); t->rule = get_str(f);
    return 1;
}

static void spill(et_tl_store *s)
{
    if (!s->n) return;
    qsort(s->buf, s->n, sizeof *s->buf, cmp_entry);
    FILE *f = et_temp_file();   /* unnamed: removed whatever happens to the process */
    if (!f) { s->failed = 1; for (size_t i = 0; i < s->n; i++) entry_free(&s->buf[i]); s->n = 0; return; }
    for (size_t i = 0; i < s->n; i++) { put_entry(f, &s->buf[i]); entry_free(&s->buf[i]); }
    if (fflush(f) != 0 || ferror(f)) s->failed = 1;
    s->runs = realloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
    if (!s->runs) abort();
    s->runs[s->nruns++] = (run){f, s->n};
    s->n = 0;
}

static void count_entry(et_tl_counts *c, const et_timeline_entry *t)
{
    if (!c->entries || t->timestamp < c->first_time) c->first_time = t->timestamp;
    if (!c->entries || t->timestamp > c->last_time) c->last_time = t->timestamp;
    c->entries++;
    c->by_severity[(unsigned)t->severity <= ET_SEV_CRITICAL ? t->severity : 0]++;
    count_key(&c->hosts, &c->nhosts, t->host);
    if (t->rule) count_key(&c->rules, &c->nrules, t->rule);
}

void et_tl_store_add(et_tl_store *s, const et_timeline_entry *t)
{
    count_entry(&s->counts, t);
    if (s->n == RUN_ENTRIES) spill(s);
    s->buf[s->n++] = *t;
}

const et_tl_counts *et_tl_store_counts(const et_tl_store *s) { return &s->counts; }
bool et_tl_store_failed(const et_tl_store *s) { return s->failed; }

/* ---- reading: the buffer alone, or a k-way merge of the runs and the sorted buffer ---------- */

int et_tl_store_each(et_tl_store *s, et_tl_fn fn, void *ctx)
{
    if (s->n > 1) qsort(s->buf, s->n, sizeof *s->buf, cmp_entry);
    if (!s->nruns) {
        for (size_t i = 0; i < s->n; i++)
            if (fn(&s->buf[i], ctx)) return 1;
        return 0;
    }
    size_t k = s->nruns;
    et_timeline_entry *head = calloc(k, sizeof *head);
    size_t *left = calloc(k, sizeof *left), mem = 0;
    if (!head || !left) abort();
    for (size_t i = 0; i < k; i++) {
        rewind(s->runs[i].f);
        left[i] = s->runs[i].n;
        if (left[i] && !get_entry(s->runs[i].f, &head[i])) { left[i] = 0; s->failed = 1; }
    }
    int stop = 0;
    while (!stop) {
        size_t best = k;   /* k: the buffer's next entry */
        for (size_t i = 0; i < k; i++)
            if (left[i] && (best == k || et_tl_cmp(&head[i], &head[best]) < 0)) best = i;
        if (mem < s->n && (best == k || et_tl_cmp(&s->buf[mem], &head[best]) < 0)) best = k;
        else if (best == k) break;
        if (best == k) { stop = fn(&s->buf[mem], ctx); mem++; continue; }
        stop = fn(&head[best], ctx);
        entry_free(&head[best]);
        if (--left[best] && !get_entry(s->runs[best].f, &head[best])) { left[best] = 0; s->failed = 1; }
    }
    for (size_t i = 0; i < k; i++) if (left[i]) entry_free(&head[i]);
    free(head);
    free(left);
    return stop;
}

/* ---- copies: one record from two inputs (or twice in one) ----------------------------------- */

static bool same_record(const et_timeline_entry *a, const et_timeline_entry *b)
{
    return a->timestamp == b->timestamp && a->record_id == b->record_id && a->event_id == b->event_id &&
           !cmp_str(a->host, b->host) && !cmp_str(a->channel, b->channel);
}

/* The last entry written, as much of it as same_record reads (its strings copied). */
typedef struct last_kept {
    et_timeline_entry e;
    char *host, *channel; size_t hcap, ccap;
    bool any;
} last_kept;

static char *keep_str(char **dst, size_t *cap, const char *src)
{
    if (!src) return NULL;
    size_t n = strlen(src) + 1;
    if (n > *cap) { *cap = n * 2; if (!(*dst = realloc(*dst, *cap))) abort(); }
    return memcpy(*dst, src, n);
}

typedef struct rewrite { et_tl_store *s; FILE *f; last_kept last; size_t copies; } rewrite;

static int rewrite_one(const et_timeline_entry *t, void *vctx)
{
    rewrite *w = vctx;
    if (w->last.any && same_record(&w->last.e, t)) { w->copies++; return 0; }
    put_entry(w->f, t);
    count_entry(&w->s->counts, t);
    w->last.e = *t;
    w->last.e.host = keep_str(&w->last.host, &w->last.hcap, t->host);
    w->last.e.channel = keep_str(&w->last.channel, &w->last.ccap, t->channel);
    w->last.any = true;
    return 0;
}

/* In memory: sorted, compacted in place. */
static size_t drop_copies_in_buffer(et_tl_store *s)
{
    if (s->n > 1) qsort(s->buf, s->n, sizeof *s->buf, cmp_entry);
    size_t out = 0;
    counts_clear(&s->counts);
    for (size_t i = 0; i < s->n; i++) {
        if (out && same_record(&s->buf[out - 1], &s->buf[i])) { entry_free(&s->buf[i]); continue; }
        s->buf[out++] = s->buf[i];
        count_entry(&s->counts, &s->buf[out - 1]);
    }
    size_t copies = s->n - out;
    s->n = out;
    return copies;
}

size_t et_tl_store_drop_copies(et_tl_store *s)
{
    if (!s->nruns) return drop_copies_in_buffer(s);
    FILE *f = et_temp_file();
    if (!f) return 0;   /* the copies stay (counted in each input) */
    rewrite w = {.s = s, .f = f};
    et_tl_counts before = s->counts;
    memset(&s->counts, 0, sizeof s->counts);
    et_tl_store_each(s, rewrite_one, &w);
    free(w.last.host);
    free(w.last.channel);
    if (fflush(f) != 0 || ferror(f)) {   /* keep what was there */
        fclose(f);
        counts_clear(&s->counts);
        s->counts = before;
        return 0;
    }
    counts_clear(&before);
    for (size_t i = 0; i < s->nruns; i++) fclose(s->runs[i].f);
    for (size_t i = 0; i < s->n; i++) entry_free(&s->buf[i]);
    s->n = 0;
    s->runs[0] = (run){f, s->counts.entries};
    s->nruns = 1;
    return w.copies;
}
