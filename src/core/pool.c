/* pool.c: a fixed ring of task slots served by worker threads, drained in order. */
#include "core/pool.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

enum { SLOT_QUEUED = 1, SLOT_RUNNING, SLOT_DONE };

typedef struct slot {
    void *task;
    et_task_fn run;
    int state;
    int ready;      /* the task said it may be delivered while it runs (et_pool_ready) */
    int lingering;  /* delivered while it runs: the slot is reused only once it has returned */
    size_t weight;
} slot;

static _Thread_local slot *running;   /* on a worker: the slot it runs */

struct et_pool {
    int nthreads;
    size_t cap;                /* ring slots: run-less ones ride along, 4 per unit of weight */
    size_t max_weight, weight; /* of tasks that run, submitted and not yet delivered: the bound */
    slot *slots;
    size_t head, next, tail;   /* deliver from head, run from next, fill at tail */
    size_t lingering;          /* slots delivered whose task has not returned yet */
    et_done_fn done;
    void *ctx;
    et_idle_fn idle;           /* work a worker may do while no task is queued */
    void *idle_ctx;
    unsigned long wakes;       /* et_pool_wake calls: a worker back from idle() that sees a new
                                  one looks again instead of sleeping through it */
    int quit;
    pthread_mutex_t mu;
    pthread_cond_t work, finished;
    pthread_t *threads;
};

int et_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Nothing queued: lets the idle hook work (without the lock). True when the worker should look
 * at the queue again rather than sleep: the hook did something, or a wake came meanwhile. */
static bool idle_once(et_pool *p)
{
    if (!p->idle) return false;
    unsigned long wakes = p->wakes;
    pthread_mutex_unlock(&p->mu);
    bool did = p->idle(p->idle_ctx);
    pthread_mutex_lock(&p->mu);
    return did || wakes != p->wakes;
}

