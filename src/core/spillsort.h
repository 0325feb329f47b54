/* spillsort.h: fixed-size records read back in sorted order with flat memory: a bounded buffer,
 * sorted and appended to one unnamed temporary file when full (a run); reading merges the runs
 * (a heap, each run read through a small window) with the buffer. */
#ifndef EVTRIAGE_SPILLSORT_H
#define EVTRIAGE_SPILLSORT_H
#include <stdbool.h>
#include <stddef.h>

typedef int (*et_spill_cmp)(const void *a, const void *b);
typedef int (*et_spill_fn)(const void *rec, void *ctx);   /* non-zero stops */
typedef struct et_spill et_spill;

/* rec_size bytes per record, mem_recs held in memory (0: 65,536), ordered by cmp. */
et_spill *et_spill_new(size_t rec_size, size_t mem_recs, et_spill_cmp cmp);
void et_spill_free(et_spill *s);
void et_spill_add(et_spill *s, const void *rec);
size_t et_spill_count(const et_spill *s);
/* Runs written so far (for tests). */
size_t et_spill_runs(const et_spill *s);
/* The temporary file could not be written or read back: records were lost. */
bool et_spill_failed(const et_spill *s);
/* Every record in cmp's order (ties in no set order); may be called more than once. */
int et_spill_each(et_spill *s, et_spill_fn fn, void *ctx);

#endif
