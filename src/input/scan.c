/* scan.c: splits each input into units (file begin, chunk ranges, file end, problems, zip
 * members inflated and read on a worker, streamed back, and archives hashed after their
 * members) and runs them through the ordered pool; per-file stats are summed in delivery order. */
#include "input/scan.h"
#include "core/sha256.h"
#include "core/pool.h"
#include "input/filehash.h"
#include "input/progress.h"
#include "input/zipmember.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


typedef struct shared_file {
    et_evtx_file *evtx;
    et_scan_file info;
    char *display;
    et_filehash *hash;        /* when hashing: fed by the ranges as they finish */
    char *note;               /* info.note's copy */
    char *late_note;          /* what settling the file said (a member found damaged as it was
                                 read), written by the member's worker before its end is queued */
    uint64_t settled_size;    /* its length once settled, when shorter than at its open; else 0 */
    uint64_t weight, added;   /* progress: the bytes of the paths given it stands for (its size, a
                                 zip member's compressed bytes, 0 inside a tar...), added so far */
    atomic_size_t unread;     /* ranges not yet read, when not hashing (see let_go_when_read) */
} shared_file;

/* What one range of chunks gave: the consumer's state and the reader's counts. */
typedef struct range_result {
    uint64_t index, first, count;
    void *state;
    et_reader_stats stats;
    size_t nproblems;         /* problems reported by the reader */
} range_result;

/* An archive: its bytes (a descriptor of its own until hashed) and what the consumer gets. */
typedef struct archive_item {
    et_scan_archive info;
    char *display;
    int fd;
} archive_item;

/* One thing to deliver on the calling thread, in order: a file's begin, a range, its end, a
 * problem, an archive (after its members) or progress the walk made. A unit carries one; a zip
 * member's worker streams many through a short queue (so a big member holds a few ranges in
 * memory, not the member). */
enum item_kind { I_BEGIN, I_RANGE, I_END, I_PROBLEM, I_MEMBER, I_ARCHIVE, I_PROGRESS };
typedef struct item {
    enum item_kind kind;
    shared_file *file;
    range_result r;           /* I_RANGE */
    char *message;            /* I_PROBLEM: display\0message; I_PROGRESS: the member being read, or NULL */
    bool is_skip;
    archive_item *archive;    /* I_ARCHIVE */
    uint64_t bytes;           /* I_PROGRESS: bytes of an archive given that the walk went past */
} item;

/* A member's worker runs at most MEMBER_QUEUE items ahead of delivery; the deliverer wakes for
 * BATCH of them (or the end), not for each: a small member costs one wake-up, not three. */
enum { MEMBER_QUEUE = 16, BATCH = MEMBER_QUEUE / 2 };
typedef struct member_stream {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    item q[MEMBER_QUEUE];
    size_t head, tail;
    bool finished;
    bool direct;              /* no worker threads: items are delivered as they come */
    bool big;                 /* weighs less than its size (member_weight cut it): reads in its turn */
    bool delivering;          /* the deliverer has reached it */
} member_stream;

typedef struct unit {
    item it;                  /* I_MEMBER: what the worker streams instead */
    const et_scan_consumer *c;
    et_zip_member *member;    /* I_MEMBER: inflated and read on the worker */
    char *display;
    struct scan *sc;
    uint64_t per;
    member_stream *ms;
    uint64_t weight;          /* I_MEMBER: the bytes of the zip given it stands for (progress) */
    int depth;                /* I_MEMBER: archives around the member's own file */
    bool weighed;             /* I_MEMBER: its own EVTX file carries the weight */
    struct shared_ranges *own;   /* I_MEMBER: its file's ranges while they are published */
} unit;

typedef struct scan scan;
static void deliver_item(scan *sc, item *it);

typedef struct shared_ranges shared_ranges;

struct scan {
    const et_scan_opts *opts;
    const et_input_limits *limits;
    const et_scan_consumer *c;
    et_pool *pool;
    et_progress *progress;
    int jobs;
    int problems;
    pthread_mutex_t share_mu;   /* the members whose ranges idle workers may read */
    pthread_cond_t share_cv;
    shared_ranges *shared;
};

static uint64_t chunks_per_unit(const scan *sc) { return sc->opts->chunks_per_unit ? sc->opts->chunks_per_unit : 8; }

