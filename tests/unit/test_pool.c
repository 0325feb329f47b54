/* test_pool.c: the ordered pool: every task runs once (tasks with nothing to run never do) and
 * is delivered once, in submission order, whatever the thread count, the in-flight bound and
 * the mix of slow, instant and run-less tasks; the weight in flight never passes the bound, and
 * light tasks do run side by side. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/pool.h"
#include <pthread.h>
#include <stdlib.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_order_and_once), cmocka_unit_test(test_weight_bound)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
