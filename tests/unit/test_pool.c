/* test_pool.c: the ordered pool: every task runs once (tasks with nothing to run never do) and
 * is delivered once, in submission order, whatever the thread count, the in-flight bound and
 * the mix of slow, instant and run-less tasks; the weight in flight never passes the bound, and
 * light tasks do run side by side; stream tasks hand over items in order, short ones once done
 * and long ones while they run; a task that says it is ready is delivered, and the tasks after
 * it too, while it still runs, and its slot is not reused before it returns; a caller busy
 * between submits gets what is done delivered, up to the first task still running; a pool the
 * system refuses threads runs on those it got, or inline. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/pool.h"
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { NTASKS = 20000 };

typedef struct task { size_t id; int runs; int delivered; int kind; } task;
typedef struct order { size_t next; int errors; } order;

static void run_task(void *vt)
{
    task *t = vt;
    __atomic_add_fetch(&t->runs, 1, __ATOMIC_SEQ_CST);
    if (t->id % 97 == 0) usleep(50);   /* now and then a slow one */
}

static void delivered(void *vt, void *vctx)
{
    task *t = vt;
    order *o = vctx;
    if (t->id != o->next++) o->errors++;
    t->delivered++;
}

static void test_order_and_once(void **state)
{
    (void)state;
    task *tasks = calloc(NTASKS, sizeof *tasks);
    assert_non_null(tasks);
    const int threads[] = {0, 2, 3, 8};
    const size_t inflight[] = {1, 2, 5, 64};
    for (size_t ti = 0; ti < 4; ti++)
        for (size_t fi = 0; fi < 4; fi++) {
            order o = {0};
            et_pool *p = et_pool_new(threads[ti], inflight[fi], delivered, &o);
            srand((unsigned)(ti * 4 + fi));
            for (size_t i = 0; i < NTASKS; i++) {
                /* runs of run-less tasks, as a directory of small files gives (begin, range, end) */
                tasks[i] = (task){.id = i, .kind = rand() % 3 ? 1 : 0};   /* 1: nothing to run */
                et_pool_submit(p, &tasks[i], tasks[i].kind ? NULL : run_task, 1);
            }
            et_pool_free(p);
            assert_int_equal(o.errors, 0);
            assert_int_equal(o.next, NTASKS);
            for (size_t i = 0; i < NTASKS; i++) {
                assert_int_equal(tasks[i].delivered, 1);
                assert_int_equal(tasks[i].runs, tasks[i].kind == 1 ? 0 : 1);
            }
        }
    free(tasks);
}

/* ---- weights: what runs or waits for delivery never weighs more than the bound ---------- */

enum { MAX_WEIGHT = 8, WTASKS = 3000 };
typedef struct wtask { size_t weight; } wtask;
static size_t in_flight, peak_in_flight;   /* weight of tasks started and not yet delivered */