/* The window: three ranges per worker, and room for ten more. A zip member is read as one
 * task, so a big one (an exported log of a few MiB) holds its weight while it runs at the head
 * (up to half the window: member_weight); the ten let the other workers go on with the members
 * after it meanwhile. Measured
 * on the corpus as a zip at -j2: 16% over the directory with room for two, 11% with six, 4-9%
 * with ten, no better beyond; each 8 chunks of room cost about 0.7 MiB for a rule matching
 * every record. */
enum { WINDOW_PER_WORKER = 3, WINDOW_ROOM = 10 };
static size_t window_weight(const scan *sc)
{
    return ((size_t)sc->jobs * WINDOW_PER_WORKER + WINDOW_ROOM) * (size_t)chunks_per_unit(sc);
}

/* The window is counted in chunks (64 KiB of EVTX, about what a chunk's results hold): a range
 * weighs its chunks and a zip member the chunks its declared size makes, so a window of a few
 * ranges may hold many small members, and a worker finds work while a big one, the oldest, is
 * still being read. A member weighs at most half the window: its results stream through its
 * short queue whatever its size, so a big one need not hold all of it, and the next big one
 * can be inflating (a member's serial part) on another worker while this one is read. */
static size_t member_weight(const scan *sc, const et_zip_member *m, bool *cut)
{
    int64_t size = et_zip_member_declared_size(m);
    *cut = false;
    if (size < 0) return (size_t)chunks_per_unit(sc);
    size_t chunks = (size_t)(size / 65536 + 1), half = window_weight(sc) / 2;
    *cut = chunks > half;
    return *cut ? half : chunks;
}

/* A block the reader loaded: to the file's hash, which takes it if it is next in line. */
static void offer_block(void *hash, uint64_t off, const uint8_t *p, size_t n) { et_filehash_offer(hash, off, p, n); }

static void read_range(shared_file *f, const et_scan_consumer *c, range_result *r)
{
    r->state = c->unit_new ? c->unit_new(c->ctx) : NULL;
    et_reader *rd = et_reader_open_range(f->evtx, r->first, r->count);
    if (f->hash) et_reader_on_block(rd, offer_block, f->hash);
    const et_event *ev;
    int rc;
    while ((rc = et_reader_next(rd, &ev)) != ET_READ_END) {
        if (rc == ET_READ_EVENT) { if (c->event) c->event(r->state, ev); }
        else {
            r->nproblems++;
            if (c->problem) c->problem(r->state, et_reader_problem(rd));
        }
    }
    r->stats = *et_reader_get_stats(rd);
    et_reader_close(rd);
}

/* A range read: its part of the file's hash (which may hash the parts after it too). */
static void hash_range(shared_file *f, const range_result *r)
{
    if (f->hash) et_filehash_part_done(f->hash, (size_t)r->index);
}

/* Ranges of per chunks: how many a file of n chunks has, and (when hashing) its hasher. */
static uint64_t range_count(uint64_t nchunks, uint64_t per) { return nchunks ? (nchunks + per - 1) / per : 1; }

static void start_hash(shared_file *f, uint64_t per)
{
    uint64_t n = range_count(et_evtx_file_chunks(f->evtx), per);
    f->hash = et_filehash_new(et_evtx_file_source(f->evtx), f->info.size, 4096 + per * 65536, per * 65536, (size_t)n);
}

static void finish_hash(shared_file *f)
{
    if (!f->hash) return;
    et_filehash_finish(f->hash, f->info.sha256);
    f->hash = NULL;
}

/* A file's bytes (its descriptor, a tar member's memory) go back as soon as nothing reads them
 * any more, not when its end is delivered in order: the walk may be far ahead by then. That
 * is once its hash is complete (every range read and hashed), or its last range read. */
static void let_go(void *f) { et_evtx_file_release(((shared_file *)f)->evtx); }

static void let_go_when_read(shared_file *f, size_t nranges)
{
    if (f->hash) et_filehash_when_done(f->hash, let_go, f);
    else atomic_init(&f->unread, nranges);
}

