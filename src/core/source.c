/* source.c: input bytes on a descriptor or in budgeted memory (see source.h); big buffers of
 * closed memory sources are kept for the next ones, so inflating member after member writes
 * into pages already there instead of faulting fresh zeroed ones in each time. */
#include "core/source.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

long et_source_read_at(const et_source *s, void *buf, size_t n, uint64_t off)
{
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
    if (s->fd >= 0) close(s->fd);
    else if (s->mem && !keep(s->mem, s->cap)) { free(s->mem); et_source_budget_give(s->cap); }
    s->fd = -1;
    s->mem = NULL;
}