static void *worker(void *arg)
{
    et_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        /* slots with nothing to run are delivered without a worker, so the deliverer may have
         * gone past (and reused) slots no worker reached: every one of them had nothing to run.
         * Everything is looked at again after any wait: while a worker sleeps, the deliverer may
         * take the ring up to its end, past where the worker left off. */
        if (p->next < p->head) p->next = p->head;
        while (p->next < p->tail && !p->slots[p->next % p->cap].run) p->next++;
        if (p->next == p->tail) {
            if (p->quit) break;
            /* the hook runs unlocked: sleep only if nothing came meanwhile */
            if (!idle_once(p) && p->next == p->tail && !p->quit) pthread_cond_wait(&p->work, &p->mu);
            continue;
        }
        slot *s = &p->slots[p->next++ % p->cap];
        s->state = SLOT_RUNNING;
        pthread_mutex_unlock(&p->mu);
        running = s;
        s->run(s->task);
        running = NULL;
        pthread_mutex_lock(&p->mu);
        s->state = SLOT_DONE;
        /* the submitting thread waits for the oldest slot, or for a delivered one to be free */
        if (s->lingering) {
            s->lingering = 0;
            p->lingering--;
            pthread_cond_broadcast(&p->finished);
        } else if (s == &p->slots[p->head % p->cap]) {
            pthread_cond_broadcast(&p->finished);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Stops and joins the workers that run (the pool has no task yet, or is drained). */
static void stop_workers(et_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
}

/* Starts the workers. The system may refuse threads (a container's process limit, ulimit -u):
 * the pool then runs on those it got, or inline when that is fewer than two. */
static void start_workers(et_pool *p)
{
    p->threads = calloc((size_t)p->nthreads, sizeof *p->threads);
    if (!p->threads) abort();
    int started = 0;
    while (started < p->nthreads && pthread_create(&p->threads[started], NULL, worker, p) == 0) started++;
    p->nthreads = started;
    if (started >= 2) return;
    stop_workers(p);
    p->nthreads = 0;
    p->quit = 0;
}

et_pool *et_pool_new(int nthreads, size_t max_weight, et_done_fn done, void *ctx)
{
    et_pool *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->nthreads = nthreads > 1 ? nthreads : 0;
    p->max_weight = max_weight ? max_weight : 1;
    p->cap = p->max_weight * 4;
    p->slots = calloc(p->cap, sizeof *p->slots);
    p->done = done;
    p->ctx = ctx;
    if (!p->slots) abort();
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->finished, NULL);
    if (p->nthreads) start_workers(p);
    return p;
}

/* Delivers the oldest task once it is done or ready (a ready one's slot lingers until its
 * worker is through). Called with the lock held. */
static void deliver_head(et_pool *p)
{
    slot *s = &p->slots[p->head % p->cap];
    while (s->state != SLOT_DONE && !s->ready) pthread_cond_wait(&p->finished, &p->mu);
    void *task = s->task;
    if (s->run) p->weight -= s->weight;
    if (s->state != SLOT_DONE) {
        s->lingering = 1;
        p->lingering++;
    }
    p->head++;
    pthread_mutex_unlock(&p->mu);
    p->done(task, p->ctx);
    pthread_mutex_lock(&p->mu);
}

void et_pool_submit(et_pool *p, void *task, et_task_fn run, size_t weight)
{
    if (!p->nthreads) {
        if (run) run(task);
        p->done(task, p->ctx);
        return;
    }
    pthread_mutex_lock(&p->mu);
    if (weight < 1) weight = 1;
    if (weight > p->max_weight) weight = p->max_weight;
    while (p->tail - p->head == p->cap || (run && p->weight + weight > p->max_weight)) deliver_head(p);
    slot *s = &p->slots[p->tail % p->cap];
    while (s->lingering) pthread_cond_wait(&p->finished, &p->mu);   /* its task still returns */
    p->tail++;
    s->task = task;
    s->run = run;
    s->ready = 0;
    s->weight = weight;
    s->state = run ? SLOT_QUEUED : SLOT_DONE;
    if (run) {
        p->weight += weight;
        pthread_cond_signal(&p->work);
    }
    pthread_mutex_unlock(&p->mu);
}

size_t et_pool_deliver_done(et_pool *p)
{
    if (!p->nthreads) return 0;   /* inline: delivered at submit time */
    size_t n = 0;
    pthread_mutex_lock(&p->mu);
    while (p->head < p->tail && p->slots[p->head % p->cap].state == SLOT_DONE) {
        deliver_head(p);
        n++;
    }
    pthread_mutex_unlock(&p->mu);
    return n;
}

void et_pool_ready(et_pool *p)
{
    slot *s = running;
    if (!p->nthreads || !s) return;
    pthread_mutex_lock(&p->mu);
    s->ready = 1;
    if (s == &p->slots[p->head % p->cap]) pthread_cond_broadcast(&p->finished);
    pthread_mutex_unlock(&p->mu);
}

void et_pool_set_idle(et_pool *p, et_idle_fn fn, void *ctx)
{
    pthread_mutex_lock(&p->mu);
    p->idle = fn;
    p->idle_ctx = ctx;
    pthread_mutex_unlock(&p->mu);
}

void et_pool_wake(et_pool *p)
{
    if (!p->nthreads) return;
    pthread_mutex_lock(&p->mu);
    p->wakes++;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
}

int et_pool_threads(const et_pool *p) { return p->nthreads; }

void et_pool_drain(et_pool *p)
{
    if (!p->nthreads) return;
    pthread_mutex_lock(&p->mu);
    while (p->head < p->tail) deliver_head(p);
    while (p->lingering) pthread_cond_wait(&p->finished, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void et_pool_free(et_pool *p)
{
    if (!p) return;
    et_pool_drain(p);
    stop_workers(p);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->finished);
    free(p->threads);
    free(p->slots);
    free(p);
}