static char *problem_text(const char *display, const char *msg)
{
    size_t a = strlen(display), b = strlen(msg);
    char *t = malloc(a + b + 2);
    if (!t) abort();
    memcpy(t, display, a + 1);
    memcpy(t + a + 1, msg, b + 1);
    return t;
}

/* Two things said of one file, joined in buf ("note; err"): what was known wrong with its bytes
 * and why it could not be opened, or what its header says is missing; either may be NULL. */
static const char *with_note(char *buf, size_t n, const char *note, const char *err)
{
    if (!note) return err;
    if (!err) return note;
    snprintf(buf, n, "%s; %s", note, err);
    return buf;
}

/* note: what the walk knew wrong with the bytes (a damaged member), joined by what the file's
 * header says is missing: the consumer says both before the file's records. */
static shared_file *new_file(scan *sc, const char *display, et_evtx_file *ef, uint64_t weight, const char *note)
{
    char both[800];
    note = with_note(both, sizeof both, note, et_evtx_file_note(ef));
    shared_file *f = calloc(1, sizeof *f);
    if (!f || !(f->display = strdup(display)) || (note && !(f->note = strdup(note)))) abort();
    f->evtx = ef;
    f->info.display = f->display;
    f->info.note = f->note;
    f->info.size = et_evtx_file_size(ef);
    f->weight = weight;
    const et_source *src = et_evtx_file_source(ef);   /* hashed as it was inflated, or as it inflates */
    if (sc->opts->hash && src->sha256[0]) memcpy(f->info.sha256, src->sha256, sizeof f->info.sha256);
    else if (sc->opts->hash && !src->sha256_at_settle) start_hash(f, chunks_per_unit(sc));
    return f;
}

static bool help_other(scan *sc, const shared_ranges *except);

static bool queue_full(const member_stream *ms) { return ms->tail - ms->head == MEMBER_QUEUE; }
static bool not_its_turn(const member_stream *ms) { return !ms->delivering; }

/* With ms->mu held, while blocked(ms) (a member behind the one being delivered): reads ranges
 * of the other members published for help (the lock dropped meanwhile) rather than sleep, and
 * sleeps only when there is none to take. Not its own: their results would only wait in memory. */
static void help_while(unit *u, bool (*blocked)(const member_stream *))
{
    member_stream *ms = u->ms;
    while (blocked(ms)) {
        pthread_mutex_unlock(&ms->mu);
        bool helped = help_other(u->sc, u->own);
        pthread_mutex_lock(&ms->mu);
        if (!helped && blocked(ms)) pthread_cond_wait(&ms->cv, &ms->mu);
    }
}

/* Worker side: waits for room (helping meanwhile), then queues the item (or delivers it at once
 * without threads). */
static void push_item(unit *u, item it)
{
    member_stream *ms = u->ms;
    if (ms->direct) { deliver_item(u->sc, &it); return; }
    pthread_mutex_lock(&ms->mu);
    if (queue_full(ms)) {
        pthread_mutex_unlock(&ms->mu);
        et_pool_ready(u->sc->pool);   /* a big member: its items go out while it runs */
        pthread_mutex_lock(&ms->mu);
    }
    help_while(u, queue_full);
    ms->q[ms->tail++ % MEMBER_QUEUE] = it;
    if (ms->tail - ms->head == BATCH) pthread_cond_broadcast(&ms->cv);
    pthread_mutex_unlock(&ms->mu);
}

static void member_problem(const char *display, const char *msg, int is_skip, void *ctx)
{
    push_item(ctx, (item){.kind = I_PROBLEM, .message = problem_text(display, msg), .is_skip = is_skip != 0});
}

/* ---- archives: the container is hashed as received, besides every EVTX file in it -------- */

static archive_item *new_archive(int fd, const char *display, uint64_t members)
{
    archive_item *a = calloc(1, sizeof *a);
    if (!a || !(a->display = strdup(display))) abort();
    a->info.display = a->display;
    a->info.members = members;
    a->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    struct stat st;
    if (fstat(fd, &st) == 0) a->info.size = (uint64_t)st.st_size;
    return a;
}

