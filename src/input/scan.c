/* scan.c: splits each input into units (file begin, chunk ranges, file end, problems) and
 * runs them through the ordered pool; per-file stats are summed in delivery order. */
#include "input/scan.h"
#include "core/pool.h"
#include "core/sha256.h"
#include "input/progress.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum unit_kind { U_FILE_BEGIN, U_RANGE, U_FILE_END, U_PROBLEM };

typedef struct shared_file {
    et_evtx_file *evtx;
    et_scan_file info;
    char *display;
    int hash;
} shared_file;

typedef struct unit {
    enum unit_kind kind;
    shared_file *file;
    uint64_t first, count;
    const et_scan_consumer *c;
    void *state;
    et_reader_stats stats;
    char *message;            /* U_PROBLEM */
    size_t nproblems;         /* U_RANGE: problems reported by the reader */
    bool is_skip;
} unit;

typedef struct scan {
    const et_scan_opts *opts;
    const et_scan_consumer *c;
    et_pool *pool;
    et_progress *progress;
    int problems;
} scan;

static int hash_fd(int fd, char out[65])
{
    et_sha256 s;
    et_sha256_init(&s);
    uint8_t *buf = malloc(1 << 16);
    if (!buf) abort();
    off_t off = 0;
    ssize_t n;
    while ((n = pread(fd, buf, 1 << 16, off)) > 0) {
        et_sha256_update(&s, buf, (size_t)n);
        off += n;
    }
    free(buf);
    int rc = et_sha256_hex(&s, out);
    return n < 0 ? -1 : rc;
}

static void run_unit(void *task)
{
    unit *u = task;
    if (u->kind == U_FILE_BEGIN) {
        if (u->file->hash && hash_fd(et_evtx_file_fd(u->file->evtx), u->file->info.sha256) != 0)
            u->file->info.sha256[0] = 0;
        return;
    }
    if (u->kind != U_RANGE) return;
    u->state = u->c->unit_new ? u->c->unit_new(u->c->ctx) : NULL;
    et_reader *r = et_reader_open_range(u->file->evtx, u->first, u->count);
    const et_event *ev;
    int rc;
    while ((rc = et_reader_next(r, &ev)) != ET_READ_END) {
        if (rc == ET_READ_EVENT) { if (u->c->event) u->c->event(u->state, ev); }
        else {
            u->nproblems++;
            if (u->c->problem) u->c->problem(u->state, et_reader_problem(r));
        }
    }
    u->stats = *et_reader_get_stats(r);
    et_reader_close(r);
}

static void add_stats(et_reader_stats *t, const et_reader_stats *s)
{
    t->records += s->records;
    t->recovered += s->recovered;
    t->skipped += s->skipped;
    t->stale_copies += s->stale_copies;
    t->remnants += s->remnants;
    t->chunks += s->chunks;
    t->bad_crc_chunks += s->bad_crc_chunks;
    t->damaged_chunks += s->damaged_chunks;
    t->bytes += s->bytes;
    t->truncated |= s->truncated;
    t->dirty |= s->dirty;
    if (s->first_time && (!t->first_time || s->first_time < t->first_time)) t->first_time = s->first_time;
    if (s->last_time > t->last_time) t->last_time = s->last_time;
}

static void unit_delivered(void *task, void *vctx)
{
    unit *u = task;
    scan *sc = vctx;
    const et_scan_consumer *c = sc->c;
    /* anything the consumer may print goes on a line of its own */
    if (u->kind == U_PROBLEM || u->kind == U_FILE_END || u->nproblems) et_progress_clear(sc->progress);
    switch (u->kind) {
    case U_PROBLEM:
        if (c->input_problem) c->input_problem(c->ctx, u->message, u->message + strlen(u->message) + 1, u->is_skip);
        free(u->message);
        break;
    case U_FILE_BEGIN:
        if (sc->progress) et_progress_file(sc->progress, u->file->info.display);
        if (c->file_begin) c->file_begin(c->ctx, &u->file->info);
        break;
    case U_RANGE:
        add_stats(&u->file->info.stats, &u->stats);
        if (sc->progress) {
            uint64_t size = u->file->info.size, from = 4096 + u->first * 65536, to = from + u->count * 65536;
            if (to > size) to = size;
            et_progress_add(sc->progress, to > from ? to - from : 0, u->stats.records);
        }
        if (c->unit_done) c->unit_done(c->ctx, u->state, &u->file->info);
        break;
    case U_FILE_END:
        if (u->file->info.stats.skipped || u->file->info.stats.truncated) sc->problems++;
        if (c->file_end) c->file_end(c->ctx, &u->file->info);
        et_evtx_file_close(u->file->evtx);
        free(u->file->display);
        free(u->file);
        break;
    }
    free(u);
}

static unit *new_unit(scan *sc, enum unit_kind kind, shared_file *f)
{
    unit *u = calloc(1, sizeof *u);
    if (!u) abort();
    u->kind = kind;
    u->file = f;
    u->c = sc->c;
    return u;
}

static void submit_problem(scan *sc, const char *display, const char *msg, bool is_skip)
{
    unit *u = new_unit(sc, U_PROBLEM, NULL);
    size_t a = strlen(display), b = strlen(msg);
    u->message = malloc(a + b + 2);
    if (!u->message) abort();
    memcpy(u->message, display, a + 1);
    memcpy(u->message + a + 1, msg, b + 1);
    u->is_skip = is_skip;
    if (!is_skip) sc->problems++;
    et_pool_submit(sc->pool, u, run_unit);
}

static void on_input_problem(const char *display, const char *msg, int is_skip, void *vctx)
{
    submit_problem(vctx, display, msg, is_skip != 0);
}

static int on_file(const char *open_path, const char *display, void *vctx)
{
    scan *sc = vctx;
    char err[256];
    et_evtx_file *ef = et_evtx_file_open(open_path, display, err, sizeof err);
    if (!ef) { submit_problem(sc, display, err, false); return 0; }
    /* The descriptor stays valid when an archive member's temporary file is removed. */
    shared_file *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->evtx = ef;
    f->display = strdup(display);
    f->info.display = f->display;
    f->info.size = et_evtx_file_size(ef);
    f->hash = sc->opts->hash;
    et_pool_submit(sc->pool, new_unit(sc, U_FILE_BEGIN, f), run_unit);
    uint64_t n = et_evtx_file_chunks(ef), per = sc->opts->chunks_per_unit ? sc->opts->chunks_per_unit : 8;
    for (uint64_t first = 0; first < n || first == 0; first += per) {
        unit *u = new_unit(sc, U_RANGE, f);
        u->first = first;
        u->count = per;
        et_pool_submit(sc->pool, u, run_unit);
        if (n == 0) break;
    }
    et_pool_submit(sc->pool, new_unit(sc, U_FILE_END, f), run_unit);
    return 0;
}

int et_scan(char **paths, int npaths, const et_scan_opts *opts, const et_scan_consumer *c)
{
    scan sc = {.opts = opts, .c = c};
    int jobs = opts->jobs > 0 ? opts->jobs : et_cpu_count();
    if (opts->progress) sc.progress = et_progress_new(paths, npaths);
    sc.pool = et_pool_new(jobs, (size_t)jobs * 3 + 2, unit_delivered, &sc);
    et_inputs_walk(paths, npaths, opts->limits, on_file, on_input_problem, &sc);
    et_pool_free(sc.pool);
    et_progress_free(sc.progress);
    return sc.problems;
}
