/* spillsort.c: an external sort of fixed-size records (spillsort.h). A full buffer is sorted
 * and appended to the one temporary file as a run (its offset and count noted); reading keeps a
 * window of WINDOW_BYTES per run and a heap of the runs' heads, so one pass merges any number of
 * runs with one file descriptor. */
#include "core/spillsort.h"
#include "core/tempfile.h"
#include <errno.h>
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
    unsigned char *win; size_t at, len;   /* records in the window, and the next one */
    uint64_t off; size_t left;   /* still on disk */
} source;

typedef struct merge { et_spill *s; source *src; size_t *heap, nheap; } merge;

static void fill(merge *m, source *x)
{
    et_spill *s = m->s;
    size_t want = WINDOW_BYTES / s->size ? WINDOW_BYTES / s->size : 1;
    if (want > x->left) want = x->left;
    size_t bytes = want * s->size, got = 0;
    while (got < bytes) {
        ssize_t r = pread(s->fd, x->win + got, bytes - got, (off_t)(x->off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    if (got < bytes) { s->failed = true; x->left = 0; x->len = x->at = 0; return; }
    x->off += bytes;
    x->left -= want;
    x->len = want;
    x->at = 0;
}

/* Moves x to its next record (head NULL at its end). The buffer source has no window. */
static void advance(merge *m, source *x)
{
    if (!x->win) { x->head = x->at < x->len ? m->s->buf + x->at++ * m->s->size : NULL; return; }
    if (x->at == x->len) {
        if (!x->left) { x->head = NULL; return; }
        fill(m, x);
        if (!x->len) { x->head = NULL; return; }
    }
    x->head = x->win + x->at++ * m->s->size;
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
    size_t k = s->nruns + 1, per = WINDOW_BYTES / s->size ? WINDOW_BYTES / s->size : 1;
    merge m = {.s = s, .src = calloc(k, sizeof *m.src), .heap = calloc(k, sizeof *m.heap)};
    unsigned char *wins = s->nruns ? malloc(s->nruns * per * s->size) : NULL;
    if (!m.src || !m.heap || (s->nruns && !wins)) abort();
    for (size_t i = 0; i < k; i++) {
        source *x = &m.src[i];
        if (i < s->nruns) *x = (source){.win = wins + i * per * s->size, .off = s->runs[i].off, .left = s->runs[i].n};
        else x->len = s->n;   /* the buffer */
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
    free(wins);
    free(m.src);
    free(m.heap);
    return stop;
}