/* Hashes the archive's bytes when asked (one stream, in file order), and lets its descriptor go. */
static void hash_archive(const scan *sc, archive_item *a)
{
    if (sc->opts->hash) {
        if (a->fd < 0) {
            a->info.hash_error = "no descriptor was left to read it again for the hash";
        } else {
            et_source src = {.fd = a->fd, .size = a->info.size};
            et_filehash *h = et_filehash_new(&src, a->info.size, a->info.size, a->info.size, 1);
            et_filehash_part_done(h, 0);
            et_filehash_finish(h, a->info.sha256);
            if (!a->info.sha256[0]) {
                const char *why = et_sha256_unavailable();
                a->info.hash_error = why ? why : "its bytes could not be read again for the hash";
            }
        }
    }
    if (a->fd >= 0) close(a->fd);
    a->fd = -1;
}

/* An archive inside a zip member, on the member's worker: hashed there, in its stream. */
static void member_archive(int fd, const char *display, uint64_t members, void *ctx)
{
    unit *u = ctx;
    archive_item *a = new_archive(fd, display, members);
    hash_archive(u->sc, a);
    push_item(u, (item){.kind = I_ARCHIVE, .archive = a});
}

/* ---- a member's ranges, shared with idle workers ----------------------------------------
 * A member is one task (its items stream in order), so a big one would keep one worker busy
 * while the others, done with everything else in flight, wait. So its worker publishes the
 * ranges: it reads them itself in order, idle workers (the pool's idle hook) take the next
 * ones, at most SHARE_AHEAD beyond what has been queued for delivery, and the worker queues
 * each result in order as it is there. */
enum { SHARE_AHEAD = 16 };

struct shared_ranges {
    shared_ranges *next;
    shared_file *f;
    const et_scan_consumer *c;
    uint64_t per, n, claimed, queued;   /* ranges: in all, taken, handed to the stream */
    range_result *r;
    bool *done;
};

/* The next range of s anyone may take, or false (under share_mu). */
static bool claim(shared_ranges *s, uint64_t *i)
{
    if (s->claimed == s->n || s->claimed >= s->queued + SHARE_AHEAD) return false;
    *i = s->claimed++;
    s->r[*i] = (range_result){.index = *i, .first = *i * s->per, .count = s->per};
    return true;
}

/* Reads range i of s (lock dropped meanwhile) and says it is there. */
static void read_claimed(scan *sc, shared_ranges *s, uint64_t i)
{
    pthread_mutex_unlock(&sc->share_mu);
    read_range(s->f, s->c, &s->r[i]);
    hash_range(s->f, &s->r[i]);
    pthread_mutex_lock(&sc->share_mu);
    s->done[i] = true;
    pthread_cond_broadcast(&sc->share_cv);
}

/* One range of some published member other than except, the oldest first (the one delivery
 * waits for); false when there is none to take. */
static bool help_other(scan *sc, const shared_ranges *except)
{
    pthread_mutex_lock(&sc->share_mu);
    uint64_t i;
    shared_ranges *s = sc->shared;
    while (s && (s == except || !claim(s, &i))) s = s->next;
    if (s) read_claimed(sc, s, i);
    pthread_mutex_unlock(&sc->share_mu);
    return s != NULL;
}

/* The pool's idle hook. */
static bool help_read(void *vctx) { return help_other(vctx, NULL); }

static void unpublish(scan *sc, shared_ranges *s)
{
    for (shared_ranges **p = &sc->shared; *p; p = &(*p)->next)
        if (*p == s) { *p = s->next; break; }
}

/* The member's worker: reads ranges too, and queues every result in order. */
static void read_shared(unit *u, shared_file *f, uint64_t n)
{
    scan *sc = u->sc;
    shared_ranges s = {.f = f, .c = u->c, .per = u->per, .n = n};
    s.r = calloc(n, sizeof *s.r);
    s.done = calloc(n, sizeof *s.done);
    if (!s.r || !s.done) abort();
    pthread_mutex_lock(&sc->share_mu);
    shared_ranges **last = &sc->shared;   /* published last, helped last */
    while (*last) last = &(*last)->next;
    *last = &s;
    u->own = &s;
    pthread_mutex_unlock(&sc->share_mu);
    et_pool_wake(sc->pool);
    pthread_mutex_lock(&sc->share_mu);
    uint64_t i;
    while (s.queued < n) {
        if (s.done[s.queued]) {
            bool held_back = s.claimed == s.queued + SHARE_AHEAD;   /* helpers may be asleep */
            item it = {.kind = I_RANGE, .file = f, .r = s.r[s.queued++]};
            pthread_mutex_unlock(&sc->share_mu);
            push_item(u, it);   /* may wait for the deliverer: helpers go on meanwhile */
            if (held_back) et_pool_wake(sc->pool);
            pthread_mutex_lock(&sc->share_mu);
        } else if (claim(&s, &i)) {
            read_claimed(sc, &s, i);
        } else {
            pthread_cond_wait(&sc->share_cv, &sc->share_mu);   /* a helper has the next one */
        }
    }
    unpublish(sc, &s);   /* every range was queued, so no helper still reads one */
    u->own = NULL;
    pthread_mutex_unlock(&sc->share_mu);
    free(s.r);
    free(s.done);
}

