/* spillsort.c: an external sort of fixed-size records (spillsort.h): the buffer is sorted and
 * written as a run when full; runs are merged with the buffer when read, and folded into one
 * when there are MAX_RUNS of them, so open files and merge width stay bounded. */
#include "core/spillsort.h"
#include "core/tempfile.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MEM_RECS 65536
#define MAX_RUNS 16

typedef struct run { FILE *f; size_t n; } run;

struct et_spill {
    size_t size, mem, n, total;
    et_spill_cmp cmp;
    unsigned char *buf;
    run runs[MAX_RUNS]; size_t nruns;
    bool failed;
};

et_spill *et_spill_new(size_t rec_size, size_t mem_recs, et_spill_cmp cmp)
{
    et_spill *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->size = rec_size;
    s->mem = mem_recs ? mem_recs : DEFAULT_MEM_RECS;
    s->cmp = cmp;
    s->buf = malloc(s->mem * rec_size);
    if (!s->buf) abort();
    return s;
}

void et_spill_free(et_spill *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nruns; i++) fclose(s->runs[i].f);
    free(s->buf);
    free(s);
}

size_t et_spill_count(const et_spill *s) { return s->total; }
bool et_spill_failed(const et_spill *s) { return s->failed; }

/* ---- merging: the runs' heads and the sorted buffer ------------------------------------------ */

typedef struct merge {
    et_spill *s;
    unsigned char *head;      /* one record per run */
    size_t left[MAX_RUNS], mem;
} merge;

static int next_head(merge *m, size_t i)
{
    if (!m->left[i]) return 0;
    if (fread(m->head + i * m->s->size, m->s->size, 1, m->s->runs[i].f) != 1) {
        m->left[i] = 0;
        m->s->failed = true;
        return 0;
    }
    return 1;
}

/* The smallest next record (a pointer valid until the next call), or NULL at the end. */
static const unsigned char *merge_pop(merge *m, unsigned char *out)
{
    et_spill *s = m->s;
    size_t best = s->nruns;   /* nruns: the buffer */
    const unsigned char *bp = NULL;
    for (size_t i = 0; i < s->nruns; i++)
        if (m->left[i] && (!bp || s->cmp(m->head + i * s->size, bp) < 0)) { best = i; bp = m->head + i * s->size; }
    if (m->mem < s->n && (!bp || s->cmp(s->buf + m->mem * s->size, bp) < 0)) return s->buf + m->mem++ * s->size;
    if (!bp) return NULL;
    memcpy(out, bp, s->size);
    m->left[best]--;
    next_head(m, best);
    return out;
}

static int merge_each(et_spill *s, et_spill_fn fn, void *ctx)
{
    if (s->n > 1) qsort(s->buf, s->n, s->size, s->cmp);
    merge m = {.s = s};
    m.head = malloc((s->nruns + 1) * s->size);
    if (!m.head) abort();
    unsigned char *out = m.head + s->nruns * s->size;
    for (size_t i = 0; i < s->nruns; i++) {
        rewind(s->runs[i].f);
        m.left[i] = s->runs[i].n;
        next_head(&m, i);
    }
    int stop = 0;
    const unsigned char *r;
    while (!stop && (r = merge_pop(&m, out))) stop = fn(r, ctx);
    free(m.head);
    return stop;
}

int et_spill_each(et_spill *s, et_spill_fn fn, void *ctx) { return merge_each(s, fn, ctx); }

/* ---- spilling --------------------------------------------------------------------------------- */

static int write_rec(const void *rec, void *ctx)
{
    void **w = ctx;
    et_spill *s = w[0];
    if (fwrite(rec, s->size, 1, w[1]) != 1) s->failed = true;
    return 0;
}

/* The buffer (with every run when there are MAX_RUNS - 1 of them already) becomes one more run;
 * if no temporary file can be had, the buffer's records are lost (and said: failed). */
static void spill(et_spill *s)
{
    bool all = s->nruns == MAX_RUNS - 1;
    FILE *f = et_temp_file();   /* unnamed: removed whatever happens to the process */
    if (!f) { s->failed = true; s->total -= s->n; s->n = 0; return; }
    size_t nruns = s->nruns, n = s->n;
    if (!all) s->nruns = 0;     /* the buffer alone, sorted */
    void *w[2] = {s, f};
    merge_each(s, write_rec, w);
    s->nruns = nruns;
    if (fflush(f) != 0 || ferror(f)) s->failed = true;
    if (all) {
        for (size_t i = 0; i < s->nruns; i++) { n += s->runs[i].n; fclose(s->runs[i].f); }
        s->nruns = 0;
    }
    s->runs[s->nruns++] = (run){f, n};
    s->n = 0;
}

void et_spill_add(et_spill *s, const void *rec)
{
    if (s->n == s->mem) spill(s);
    memcpy(s->buf + s->n++ * s->size, rec, s->size);
    s->total++;
}
