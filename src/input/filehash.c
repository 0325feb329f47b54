/* filehash.c: in-order SHA-256 over parts finished in any order, fed the bytes the readers
 * load when they come in line (see filehash.h). */
#include "input/filehash.h"
#include "core/sha256.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

enum { READ_BUF = 1 << 16, OFFER_GAP = 1 << 16 };

struct et_filehash {
    const et_source *src;
    uint64_t size, first_end, part_len;
    uint64_t pos;              /* the digest holds bytes [0, pos) */
    size_t nparts, hashed;     /* parts 0..hashed-1 are in the digest */
    bool *done;
    bool busy;                 /* a thread is hashing: it alone moves pos */
    bool failed;
    bool started;              /* sha set up: by the first thread to hash, not by the opener
                                  (the first set-up in a process costs OpenSSL ~1 ms) */
    et_sha256 sha;
    void (*when_done)(void *);
    void *when_done_ctx;
    pthread_mutex_t mu;
    pthread_cond_t all;
};

et_filehash *et_filehash_new(const et_source *src, uint64_t size, uint64_t first_end, uint64_t part_len, size_t nparts)
{
    et_filehash *h = calloc(1, sizeof *h);
    if (!h) abort();
    h->src = src;
    h->size = size;
    h->first_end = first_end;
    h->part_len = part_len;
    h->nparts = nparts ? nparts : 1;
    h->done = calloc(h->nparts, sizeof *h->done);
    if (!h->done) abort();
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->all, NULL);
    return h;
}

void et_filehash_when_done(et_filehash *h, void (*fn)(void *ctx), void *ctx)
{
    h->when_done = fn;
    h->when_done_ctx = ctx;
}

static uint64_t part_end(const et_filehash *h, size_t i)
{
    uint64_t to = i + 1 == h->nparts ? h->size : h->first_end + i * h->part_len;
    return to > h->size ? h->size : to;
}

/* The bytes from pos up to end, read from the source, into the digest (busy thread only);
 * false on a read error. */
static bool hash_read(et_filehash *h, uint64_t end)
{
    unsigned char *buf = NULL;
    bool ok = true;
    while (h->pos < end) {
        uint64_t left = end - h->pos;
        size_t want = left < READ_BUF ? (size_t)left : READ_BUF, n;
        if (!buf && !(buf = malloc(READ_BUF))) abort();
        const unsigned char *p = et_source_view(h->src, buf, want, h->pos, &n);
        if (p && n == 0 && h->src->feed) break;   /* a member that turned out shorter (damaged) ends here */
        if (!p || n == 0) { ok = false; break; }
        et_sha256_update(&h->sha, p, n);
        h->pos += n;
    }
    free(buf);
    return ok;
}

static void start(et_filehash *h)
{
    if (!h->started) { et_sha256_init(&h->sha); h->started = true; }
}

/* With the lock and busy held: every part done and next in line goes into the digest (bytes
 * an offer has not brought in yet read again), then busy is let go. */
static void drain(et_filehash *h)
{
    while (h->hashed < h->nparts && h->done[h->hashed]) {
        uint64_t end = part_end(h, h->hashed);
        pthread_mutex_unlock(&h->mu);
        start(h);
        bool ok = h->failed || hash_read(h, end);
        pthread_mutex_lock(&h->mu);
        if (!ok) h->failed = true;
        h->hashed++;
    }
    h->busy = false;
    if (h->hashed < h->nparts) return;
    if (h->when_done) h->when_done(h->when_done_ctx);
    h->when_done = NULL;
    pthread_cond_broadcast(&h->all);
}

void et_filehash_offer(et_filehash *h, uint64_t off, const unsigned char *p, size_t n)
{
    pthread_mutex_lock(&h->mu);
    if (off < h->size && n > h->size - off) n = (size_t)(h->size - off);
    bool take = !h->busy && !h->failed && off <= h->pos + OFFER_GAP && off + n > h->pos && off < h->size;
    if (!take) { pthread_mutex_unlock(&h->mu); return; }
    h->busy = true;
    pthread_mutex_unlock(&h->mu);
    start(h);
    bool ok = hash_read(h, off);   /* the gap before it (the file header, before chunk 0) */
    if (ok) {
        uint64_t skip = h->pos - off;   /* what of it the digest already holds */
        et_sha256_update(&h->sha, p + skip, n - (size_t)skip);
        h->pos = off + n;
    }
    pthread_mutex_lock(&h->mu);
    if (!ok) h->failed = true;
    drain(h);
    pthread_mutex_unlock(&h->mu);
}

void et_filehash_part_done(et_filehash *h, size_t i)
{
    pthread_mutex_lock(&h->mu);
    if (i < h->nparts) h->done[i] = true;
    if (!h->busy) {   /* else the hashing thread will see it */
        h->busy = true;
        drain(h);
    }
    pthread_mutex_unlock(&h->mu);
}

void et_filehash_finish(et_filehash *h, char out[65])
{
    pthread_mutex_lock(&h->mu);
    while (h->hashed < h->nparts) pthread_cond_wait(&h->all, &h->mu);
    pthread_mutex_unlock(&h->mu);
    if (et_sha256_hex(&h->sha, out) != 0 || h->failed) out[0] = 0;
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->all);
    free(h->done);
    free(h);
}