/* A big member, inflated, behind the one being delivered: its worker helps read the others
 * until the deliverer reaches it, so that its own results do not wait in memory meanwhile
 * (its weight in the window is less than its size). */
static void wait_turn(unit *u)
{
    member_stream *ms = u->ms;
    if (!ms->big) return;
    et_pool_ready(u->sc->pool);   /* its items stream: the deliverer may take it up */
    pthread_mutex_lock(&ms->mu);
    help_while(u, not_its_turn);
    pthread_mutex_unlock(&ms->mu);
}

/* Every range read: a member read while it inflated is through, and may have turned out damaged
 * (its note and length then known only now, said at the file's end). */
static void settle(shared_file *f)
{
    uint64_t size = et_evtx_file_size(f->evtx);
    const char *sha256;
    const char *said = et_evtx_file_settle(f->evtx, &sha256);
    if (sha256 && !f->hash) memcpy(f->info.sha256, sha256, sizeof f->info.sha256);   /* hashed as it inflated */
    if (et_evtx_file_size(f->evtx) < size) f->settled_size = et_evtx_file_size(f->evtx);
    char both[800];
    const char *note = said ? with_note(both, sizeof both, said, et_evtx_file_note(f->evtx)) : NULL;
    if (note && !(f->late_note = strdup(note))) abort();
}

/* An EVTX file inside a zip member: opened, hashed and read range by range (shared with idle
 * workers when it has several), from this worker. */
static int member_file(et_source src, const char *display, int depth, uint64_t share, const char *note, void *ctx)
{
    (void)share;   /* 0: a zip member's file stands for the member's weight (u->weight) */
    unit *u = ctx;
    char err[256], both[800];
    et_evtx_file *ef = et_evtx_file_open_source(src, display, err, sizeof err);
    if (!ef) { member_problem(display, with_note(both, sizeof both, note, err), 0, u); return 0; }
    /* the member itself stands for its weight; files in a zip inside it, for nothing (the
     * member's weight is made up when it is through) */
    bool own = depth == u->depth;
    shared_file *f = new_file(u->sc, display, ef, own ? u->weight : 0, note);
    if (own) u->weighed = true;
    push_item(u, (item){.kind = I_BEGIN, .file = f});
    uint64_t n = range_count(et_evtx_file_chunks(ef), u->per);
    if (n > 1 && !u->ms->direct) {
        wait_turn(u);
        read_shared(u, f, n);
    } else {
        for (uint64_t i = 0; i < n; i++) {
            item it = {.kind = I_RANGE, .file = f, .r = {.index = i, .first = i * u->per, .count = u->per}};
            read_range(f, u->c, &it.r);
            hash_range(f, &it.r);
            push_item(u, it);
        }
    }
    settle(f);
    finish_hash(f);
    et_evtx_file_release(ef);   /* read and hashed: its memory goes back to the budget now, not at delivery */
    push_item(u, (item){.kind = I_END, .file = f});
    return 0;
}

static void run_member(unit *u)
{
    et_input_callbacks cb = {.file = member_file, .problem = member_problem,
                             .archive = u->sc->c->archive ? member_archive : NULL, .ctx = u};
    et_inputs_walk_member(u->member, u->display, u->sc->limits, &cb);
    u->member = NULL;
    member_stream *ms = u->ms;
    pthread_mutex_lock(&ms->mu);
    ms->finished = true;
    pthread_cond_broadcast(&ms->cv);
    pthread_mutex_unlock(&ms->mu);
}

