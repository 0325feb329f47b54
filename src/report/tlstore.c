/* tlstore.c: the whole timeline in time order with flat memory: entries collect in a bounded
 * buffer; a full buffer is sorted and appended as a run to one unnamed temporary file; reading
 * merges the runs, each through a small read-ahead window. TIER runs of one size are merged
 * into one (their space given back to the file system), so the runs a read merges, and the
 * memory it needs, grow with the logarithm of the timeline. Counts by severity, host and rule
 * are kept as entries arrive. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE           /* fallocate */
#endif
#include "report/report.h"
#include "core/tempfile.h"
#include "core/window.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_ENTRIES 16384     /* entries in memory before a run is written (~6 MiB) */
#define TIER 64               /* runs of one level merged into one of the next */
#define WINDOW 8192           /* bytes read ahead per run while merging */
#define KEY_SLOTS (2 * ET_TL_MAX_KEYS)   /* hash slots per key table: at most half of them used */

typedef struct run { uint64_t off, len; size_t n; unsigned level; } run;

struct et_tl_store {
    et_timeline_entry *buf; size_t n, cap;
    FILE *spill;              /* the runs, one after another (NULL until the first) */
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

void et_tl_counts_clear(et_tl_counts *c)
{
    for (size_t i = 0; i < c->nhosts; i++) free(c->hosts[i].key);
    for (size_t i = 0; i < c->nrules; i++) free(c->rules[i].key);
    free(c->hosts);
    free(c->rules);
    free(c->host_slots);
    free(c->rule_slots);
    memset(c, 0, sizeof *c);
}

et_tl_store *et_tl_store_new_sized(size_t run_entries)
{
    et_tl_store *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->cap = run_entries ? run_entries : RUN_ENTRIES;
    s->buf = malloc(s->cap * sizeof *s->buf);
    if (!s->buf) abort();
    return s;
}

et_tl_store *et_tl_store_new(void) { return et_tl_store_new_sized(0); }

void et_tl_store_free(et_tl_store *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) entry_free(&s->buf[i]);
    if (s->spill) fclose(s->spill);
    et_tl_counts_clear(&s->counts);
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

/* One more entry of key: counted under its name while the table holds fewer than
 * ET_TL_MAX_KEYS names (found through the hash slots, so an entry costs one probe or two
 * whatever the number of hosts), else in *other. (It used to add "" as a 257th key, after which
 * every new host was appended and the list scanned: 200,000 hosts took two minutes.) */
static void count_key(et_tl_key **v, size_t *n, size_t *other, uint32_t **slots, const char *key)
{
    const char *k = key ? key : "";
    if (!*slots && !(*slots = calloc(KEY_SLOTS, sizeof **slots))) abort();
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (const char *p = k; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    size_t i = h & (KEY_SLOTS - 1);
    for (; (*slots)[i]; i = (i + 1) & (KEY_SLOTS - 1))
        if (!strcmp((*v)[(*slots)[i] - 1].key, k)) { (*v)[(*slots)[i] - 1].n++; return; }
    if (*n >= ET_TL_MAX_KEYS) { (*other)++; return; }
    *v = realloc(*v, (*n + 1) * sizeof **v);
    if (!*v) abort();
    (*v)[*n].key = dupstr(k);
    (*v)[(*n)++].n = 1;
    (*slots)[i] = (uint32_t)*n;
}

/* ---- runs: entries appended to the spill file, read back through cursors ------------------- */

static void put_str(FILE *f, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) + 1 : 0;   /* 0: NULL */
    fwrite(&n, sizeof n, 1, f);
    if (n > 1) fwrite(s, 1, n - 1, f);
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

/* Where the next run starts: the spill file, opened at the first run; -1 if it cannot be. */
static int64_t run_start(et_tl_store *s)
{
    if (!s->spill && !(s->spill = et_temp_file())) return -1;   /* unnamed: gone with the process */
    return (int64_t)ftello(s->spill);
}

/* Ends the run begun at off with n entries; false if it could not be written (it is not added). */
static bool run_end(et_tl_store *s, int64_t off, size_t n, unsigned level)
{
    if (fflush(s->spill) != 0 || ferror(s->spill)) { clearerr(s->spill); return false; }
    s->runs = realloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
    if (!s->runs) abort();
    s->runs[s->nruns++] = (run){(uint64_t)off, (uint64_t)ftello(s->spill) - (uint64_t)off, n, level};
    return true;
}

/* Gives the space of runs merged into another back to the file system (where it can). */
static void release(et_tl_store *s, const run *r)
{
#ifdef FALLOC_FL_PUNCH_HOLE
    if (r->len) (void)fallocate(fileno(s->spill), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)r->off, (off_t)r->len);
#else
    (void)s; (void)r;
#endif
}

typedef struct cursor {
    et_window w;              /* the run's bytes */
    size_t left;              /* entries still to decode */
    et_timeline_entry head;   /* valid while live */
    bool live;
} cursor;

static int get_str(cursor *c, char **out)
{
    uint32_t n;
    *out = NULL;
    if (et_window_read(&c->w, &n, sizeof n) != 0) return -1;
    if (n == 0) return 0;
    char *p = malloc(n);
    if (!p) abort();
    if (n > 1 && et_window_read(&c->w, p, n - 1) != 0) { free(p); return -1; }
    p[n - 1] = 0;
    *out = p;
    return 0;
}

/* The cursor's next entry into its head; false at the end of the run (or a short read, which
 * only a failing disk gives: then failed). */
static bool cur_next(et_tl_store *s, cursor *c)
{
    c->live = false;
    if (!c->left) return false;
    et_timeline_entry *t = &c->head;
    uint8_t flags[2];
    memset(t, 0, sizeof *t);
    et_window *w = &c->w;
    int bad = et_window_read(w, &t->timestamp, sizeof t->timestamp) || et_window_read(w, &t->event_id, sizeof t->event_id) ||
              et_window_read(w, &t->record_id, sizeof t->record_id) || et_window_read(w, flags, 2) ||
              get_str(c, &t->host) || get_str(c, &t->channel) || get_str(c, &t->provider) ||
              get_str(c, &t->message) || get_str(c, &t->file) || get_str(c, &t->rule);
    if (bad) { entry_free(t); s->failed = 1; c->left = 0; return false; }
    t->severity = (et_severity)flags[0];
    t->recovered = flags[1];
    c->left--;
    return c->live = true;
}

/* Runs [from, from + k), and the sorted buffer when with_buffer, in time order into fn. */
static int merge(et_tl_store *s, size_t from, size_t k, bool with_buffer, et_tl_fn fn, void *ctx)
{
    cursor *cur = calloc(k ? k : 1, sizeof *cur);
    unsigned char *wins = malloc((k ? k : 1) * WINDOW);
    if (!cur || !wins) abort();
    for (size_t i = 0; i < k; i++) {
        const run *r = &s->runs[from + i];
        cur[i] = (cursor){.left = r->n};
        et_window_init(&cur[i].w, fileno(s->spill), r->off, r->len, wins + i * WINDOW, WINDOW);
        cur_next(s, &cur[i]);
    }
    size_t mem = 0, nmem = with_buffer ? s->n : 0;
    int stop = 0;
    while (!stop) {
        size_t best = k;   /* k: the buffer's next entry */
        for (size_t i = 0; i < k; i++)
            if (cur[i].live && (best == k || et_tl_cmp(&cur[i].head, &cur[best].head) < 0)) best = i;
        if (mem < nmem && (best == k || et_tl_cmp(&s->buf[mem], &cur[best].head) < 0)) {
            stop = fn(&s->buf[mem++], ctx);
            continue;
        }
        if (best == k) break;
        stop = fn(&cur[best].head, ctx);
        entry_free(&cur[best].head);
        cur_next(s, &cur[best]);
    }
    for (size_t i = 0; i < k; i++) if (cur[i].live) entry_free(&cur[i].head);
    free(wins);
    free(cur);
    return stop;
}

static int write_one(const et_timeline_entry *t, void *ctx)
{
    put_entry(((et_tl_store *)ctx)->spill, t);
    return 0;
}

/* While the last TIER runs are of one level, they become one run of the next. */
static void merge_tiers(et_tl_store *s)
{
    while (s->nruns >= TIER) {
        size_t from = s->nruns - TIER, n = 0;
        unsigned level = s->runs[from].level;
        for (size_t i = from; i < s->nruns; i++) {
            if (s->runs[i].level != level) return;
            n += s->runs[i].n;
        }
        int64_t off = run_start(s);
        merge(s, from, TIER, false, write_one, s);
        run old[TIER];
        memcpy(old, &s->runs[from], sizeof old);
        s->nruns = from;
        if (!run_end(s, off, n, level + 1)) {   /* the disk is full: the runs stay as they were */
            memcpy(&s->runs[from], old, sizeof old);
            s->nruns = from + TIER;
            return;
        }
        for (size_t i = 0; i < TIER; i++) release(s, &old[i]);
    }
}

static void spill(et_tl_store *s)
{
    if (!s->n) return;
    qsort(s->buf, s->n, sizeof *s->buf, cmp_entry);
    int64_t off = run_start(s);
    if (off >= 0)
        for (size_t i = 0; i < s->n; i++) put_entry(s->spill, &s->buf[i]);
    for (size_t i = 0; i < s->n; i++) entry_free(&s->buf[i]);
    if (off < 0 || !run_end(s, off, s->n, 0)) s->failed = 1;
    else merge_tiers(s);
    s->n = 0;
}

void et_tl_counts_add(et_tl_counts *c, const et_timeline_entry *t)
{
    if (!c->entries || t->timestamp < c->first_time) c->first_time = t->timestamp;
    if (!c->entries || t->timestamp > c->last_time) c->last_time = t->timestamp;
    c->entries++;
    c->by_severity[(unsigned)t->severity <= ET_SEV_CRITICAL ? t->severity : 0]++;
    count_key(&c->hosts, &c->nhosts, &c->hosts_other, &c->host_slots, t->host);
    if (t->rule) count_key(&c->rules, &c->nrules, &c->rules_other, &c->rule_slots, t->rule);
}

void et_tl_store_add(et_tl_store *s, const et_timeline_entry *t)
{
    et_tl_counts_add(&s->counts, t);
    if (s->n == s->cap) spill(s);
    s->buf[s->n++] = *t;
}

const et_tl_counts *et_tl_store_counts(const et_tl_store *s) { return &s->counts; }
bool et_tl_store_failed(const et_tl_store *s) { return s->failed; }
size_t et_tl_store_runs(const et_tl_store *s) { return s->nruns; }

/* ---- reading: the runs merged with the sorted buffer ---------------------------------------- */

int et_tl_store_each(et_tl_store *s, et_tl_fn fn, void *ctx)
{
    if (s->n > 1) qsort(s->buf, s->n, sizeof *s->buf, cmp_entry);
    return merge(s, 0, s->nruns, true, fn, ctx);
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

typedef struct rewrite { et_tl_store *s; last_kept last; size_t copies; } rewrite;

static int rewrite_one(const et_timeline_entry *t, void *vctx)
{
    rewrite *w = vctx;
    if (w->last.any && same_record(&w->last.e, t)) { w->copies++; return 0; }
    put_entry(w->s->spill, t);
    et_tl_counts_add(&w->s->counts, t);
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
    et_tl_counts_clear(&s->counts);
    for (size_t i = 0; i < s->n; i++) {
        if (out && same_record(&s->buf[out - 1], &s->buf[i])) { entry_free(&s->buf[i]); continue; }
        s->buf[out++] = s->buf[i];
        et_tl_counts_add(&s->counts, &s->buf[out - 1]);
    }
    size_t copies = s->n - out;
    s->n = out;
    return copies;
}

/* Spilled: everything merged into one new run at the end of the file, without the copies. */
bool et_tl_store_drop_copies(et_tl_store *s, size_t *dropped)
{
    *dropped = 0;
    if (!s->nruns) { *dropped = drop_copies_in_buffer(s); return true; }
    int64_t off = run_start(s);
    if (off < 0) return false;
    rewrite w = {.s = s};
    et_tl_counts before = s->counts;
    memset(&s->counts, 0, sizeof s->counts);
    et_tl_store_each(s, rewrite_one, &w);
    free(w.last.host);
    free(w.last.channel);
    size_t nruns = s->nruns;
    unsigned level = 0;
    for (size_t i = 0; i < nruns; i++) if (s->runs[i].level > level) level = s->runs[i].level;
    if (!run_end(s, off, s->counts.entries, level + 1)) {   /* keep what was there */
        et_tl_counts_clear(&s->counts);   /* nothing was lost: the old runs stay */
        s->counts = before;
        return false;
    }
    et_tl_counts_clear(&before);
    for (size_t i = 0; i < nruns; i++) release(s, &s->runs[i]);
    for (size_t i = 0; i < s->n; i++) entry_free(&s->buf[i]);
    s->n = 0;
    s->runs[0] = s->runs[nruns];
    s->nruns = 1;
    *dropped = w.copies;
    return true;
}
