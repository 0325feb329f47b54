/* ydoc_many.c: several YAML sources parsed side by side on the ordered pool, each into an
 * arena of its own, and handed over in source order on the calling thread (rule packs load
 * in the time of the largest, not of all of them). */
#include "core/ydoc.h"
#include "core/pool.h"
#include <stdlib.h>

typedef struct job {
    size_t index;
    const ydoc_source *src;
    et_arena arena;
    const ynode **docs;
    size_t ndocs, cap;
    char err[256];
    int failed, line, col;
} job;

typedef struct many {
    et_arena *keep;
    ydoc_each_fn fn;
    void *ctx;
} many;

static int collect(const ynode *root, int docno, void *vctx)
{
    (void)docno;
    job *j = vctx;
    if (j->ndocs == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 8;
        j->docs = realloc(j->docs, j->cap * sizeof *j->docs);
        if (!j->docs) abort();
    }
    j->docs[j->ndocs++] = root;
    return 0;
}

static void parse_job(void *task)
{
    job *j = task;
    j->failed = ydoc_parse(j->src->path, j->src->text, &j->arena, collect, j, j->err, sizeof j->err, &j->line,
                           &j->col) < 0;
}

static void hand_over(void *task, void *vctx)
{
    job *j = task;
    many *m = vctx;
    ydoc_parsed p = {.docs = j->docs, .ndocs = j->ndocs, .error = j->failed ? j->err : NULL,
                     .line = j->line, .col = j->col};
    m->fn(j->index, &p, m->ctx);
    et_arena_adopt(m->keep, &j->arena);
    free(j->docs);
}

void ydoc_parse_many(const ydoc_source *src, size_t n, int threads, et_arena *keep, ydoc_each_fn fn, void *ctx)
{
    if (!n) return;
    job *jobs = calloc(n, sizeof *jobs);
    if (!jobs) abort();
    many m = {.keep = keep, .fn = fn, .ctx = ctx};
    if ((size_t)threads > n) threads = (int)n;
    /* every source may be in flight at once: the nodes are kept anyway */
    et_pool *pool = et_pool_new(threads, n, hand_over, &m);
    for (size_t i = 0; i < n; i++) {
        jobs[i] = (job){.index = i, .src = &src[i], .arena = {.block_size = keep->block_size}};
        et_pool_submit(pool, &jobs[i], parse_job, 1);
    }
    et_pool_free(pool);
    free(jobs);
}
