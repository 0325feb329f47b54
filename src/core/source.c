/* source.c: input bytes on a descriptor or in budgeted memory (see source.h); big buffers of
 * closed memory sources are kept for the next ones, so inflating member after member writes
 * into pages already there instead of faulting fresh zeroed ones in each time; a descriptor
 * may still be written by a producer thread (a feed), its readers waiting for its bytes. */
#include "core/source.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

static _Atomic uint64_t in_use;
static uint64_t budget;
static pthread_once_t budget_once = PTHREAD_ONCE_INIT;

static void init_budget(void)
{
    const char *env = getenv("EVTRIAGE_MEMORY_BUDGET_MIB");
    char *end;
    unsigned long long mib = env && *env ? strtoull(env, &end, 10) : 32;
    if (env && *env && *end) mib = 32;
    budget = (uint64_t)mib << 20;
}

uint64_t et_source_budget(void)
{
    pthread_once(&budget_once, init_budget);
    return budget;
}

static int take(uint64_t n)
{
    uint64_t limit = et_source_budget();
    uint64_t cur = atomic_load(&in_use);
    do {
        if (n > limit || cur > limit - n) return 0;
    } while (!atomic_compare_exchange_weak(&in_use, &cur, cur + n));
    return 1;
}

void et_source_budget_give(uint64_t n) { atomic_fetch_sub(&in_use, n); }

/* ---- kept buffers: at most KEPT, of KEEP_MIN bytes or more, still counted in in_use -------- */
enum { KEPT = 8 };
#define KEEP_MIN ((uint64_t)256 << 10)
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;
typedef struct kept_buf { unsigned char *mem; uint64_t cap; } kept_buf;
static kept_buf kept[KEPT];
static size_t nkept;

/* The smallest kept buffer that holds size bytes without wasting more than as much again. */
static unsigned char *reuse(uint64_t size, uint64_t *cap)
{
    pthread_mutex_lock(&kept_mu);
    size_t best = nkept;
    for (size_t i = 0; i < nkept; i++)
        if (kept[i].cap >= size && kept[i].cap / 2 <= size && (best == nkept || kept[i].cap < kept[best].cap)) best = i;
    unsigned char *mem = NULL;
    if (best < nkept) {
        mem = kept[best].mem;
        *cap = kept[best].cap;
        kept[best] = kept[--nkept];
    }
    pthread_mutex_unlock(&kept_mu);
    return mem;
}

static int keep(unsigned char *mem, uint64_t cap)
{
    if (cap < KEEP_MIN) return 0;
    pthread_mutex_lock(&kept_mu);
    int ok = nkept < KEPT;
    if (ok) kept[nkept++] = (kept_buf){mem, cap};
    pthread_mutex_unlock(&kept_mu);
    return ok;
}

void et_source_drop_kept(void)
{
    pthread_mutex_lock(&kept_mu);
    while (nkept) {
        nkept--;
        free(kept[nkept].mem);
        et_source_budget_give(kept[nkept].cap);
    }
    pthread_mutex_unlock(&kept_mu);
}

/* Kept buffers give way to anyone who needs the room. */
int et_source_budget_take(uint64_t n)
{
    if (take(n)) return 1;
    et_source_drop_kept();
    return take(n);
}

