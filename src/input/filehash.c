/* filehash.c: in-order SHA-256 over parts finished in any order (see filehash.h). */
#include "input/filehash.h"
#include "core/sha256.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct et_filehash {
    const et_source *src;
    uint64_t size, first_end, part_len;
    size_t nparts, hashed;     /* parts 0..hashed-1 are in the digest */
    bool *done;
    bool busy;                 /* a thread is hashing */
    bool failed;
    bool started;              /* sha set up: by the first thread to hash, not by the opener
                                  (the first set-up in a process costs OpenSSL ~1 ms) */
    et_sha256 sha;
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

static void part_bounds(const et_filehash *h, size_t i, uint64_t *from, uint64_t *to)
{
    *from = i == 0 ? 0 : h->first_end + (i - 1) * h->part_len;
    *to = i + 1 == h->nparts ? h->size : h->first_end + i * h->part_len;
    if (*to > h->size) *to = h->size;
    if (*from > *to) *from = *to;
}

/* Hashes part i's bytes; false on a read error. Runs outside the lock (one thread at a time). */
static bool hash_part(et_filehash *h, size_t i, uint8_t *buf, size_t buflen)
{
    uint64_t off, end;
    part_bounds(h, i, &off, &end);
    while (off < end) {
        size_t want = end - off < buflen ? (size_t)(end - off) : buflen;
        size_t n;
        const unsigned char *p = et_source_view(h->src, buf, want, off, &n);
        if (!p || n == 0) return false;
        et_sha256_update(&h->sha, p, n);
        off += n;
    }
    return true;
}

void et_filehash_part_done(et_filehash *h, size_t i)
{
    pthread_mutex_lock(&h->mu);
    if (i < h->nparts) h->done[i] = true;
    if (h->busy) { pthread_mutex_unlock(&h->mu); return; }   /* the hashing thread will see it */
    h->busy = true;
    uint8_t *buf = NULL;
    while (h->hashed < h->nparts && h->done[h->hashed]) {
        size_t k = h->hashed;
        pthread_mutex_unlock(&h->mu);
        if (!buf && !(buf = malloc(1 << 16))) abort();
        if (!h->started) { et_sha256_init(&h->sha); h->started = true; }
        bool ok = h->failed || hash_part(h, k, buf, 1 << 16);
        pthread_mutex_lock(&h->mu);
        if (!ok) h->failed = true;
        h->hashed++;
    }
    h->busy = false;
    if (h->hashed == h->nparts) pthread_cond_broadcast(&h->all);
    pthread_mutex_unlock(&h->mu);
    free(buf);
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
