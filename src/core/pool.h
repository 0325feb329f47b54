/* pool.h: an ordered worker pool: tasks run on N threads, results are delivered on the
 * submitting thread in submission order, so output never depends on the thread count. */
#ifndef EVTRIAGE_POOL_H
#define EVTRIAGE_POOL_H
#include <stdbool.h>
#include <stddef.h>

typedef struct et_pool et_pool;
typedef void (*et_task_fn)(void *task);          /* runs on a worker thread */
typedef void (*et_done_fn)(void *task, void *ctx); /* runs on the submitting thread, in order */

/* nthreads <= 1 runs every task inline at submit time (so does a pool the system grants fewer
 * than two threads; with more, it runs on those: et_pool_threads says). max_weight bounds memory and how far
 * workers run ahead of delivery: the summed weight of tasks that run, submitted and not yet
 * delivered (tasks with nothing to run are not counted). */
et_pool *et_pool_new(int nthreads, size_t max_weight, et_done_fn done, void *ctx);
/* Queues a task; while the pool is full, first delivers the oldest ones (waiting for them), and
 * only then: a caller queueing many tasks gets them all to the workers before it delivers any
 * (the rule loader's parsing). run NULL:
 * nothing to run, only to deliver in its turn (no worker is woken for it). weight: the task's
 * share of max_weight, in whatever unit the caller sizes its work by (clamped to 1..max_weight;
 * ignored without run), so many small tasks may be in flight where few big ones are. */
void et_pool_submit(et_pool *p, void *task, et_task_fn run, size_t weight);
/* From a task, on its worker: deliver me now, before I return. Its done callback then runs (in
 * order) while the task goes on: a task streaming results waits for its consumer there (it would
 * wait forever otherwise), one with work left that its delivery does not need (a range's share of
 * its file's hash) no longer holds up what comes after it. Its slot is reused only once it has
 * returned. Tasks start in submission order, so the oldest is always running, and one that has
 * said it is ready and then waits for its consumer cannot stall the pool. Does nothing without
 * worker threads or outside a task. */
void et_pool_ready(et_pool *p);
/* Work for idle workers: called (on a worker, no lock held) whenever no task is queued; returns
 * true if it did something (the worker then looks at the queue again), false to let it sleep
 * until a task is submitted or et_pool_wake() is called. Set before submitting. */
typedef bool (*et_idle_fn)(void *ctx);
void et_pool_set_idle(et_pool *p, et_idle_fn fn, void *ctx);
/* Wakes sleeping workers so they call the idle hook again (new idle work is there). */
void et_pool_wake(et_pool *p);
/* Worker threads (0: tasks run inline at submit time, done right after). */
int et_pool_threads(const et_pool *p);
/* Delivers, on the submitting thread, the oldest tasks that are done (run-less ones are), and
 * stops at the first that still runs, ready or not (its delivery could wait for its stream):
 * a caller busy between submits (inflating a tar member) lets results out as they come,
 * without waiting on any. Returns how many were delivered. */
size_t et_pool_deliver_done(et_pool *p);
/* Waits for every queued task and delivers them all (and for those delivered early to return). */
void et_pool_drain(et_pool *p);
void et_pool_free(et_pool *p);
/* The number of online processors (at least 1). */
int et_cpu_count(void);

#endif