int et_open_input(const char *path, int flags)
{
    flags |= O_RDONLY | O_CLOEXEC;
    int fd = open(path, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = open(path, flags);   /* not ours: read it all the same */
    return fd;
}

et_source et_source_from_stat(int fd, const struct stat *st)
{
    et_source s = {.fd = fd};
    if (fd >= 0 && st) {
        s.regular = S_ISREG(st->st_mode);
        if (st->st_size > 0) s.size = (uint64_t)st->st_size;
    }
    return s;
}

et_source et_source_from_fd(int fd)
{
    struct stat st;
    return et_source_from_stat(fd, fd >= 0 && fstat(fd, &st) == 0 ? &st : NULL);
}

et_source et_source_mem_reserve(uint64_t size)
{
    et_source s = {.fd = -1, .size = size};
    if (size == 0 || size > SIZE_MAX) return s;
    if ((s.mem = reuse(size, &s.cap))) return s;
    if (!et_source_budget_take(size)) return s;
    if (!(s.mem = malloc((size_t)size))) { et_source_budget_give(size); return s; }
    s.cap = size;
    return s;
}

/* ---- feeds: a producer thread writing the source's descriptor ------------------------------ */

struct et_feed {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic uint64_t seen;    /* readers may read [0, seen); at the end, the final length */
    uint64_t hold_back;
    bool ended;
    atomic_bool stop;
    pthread_t thread;
    et_feed_fn produce;
    int fd;
    void *arg;
    char *note;
    char sha256[65];
};

static void *run_feed(void *vf)
{
    et_feed *f = vf;
    uint64_t final = f->produce(f, f->fd, f->arg);
    pthread_mutex_lock(&f->mu);
    atomic_store(&f->seen, final);
    f->ended = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

int et_source_feed(et_source *s, uint64_t hold_back, et_feed_fn produce, void *arg)
{
    et_feed *f = calloc(1, sizeof *f);
    if (!f) abort();
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->hold_back = hold_back;
    f->produce = produce;
    f->fd = s->fd;
    f->arg = arg;
    if (pthread_create(&f->thread, NULL, run_feed, f) != 0) {
        pthread_cond_destroy(&f->cv);
        pthread_mutex_destroy(&f->mu);
        free(f);
        return -1;
    }
    s->feed = f;
    return 0;
}

void et_feed_grow(et_feed *f, uint64_t written)
{
    pthread_mutex_lock(&f->mu);
    atomic_store(&f->seen, written > f->hold_back ? written - f->hold_back : 0);
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

bool et_feed_stopped(et_feed *f) { return atomic_load(&f->stop); }

void et_feed_note(et_feed *f, const char *note)
{
    free(f->note);
    if (!(f->note = strdup(note))) abort();
}

void et_feed_sha256(et_feed *f, const char *hex) { snprintf(f->sha256, sizeof f->sha256, "%s", hex); }

/* How far readers may read, once that is need bytes or the producer is through. */
static uint64_t feed_wait(et_feed *f, uint64_t need)
{
    uint64_t have = atomic_load(&f->seen);
    if (have >= need) return have;
    pthread_mutex_lock(&f->mu);
    while (!f->ended && (have = atomic_load(&f->seen)) < need) pthread_cond_wait(&f->cv, &f->mu);
    have = atomic_load(&f->seen);
    pthread_mutex_unlock(&f->mu);
    return have;
}

uint64_t et_source_settle(const et_source *s, const char **note, const char **sha256)
{
    *note = NULL;
    *sha256 = NULL;
    if (!s->feed) return s->size;
    et_feed *f = s->feed;
    pthread_mutex_lock(&f->mu);
    while (!f->ended) pthread_cond_wait(&f->cv, &f->mu);
    pthread_mutex_unlock(&f->mu);
    *note = f->note;
    *sha256 = f->sha256[0] ? f->sha256 : NULL;
    return atomic_load(&f->seen);
}

static void feed_free(et_feed *f)
{
    atomic_store(&f->stop, true);
    pthread_join(f->thread, NULL);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f->note);
    free(f);
}

bool et_source_finish(et_source *s, char *note, size_t notelen)
{
    if (!s->feed) return false;
    const char *said, *sha;
    s->size = et_source_settle(s, &said, &sha);
    if (sha) memcpy(s->sha256, sha, sizeof s->sha256);
    s->sha256_at_settle = false;
    if (said) snprintf(note, notelen, "%s", said);
    feed_free(s->feed);
    s->feed = NULL;
    return said != NULL;
}

long et_source_read_at(const et_source *s, void *buf, size_t n, uint64_t off)
{
    if (s->feed) {
        uint64_t need = off < s->size && n < s->size - off ? off + n : s->size;
        uint64_t have = feed_wait(s->feed, need);
        if (off >= have) return 0;
        if (n > have - off) n = (size_t)(have - off);
    }
    if (s->fd < 0) {
        if (off >= s->size) return 0;
        if (n > s->size - off) n = (size_t)(s->size - off);
        memcpy(buf, s->mem + off, n);
        return (long)n;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(s->fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return got ? (long)got : -1;
        if (r == 0) break;
        got += (size_t)r;
    }
    return (long)got;
}

const unsigned char *et_source_view(const et_source *s, void *buf, size_t n, uint64_t off, size_t *got)
{
    if (s->fd < 0) {
        *got = off >= s->size ? 0 : n < s->size - off ? n : (size_t)(s->size - off);
        return s->mem + (off < s->size ? off : s->size);
    }
    long r = et_source_read_at(s, buf, n, off);
    if (r < 0) { *got = 0; return NULL; }
    *got = (size_t)r;
    return buf;
}

void et_source_close(et_source *s)
{
    if (s->feed) feed_free(s->feed);
    s->feed = NULL;
    if (s->fd >= 0) close(s->fd);
    else if (s->mem && !keep(s->mem, s->cap)) { free(s->mem); et_source_budget_give(s->cap); }
    s->fd = -1;
    s->mem = NULL;
}
