/* hashpipe.c: SHA-256 on a second thread over buffers handed over in order (see hashpipe.h). */
#include "input/hashpipe.h"
#include "core/sha256.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

enum { NBUF = 4, BUF_LEN = 1 << 18 };

struct et_hashpipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned char *buf[NBUF];
    size_t len[NBUF];
    size_t produced, hashed;   /* buffers handed over, and hashed: buffer k is buf[k % NBUF] */
    bool closed;               /* no more will come */
    et_sha256 sha;
};

static void *hash_loop(void *arg)
{
    et_hashpipe *p = arg;
    et_sha256_init(&p->sha);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->hashed == p->produced && !p->closed) pthread_cond_wait(&p->cv, &p->mu);
        if (p->hashed == p->produced) break;
        size_t k = p->hashed % NBUF;
        pthread_mutex_unlock(&p->mu);
        et_sha256_update(&p->sha, p->buf[k], p->len[k]);
        pthread_mutex_lock(&p->mu);
        p->hashed++;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

et_hashpipe *et_hashpipe_start(void)
{
    et_hashpipe *p = calloc(1, sizeof *p);
    if (!p) abort();
    for (int i = 0; i < NBUF; i++)
        if (!(p->buf[i] = malloc(BUF_LEN))) abort();
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, hash_loop, p) == 0) return p;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    for (int i = 0; i < NBUF; i++) free(p->buf[i]);
    free(p);
    return NULL;
}

unsigned char *et_hashpipe_buffer(et_hashpipe *p, size_t *cap)
{
    pthread_mutex_lock(&p->mu);
    while (p->produced - p->hashed == NBUF) pthread_cond_wait(&p->cv, &p->mu);
    unsigned char *b = p->buf[p->produced % NBUF];
    pthread_mutex_unlock(&p->mu);
    *cap = BUF_LEN;
    return b;
}

void et_hashpipe_push(et_hashpipe *p, unsigned char *buf, size_t n)
{
    pthread_mutex_lock(&p->mu);
    size_t k = p->produced % NBUF;
    if (buf == p->buf[k]) {
        p->len[k] = n;
        p->produced++;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
}

void et_hashpipe_finish(et_hashpipe *p, char out[65])
{
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    char hex[65];
    if (et_sha256_hex(&p->sha, hex) != 0) hex[0] = 0;
    if (out) for (int i = 0; i < 65; i++) out[i] = hex[i];
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    for (int i = 0; i < NBUF; i++) free(p->buf[i]);
    free(p);
}