static void run_weighted(void *vt)
{
    wtask *t = vt;
    size_t now = __atomic_add_fetch(&in_flight, t->weight, __ATOMIC_SEQ_CST);
    size_t peak = __atomic_load_n(&peak_in_flight, __ATOMIC_SEQ_CST);
    while (now > peak && !__atomic_compare_exchange_n(&peak_in_flight, &peak, now, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
    usleep(t->weight == 1 ? 200 : 20);
}

static void delivered_weighted(void *vt, void *vctx)
{
    (void)vctx;
    __atomic_sub_fetch(&in_flight, ((wtask *)vt)->weight, __ATOMIC_SEQ_CST);
}

static void test_weight_bound(void **state)
{
    (void)state;
    wtask *tasks = calloc(WTASKS, sizeof *tasks);
    assert_non_null(tasks);
    /* weights 1..12: those past the bound count as the bound (the pool clamps them) */
    et_pool *p = et_pool_new(4, MAX_WEIGHT, delivered_weighted, NULL);
    srand(7);
    for (size_t i = 0; i < WTASKS; i++) {
        size_t w = (size_t)(rand() % 12) + 1;
        tasks[i].weight = w > MAX_WEIGHT ? MAX_WEIGHT : w;
        et_pool_submit(p, &tasks[i], run_weighted, w);
    }
    et_pool_free(p);
    assert_int_equal(in_flight, 0);
    assert_true(peak_in_flight <= MAX_WEIGHT);
    /* light tasks: four threads, a bound of 8, so several run at once (not one at a time) */
    peak_in_flight = 0;
    p = et_pool_new(4, MAX_WEIGHT, delivered_weighted, NULL);
    for (size_t i = 0; i < 400; i++) {
        tasks[i].weight = 1;
        et_pool_submit(p, &tasks[i], run_weighted, 1);
    }
    et_pool_free(p);
    assert_true(peak_in_flight >= 3);
    assert_true(peak_in_flight <= MAX_WEIGHT);
    free(tasks);
}

/* ---- stream tasks: a short queue between a task and its delivery -------------------------- */

enum { QCAP = 4, STASKS = 600 };
typedef struct stask {
    et_pool *pool;
    size_t id, nitems;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t q[QCAP], head, tail;
    int finished;
} stask;
typedef struct sorder { size_t next_task, bad; } sorder;

static void run_stream(void *vt)
{
    stask *t = vt;
    for (size_t i = 0; i < t->nitems; i++) {
        pthread_mutex_lock(&t->mu);
        if (t->tail - t->head == QCAP) {   /* full: be delivered now, or wait forever */
            pthread_mutex_unlock(&t->mu);
            et_pool_ready(t->pool);
            pthread_mutex_lock(&t->mu);
        }
        while (t->tail - t->head == QCAP) pthread_cond_wait(&t->cv, &t->mu);
        t->q[t->tail++ % QCAP] = t->id * 1000 + i;
        pthread_cond_broadcast(&t->cv);
        pthread_mutex_unlock(&t->mu);
    }
    pthread_mutex_lock(&t->mu);
    t->finished = 1;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static void deliver_stream(void *vt, void *vctx)
{
    stask *t = vt;
    sorder *o = vctx;
    if (t->id != o->next_task++) o->bad++;
    for (size_t want = 0;; want++) {
        pthread_mutex_lock(&t->mu);
        while (t->head == t->tail && !t->finished) pthread_cond_wait(&t->cv, &t->mu);
        if (t->head == t->tail) { pthread_mutex_unlock(&t->mu); if (want != t->nitems) o->bad++; break; }
        size_t item = t->q[t->head++ % QCAP];
        pthread_cond_broadcast(&t->cv);
        pthread_mutex_unlock(&t->mu);
        if (item != t->id * 1000 + want) o->bad++;
    }
}

static void test_stream_tasks(void **state)
{
    (void)state;
    stask *tasks = calloc(STASKS, sizeof *tasks);
    assert_non_null(tasks);
    for (int threads = 0; threads <= 3; threads += 3) {
        sorder o = {0};
        et_pool *p = et_pool_new(threads, 6, deliver_stream, &o);
        srand(11);
        for (size_t i = 0; i < STASKS; i++) {
            /* most fit the queue (delivered once done); some need to be delivered while they run
             * (not without threads: a task runs there before its delivery, whole) */
            bool long_one = threads && rand() % 3 == 0;
            tasks[i] = (stask){.pool = p, .id = i, .nitems = (size_t)(long_one ? QCAP + 1 + rand() % 20 : rand() % (QCAP + 1))};
            pthread_mutex_init(&tasks[i].mu, NULL);
            pthread_cond_init(&tasks[i].cv, NULL);
            et_pool_submit(p, &tasks[i], run_stream, (size_t)(rand() % 3) + 1);
        }
        et_pool_free(p);
        assert_int_equal(o.next_task, STASKS);
        assert_int_equal(o.bad, 0);
        for (size_t i = 0; i < STASKS; i++) {
            pthread_mutex_destroy(&tasks[i].mu);
            pthread_cond_destroy(&tasks[i].cv);
        }
    }
    free(tasks);
}

/* ---- ready tasks: delivered while they go on ---------------------------------------------- */

enum { RTASKS = 3000, RELEASER = 5 };
typedef struct rtask { et_pool *pool; size_t id; int after_ready, delivered, returned; } rtask;
typedef struct rstate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int released;             /* task RELEASER has been delivered */
    size_t next, bad;
    rtask *tasks;
} rstate;
static rstate rs;

/* Task 0 says it is ready, then waits for task RELEASER's delivery: a pool that held every
 * task behind task 0 until it returned would never get there (the wait gives up after 20 s). */
static void run_ready(void *vt)
{
    rtask *t = vt;
    et_pool_ready(t->pool);
    if (t->id == 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 20;
        pthread_mutex_lock(&rs.mu);
        while (!rs.released && pthread_cond_timedwait(&rs.cv, &rs.mu, &until) == 0) {}
        t->after_ready = rs.released;
        pthread_mutex_unlock(&rs.mu);
    } else {
        if (t->id % 7 == 0) usleep(100);   /* a slot delivered and not yet free */
        t->after_ready = 1;
    }
    __atomic_store_n(&t->returned, 1, __ATOMIC_SEQ_CST);
}

static void deliver_ready(void *vt, void *vctx)
{
    rtask *t = vt;
    (void)vctx;
    if (t->id != rs.next++) rs.bad++;
    t->delivered++;
    if (t->id == RELEASER) {
        pthread_mutex_lock(&rs.mu);
        rs.released = 1;
        pthread_cond_broadcast(&rs.cv);
        pthread_mutex_unlock(&rs.mu);
    }
}

static void test_ready_tasks(void **state)
{
    (void)state;
    rtask *tasks = calloc(RTASKS, sizeof *tasks);
    assert_non_null(tasks);
    pthread_mutex_init(&rs.mu, NULL);
    pthread_cond_init(&rs.cv, NULL);
    rs.tasks = tasks;
    /* a bound of 2 makes a ring of 8 slots, reused all the time */
    et_pool *p = et_pool_new(3, 2, deliver_ready, NULL);
    for (size_t i = 0; i < RTASKS; i++) {
        tasks[i] = (rtask){.pool = p, .id = i};
        et_pool_submit(p, &tasks[i], run_ready, 1);
    }
    et_pool_drain(p);
    /* drained: everything delivered, and every task has returned */
    for (size_t i = 0; i < RTASKS; i++) {
        assert_int_equal(tasks[i].delivered, 1);
        assert_int_equal(__atomic_load_n(&tasks[i].returned, __ATOMIC_SEQ_CST), 1);
        assert_int_equal(tasks[i].after_ready, 1);
    }
    et_pool_free(p);
    assert_int_equal(rs.next, RTASKS);
    assert_int_equal(rs.bad, 0);
    pthread_mutex_destroy(&rs.mu);
    pthread_cond_destroy(&rs.cv);
    free(tasks);
}

/* ---- the ring run to its end while a worker sleeps ---------------------------------------- */

/* A task, then one with nothing to run, then everything delivered, over and over: the ring is
 * often taken to its end (and run-less slots past) while a woken worker has not looked yet. A
 * worker that took the slot after the end (a stale one) would run a task a second time. */
static void test_ring_end(void **state)
{
    (void)state;
    enum { ROUNDS = 40000 };
    task *tasks = calloc(2 * ROUNDS, sizeof *tasks);
    assert_non_null(tasks);
    for (int threads = 2; threads <= 4; threads += 2) {
        order o = {0};
        et_pool *p = et_pool_new(threads, 2, delivered, &o);
        for (size_t i = 0; i < 2 * ROUNDS; i += 2) {
            tasks[i] = (task){.id = i};
            tasks[i + 1] = (task){.id = i + 1, .kind = 1};
            et_pool_submit(p, &tasks[i], run_task, 1);
            et_pool_submit(p, &tasks[i + 1], NULL, 0);
            if (i % 4 == 0) et_pool_drain(p);
        }
        et_pool_free(p);
        assert_int_equal(o.errors, 0);
        assert_int_equal(o.next, 2 * ROUNDS);
        for (size_t i = 0; i < 2 * ROUNDS; i++) {
            assert_int_equal(tasks[i].delivered, 1);
            assert_int_equal(tasks[i].runs, tasks[i].kind == 1 ? 0 : 1);
        }
    }
    free(tasks);
}

/* ---- delivering what is done, from a caller busy between submits ------------------------ */

static volatile int gate_open;

static void run_gated(void *vt)
{
    task *t = vt;
    while (!__atomic_load_n(&gate_open, __ATOMIC_SEQ_CST)) usleep(100);
    __atomic_add_fetch(&t->runs, 1, __ATOMIC_SEQ_CST);
}

/* Calls et_pool_deliver_done until it has delivered want tasks in all (or 5 s have passed). */
static size_t deliver_until(et_pool *p, size_t want)
{
    size_t got = 0;
    for (int i = 0; i < 50000 && got < want; i++) {
        got += et_pool_deliver_done(p);
        if (got < want) usleep(100);
    }
    return got;
}

static void test_deliver_done(void **state)
{
    (void)state;
    task t[4] = {{.id = 0}, {.id = 1}, {.id = 2, .kind = 1}, {.id = 3}};
    order o = {0};
    gate_open = 0;
    et_pool *p = et_pool_new(2, 4, delivered, &o);
    et_pool_submit(p, &t[0], run_task, 1);
    et_pool_submit(p, &t[1], run_gated, 1);   /* runs until the gate opens */
    et_pool_submit(p, &t[2], NULL, 0);
    et_pool_submit(p, &t[3], run_task, 1);
    /* the first is delivered once it is done; the gated one holds back those after it, done or not */
    assert_int_equal(deliver_until(p, 1), 1);
    usleep(20000);
    assert_int_equal(et_pool_deliver_done(p), 0);
    assert_int_equal(t[0].delivered, 1);
    assert_int_equal(t[1].delivered + t[2].delivered + t[3].delivered, 0);
    __atomic_store_n(&gate_open, 1, __ATOMIC_SEQ_CST);
    assert_int_equal(deliver_until(p, 3), 3);
    assert_int_equal(o.next, 4);
    assert_int_equal(o.errors, 0);
    assert_int_equal(et_pool_deliver_done(p), 0);   /* nothing left */
    et_pool_free(p);
    /* without threads every task is delivered at submit time: nothing is left to deliver */
    order o0 = {0};
    et_pool *inline_pool = et_pool_new(0, 4, delivered, &o0);
    task u = {.id = 0};
    et_pool_submit(inline_pool, &u, run_task, 1);
    assert_int_equal(u.delivered, 1);
    assert_int_equal(et_pool_deliver_done(inline_pool), 0);
    et_pool_free(inline_pool);
}

/* ---- threads the system refuses (a container's process limit, ulimit -u) ----------------
 * pthread_create is wrapped (-Wl,--wrap, CMakeLists.txt): with threads_allowed set, it starts
 * that many more threads and fails the rest with EAGAIN, as the system does. */
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
static int threads_allowed = -1;   /* -1: no limit */

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    if (threads_allowed == 0) return EAGAIN;
    if (threads_allowed > 0) threads_allowed--;
    return __real_pthread_create(t, a, fn, arg);
}

static void test_threads_refused(void **state)
{
    (void)state;
    enum { N = 3000 };
    task *tasks = calloc(N, sizeof *tasks);
    assert_non_null(tasks);
    for (int allowed = 0; allowed <= 4; allowed++) {
        threads_allowed = allowed;
        order o = {0};
        et_pool *p = et_pool_new(8, 16, delivered, &o);
        threads_allowed = -1;
        /* fewer than two started: inline, the one that started stopped again */
        assert_int_equal(et_pool_threads(p), allowed >= 2 ? allowed : 0);
        for (size_t i = 0; i < N; i++) {
            tasks[i] = (task){.id = i, .kind = i % 3 == 0};
            et_pool_submit(p, &tasks[i], tasks[i].kind ? NULL : run_task, 1);
        }
        et_pool_free(p);
        assert_int_equal(o.errors, 0);
        assert_int_equal(o.next, N);
        for (size_t i = 0; i < N; i++) assert_int_equal(tasks[i].runs, tasks[i].kind ? 0 : 1);
    }
    free(tasks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_order_and_once), cmocka_unit_test(test_weight_bound),
                                       cmocka_unit_test(test_stream_tasks), cmocka_unit_test(test_ready_tasks),
                                       cmocka_unit_test(test_ring_end), cmocka_unit_test(test_deliver_done),
                                       cmocka_unit_test(test_threads_refused)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
