/* spillsort.c: an external sort of fixed-size records (spillsort.h). A full buffer is sorted
 * and appended to the one temporary file as a run (its offset and count noted); reading keeps a
 * window (core/window.c) of WINDOW_BYTES per run and a heap of the runs' heads, so one pass
 * merges any number of runs with one file descriptor. */
#include "core/spillsort.h"
#include "core/tempfile.h"
#include "core/window.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_MEM_RECS 65536
#define WINDOW_BYTES 8192

typedef struct run { uint64_t off; size_t n; } run;

struct et_spill {
    size_t size, mem, n, total;
    et_spill_cmp cmp;
    unsigned char *buf;
    int fd;                   /* -1 until the first run */
    uint64_t end;
    run *runs; size_t nruns;
    bool failed;
};

et_spill *et_spill_new(size_t rec_size, size_t mem_recs, et_spill_cmp cmp)
{
    et_spill *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->size = rec_size;
    s->mem = mem_recs ? mem_recs : DEFAULT_MEM_RECS;
    s->cmp = cmp;
    s->fd = -1;
    s->buf = malloc(s->mem * rec_size);
    if (!s->buf) abort();
    return s;
}

void et_spill_free(et_spill *s)
{
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    free(s->runs);
    free(s->buf);
    free(s);
}

size_t et_spill_count(const et_spill *s) { return s->total; }
size_t et_spill_runs(const et_spill *s) { return s->nruns; }
bool et_spill_failed(const et_spill *s) { return s->failed; }

/* ---- writing -------------------------------------------------------------------------------- */

/* The buffer, sorted, becomes one more run; if it cannot be written its records are lost (and
 * said: failed). */
static void spill(et_spill *s)
{
    char msg[256];
    qsort(s->buf, s->n, s->size, s->cmp);
    if (s->fd < 0) s->fd = et_temp_fd(msg, sizeof msg);
    if (s->fd < 0 || et_temp_write(s->fd, s->buf, s->n * s->size, msg, sizeof msg) != 0) {
        s->failed = true;
        s->total -= s->n;
        s->n = 0;
        return;
    }
    s->runs = realloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
    if (!s->runs) abort();
    s->runs[s->nruns++] = (run){s->end, s->n};
    s->end += (uint64_t)s->n * s->size;
    s->n = 0;
}

void et_spill_add(et_spill *s, const void *rec)
{
    if (s->n == s->mem) spill(s);
    memcpy(s->buf + s->n++ * s->size, rec, s->size);
    s->total++;
}

/* ---- reading: a heap of sources (the runs, then the buffer) by their head record ----------- */

typedef struct source {
    const unsigned char *head;   /* NULL: done */
    et_window w;                 /* a run's bytes (buf NULL: the source is the buffer) */
    unsigned char *rec;          /* the run's head, copied out of the window */
    size_t at, len;              /* the buffer's next record, and how many it has */
} source;

typedef struct merge { et_spill *s; source *src; size_t *heap, nheap; } merge;

/* Moves x to its next record (head NULL at its end; a run that reads back short, which only a
 * failing disk does, ends there: failed). */
static void advance(merge *m, source *x)
{
    et_spill *s = m->s;
    if (!x->w.buf) { x->head = x->at < x->len ? s->buf + x->at++ * s->size : NULL; return; }
    if (et_window_at_end(&x->w)) { x->head = NULL; return; }
    if (et_window_read(&x->w, x->rec, s->size) != 0) { s->failed = true; x->head = NULL; return; }
    x->head = x->rec;
}

static bool less(merge *m, size_t a, size_t b) { return m->s->cmp(m->src[a].head, m->src[b].head) < 0; }

static void sift_down(merge *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < m->nheap && less(m, m->heap[l], m->heap[best])) best = l;
        if (r < m->nheap && less(m, m->heap[r], m->heap[best])) best = r;
        if (best == i) return;
        size_t t = m->heap[i]; m->heap[i] = m->heap[best]; m->heap[best] = t;
        i = best;
    }
}

int et_spill_each(et_spill *s, et_spill_fn fn, void *ctx)
{
    if (s->n > 1) qsort(s->buf, s->n, s->size, s->cmp);
    size_t k = s->nruns + 1, each = WINDOW_BYTES + s->size;   /* a window and a head per run */
    merge m = {.s = s, .src = calloc(k, sizeof *m.src), .heap = calloc(k, sizeof *m.heap)};
    unsigned char *mem = s->nruns ? malloc(s->nruns * each) : NULL;
    if (!m.src || !m.heap || (s->nruns && !mem)) abort();
    for (size_t i = 0; i < k; i++) {
        source *x = &m.src[i];
        if (i < s->nruns) {
            et_window_init(&x->w, s->fd, s->runs[i].off, (uint64_t)s->runs[i].n * s->size, mem + i * each, WINDOW_BYTES);
            x->rec = mem + i * each + WINDOW_BYTES;
        } else {
            x->len = s->n;   /* the buffer */
        }
        advance(&m, x);
        if (x->head) m.heap[m.nheap++] = i;
    }
    for (size_t i = m.nheap / 2; i-- > 0;) sift_down(&m, i);
    int stop = 0;
    while (!stop && m.nheap) {
        source *x = &m.src[m.heap[0]];
        stop = fn(x->head, ctx);
        advance(&m, x);
        if (!x->head) m.heap[0] = m.heap[--m.nheap];
        sift_down(&m, 0);
    }
    free(mem);
    free(m.src);
    free(m.heap);
    return stop;
}