/* A range is delivered as soon as it is read: hashing after it (the thread that finishes the
 * oldest part hashes every part done since, megabytes at times) must not hold up the ranges
 * behind it. (Until this part is in, its file's end cannot be delivered: the file stays.) */
static void run_unit(void *task)
{
    unit *u = task;
    if (u->it.kind == I_RANGE) {
        read_range(u->it.file, u->c, &u->it.r);
        et_filehash *hash = u->it.file->hash;
        size_t part = (size_t)u->it.r.index;
        if (hash) {
            et_pool_ready(u->sc->pool);   /* the unit is the deliverer's from here on */
            et_filehash_part_done(hash, part);
        } else if (atomic_fetch_sub(&u->it.file->unread, 1) == 1) {
            let_go(u->it.file);
        }
    } else if (u->it.kind == I_MEMBER) {
        run_member(u);
    } else if (u->it.kind == I_ARCHIVE) {
        hash_archive(u->sc, u->it.archive);
    }
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

static void deliver_begin(scan *sc, shared_file *f)
{
    if (sc->progress) et_progress_file(sc->progress, f->info.display);
    if (sc->c->file_begin) sc->c->file_begin(sc->c->ctx, &f->info);
}

static void deliver_range(scan *sc, shared_file *f, range_result *r)
{
    if (r->nproblems) et_progress_clear(sc->progress);
    add_stats(&f->info.stats, &r->stats);
    if (sc->progress) {
        /* the first range has the file header too */
        uint64_t size = f->info.size, from = r->first ? 4096 + r->first * 65536 : 0,
                 to = 4096 + (r->first + r->count) * 65536;
        if (to > size) to = size;
        uint64_t bytes = to > from ? (uint64_t)((double)(to - from) * (double)f->weight / (double)size) : 0;
        f->added += bytes;
        et_progress_add(sc->progress, bytes, r->stats.records);
    }
    if (sc->c->unit_done) sc->c->unit_done(sc->c->ctx, r->state, &f->info);
}

static void deliver_end(scan *sc, shared_file *f)
{
    /* every range has returned, so the digest is complete: finishing never waits here */
    finish_hash(f);
    if (sc->opts->hash && !f->info.sha256[0]) {
        const char *why = et_sha256_unavailable();
        f->info.hash_error = why ? why : "its bytes could not be read again for the hash";
        sc->problems++;
    }
    if (sc->progress && f->weight > f->added) et_progress_add(sc->progress, f->weight - f->added, 0);
    et_progress_clear(sc->progress);
    if (f->late_note) {   /* it replaces what was known at the open (the cut, worked out again) */
        free(f->note);
        f->note = f->late_note;
        f->late_note = NULL;
        f->info.note = f->note;
    }
    if (f->settled_size) {
        f->info.size = f->settled_size;
        if (f->info.stats.bytes > f->settled_size) f->info.stats.bytes = f->settled_size;
    }
    if (f->note) sc->problems++;   /* the consumer says it */
    if (f->info.stats.skipped || f->info.stats.truncated) sc->problems++;
    if (sc->c->file_end) sc->c->file_end(sc->c->ctx, &f->info);
}

static void free_file(shared_file *f)
{
    et_evtx_file_close(f->evtx);
    free(f->display);
    free(f->note);
    free(f->late_note);
    free(f);
}

static void deliver_problem(scan *sc, char *message, bool is_skip)
{
    /* anything the consumer may print goes on a line of its own */
    et_progress_clear(sc->progress);
    if (sc->c->input_problem) sc->c->input_problem(sc->c->ctx, message, message + strlen(message) + 1, is_skip);
    free(message);
}

static void deliver_item(scan *sc, item *it)
{
    switch (it->kind) {
    case I_PROBLEM:
        if (!it->is_skip) sc->problems++;
        deliver_problem(sc, it->message, it->is_skip);
        break;
    case I_BEGIN: deliver_begin(sc, it->file); break;
    case I_RANGE: deliver_range(sc, it->file, &it->r); break;
    case I_END:
        deliver_end(sc, it->file);
        free_file(it->file);
        break;
    case I_ARCHIVE:
        if (it->archive->info.hash_error) sc->problems++;
        et_progress_clear(sc->progress);
        sc->c->archive(sc->c->ctx, &it->archive->info);
        free(it->archive->display);
        free(it->archive);
        break;
    case I_PROGRESS:
        if (sc->progress && it->message) et_progress_file(sc->progress, it->message);
        if (sc->progress) et_progress_add(sc->progress, it->bytes, 0);
        free(it->message);
        break;
    case I_MEMBER: break;   /* delivered as its stream, by deliver_member */
    }
}

/* Calling thread: delivers the member's items as its worker queues them, until it is through. */
static void deliver_member(scan *sc, unit *u)
{
    member_stream *ms = u->ms;
    item batch[MEMBER_QUEUE];
    pthread_mutex_lock(&ms->mu);
    ms->delivering = true;   /* a big member may read its ranges now (wait_turn) */
    pthread_cond_broadcast(&ms->cv);
    pthread_mutex_unlock(&ms->mu);
    for (;;) {
        pthread_mutex_lock(&ms->mu);
        while (ms->tail - ms->head < BATCH && !ms->finished) pthread_cond_wait(&ms->cv, &ms->mu);
        size_t n = ms->tail - ms->head;
        if (n == MEMBER_QUEUE) pthread_cond_broadcast(&ms->cv);   /* the worker may wait for room */
        for (size_t k = 0; k < n; k++) batch[k] = ms->q[ms->head++ % MEMBER_QUEUE];
        pthread_mutex_unlock(&ms->mu);
        if (!n) break;   /* finished, and everything delivered */
        for (size_t k = 0; k < n; k++) deliver_item(sc, &batch[k]);
    }
    /* a member that was no EVTX file of its own (skipped, refused, a zip of them): its weight now */
    if (sc->progress && !u->weighed) et_progress_add(sc->progress, u->weight, 0);
    pthread_mutex_destroy(&ms->mu);
    pthread_cond_destroy(&ms->cv);
    free(ms);
    free(u->display);
}

static void unit_delivered(void *task, void *vctx)
{
    unit *u = task;
    scan *sc = vctx;
    if (u->it.kind == I_MEMBER) deliver_member(sc, u);
    else deliver_item(sc, &u->it);
    free(u);
}

static unit *new_unit(scan *sc, enum item_kind kind, shared_file *f)
{
    unit *u = calloc(1, sizeof *u);
    if (!u) abort();
    u->it.kind = kind;
    u->it.file = f;
    u->c = sc->c;
    u->sc = sc;
    return u;
}

static void submit_problem(scan *sc, const char *display, const char *msg, bool is_skip)
{
    unit *u = new_unit(sc, I_PROBLEM, NULL);
    u->it.message = problem_text(display, msg);
    u->it.is_skip = is_skip;
    et_pool_submit(sc->pool, u, NULL, 0);   /* nothing to run: delivered in its turn */
}

static void on_input_problem(const char *display, const char *msg, int is_skip, void *vctx)
{
    submit_problem(vctx, display, msg, is_skip != 0);
}


static void on_consumed(uint64_t bytes, const char *reading, void *vctx);

static int on_file(et_source src, const char *display, int depth, uint64_t share, const char *note, void *vctx)
{
    scan *sc = vctx;
    char err[256], both[800];
    et_evtx_file *ef = et_evtx_file_open_source(src, display, err, sizeof err);
    if (!ef) {
        submit_problem(sc, display, with_note(both, sizeof both, note, err), false);
        if (share) on_consumed(share, NULL, sc);   /* nothing else stands for it now */
        return 0;
    }
    /* a member of a tar, 7z...: its share of the archive (the walk said the rest, on_consumed) */
    shared_file *f = new_file(sc, display, ef, depth == 0 ? et_evtx_file_size(ef) : share, note);
    et_pool_submit(sc->pool, new_unit(sc, I_BEGIN, f), NULL, 0);
    uint64_t per = chunks_per_unit(sc), nchunks = et_evtx_file_chunks(ef), n = range_count(nchunks, per);
    let_go_when_read(f, (size_t)n);
    for (uint64_t i = 0; i < n; i++) {
        unit *u = new_unit(sc, I_RANGE, f);
        u->it.r = (range_result){.index = i, .first = i * per, .count = per};
        uint64_t left = nchunks > i * per ? nchunks - i * per : 0;
        et_pool_submit(sc->pool, u, run_unit, (size_t)(left < per ? left : per));
    }
    et_pool_submit(sc->pool, new_unit(sc, I_END, f), NULL, 0);
    return 0;
}

/* An archive, after its members: hashed on a worker (the hash of a big one then runs beside
 * the reading of its last members). */
static void on_archive(int fd, const char *display, uint64_t members, void *vctx)
{
    scan *sc = vctx;
    unit *u = new_unit(sc, I_ARCHIVE, NULL);
    u->it.archive = new_archive(fd, display, members);
    et_pool_submit(sc->pool, u, run_unit, 1);
}

/* Bytes of an archive given that the walk went past: on the progress line in their turn. The
 * walk may be inflating a big member here, so what the workers finished meanwhile is delivered
 * now (their records and this on the line, the consumer's memory freed), not at the next
 * submit. */
static void on_consumed(uint64_t bytes, const char *reading, void *vctx)
{
    scan *sc = vctx;
    unit *u = new_unit(sc, I_PROGRESS, NULL);
    u->it.bytes = bytes;
    u->it.message = reading ? strdup(reading) : NULL;
    et_pool_submit(sc->pool, u, NULL, 0);
    et_pool_deliver_done(sc->pool);
}

/* A pipe given as a path, read: its bytes join the progress line's total (the line is the
 * calling thread's, like this call). */
static void on_sized(uint64_t bytes, void *vctx)
{
    scan *sc = vctx;
    et_progress_grow(sc->progress, bytes);
}

/* The walk is out of descriptors: the files in flight are read and let go first. */
static bool on_starved(void *vctx)
{
    scan *sc = vctx;
    if (!et_pool_threads(sc->pool)) return false;   /* inline: nothing is in flight */
    et_pool_drain(sc->pool);
    return true;
}

/* A zip member is one unit: a worker inflates and reads it while others take other members. */
static int on_member(et_zip_member *m, const char *display, void *vctx)
{
    scan *sc = vctx;
    unit *u = new_unit(sc, I_MEMBER, NULL);
    u->member = m;
    u->display = strdup(display);
    u->per = chunks_per_unit(sc);
    u->weight = et_zip_member_weight(m);
    u->depth = et_zip_member_depth(m) + 1;
    u->ms = calloc(1, sizeof *u->ms);
    if (!u->ms) abort();
    pthread_mutex_init(&u->ms->mu, NULL);
    pthread_cond_init(&u->ms->cv, NULL);
    u->ms->direct = et_pool_threads(sc->pool) == 0;
    size_t weight = member_weight(sc, m, &u->ms->big);
    et_pool_submit(sc->pool, u, run_unit, weight);
    return 0;
}

int et_scan(char **paths, int npaths, const et_scan_opts *opts, const et_scan_consumer *c)
{
    et_input_limits limits;
    if (opts->limits) limits = *opts->limits;
    else et_input_limits_default(&limits);
    scan sc = {.opts = opts, .limits = &limits, .c = c};
    sc.jobs = opts->jobs > 0 ? opts->jobs : et_cpu_count();
    limits.hash_while_inflating = opts->hash && sc.jobs > 1;
    if (opts->progress) sc.progress = et_progress_new(paths, npaths);
    pthread_mutex_init(&sc.share_mu, NULL);
    pthread_cond_init(&sc.share_cv, NULL);
    sc.pool = et_pool_new(sc.jobs, window_weight(&sc), unit_delivered, &sc);
    et_pool_set_idle(sc.pool, help_read, &sc);
    et_input_callbacks cb = {.file = on_file, .member = on_member, .problem = on_input_problem,
                             .archive = c->archive ? on_archive : NULL, .consumed = sc.progress ? on_consumed : NULL,
                             .sized = sc.progress ? on_sized : NULL, .starved = on_starved,
                             .ctx = &sc};
    et_inputs_walk(paths, npaths, &limits, &cb);
    et_pool_free(sc.pool);
    et_source_drop_kept();
    pthread_mutex_destroy(&sc.share_mu);
    pthread_cond_destroy(&sc.share_cv);
    et_progress_free(sc.progress);
    return sc.problems;
}
