/* corrstore.h: the matches correlations need, with flat memory. Each match is one allocation
 * (a citem: its values and strings inline, reference-counted, so a window can hold it after the
 * store has moved on). A store keeps them in a bounded buffer and, beyond it, spills sorted runs
 * to an anonymous temporary file; reading merges the runs in evaluation order (time, rule, host,
 * channel, record, file), as often as the correlator needs (once per chain depth). Engine-internal. */
#ifndef EVTRIAGE_CORRSTORE_H
#define EVTRIAGE_CORRSTORE_H
#include "rules/rules.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct citem {
    unsigned refs;
    uint32_t rule;            /* rule set index of the detection or correlation that produced it */
    int64_t ts;
    uint64_t record_id;
    uint32_t event_id;
    const char *file, *computer, *channel;
    et_value_ref *values; size_t nvalues;
} citem;

/* A citem holding copies of everything given (NULL strings stay NULL); one reference. */
citem *citem_new(uint32_t rule, int64_t ts, uint64_t record_id, uint32_t event_id, const char *file,
                 const char *computer, const char *channel, const et_value_ref *values, size_t nvalues);
citem *citem_ref(citem *it);
void citem_unref(citem *it);
/* Evaluation order: time, rule, computer, channel, record, file (independent of arrival): copies
 * of one record (the same log in two inputs) come one after the other, the first input's first. */
int citem_cmp(const citem *a, const citem *b);
/* The same match of the same record: rule, time, computer, channel and record id agree. */
bool citem_same_record(const citem *a, const citem *b);
/* A value by name; Computer, ComputerName and Hostname fall back on the event's computer. */
const char *citem_value(const citem *it, const char *name);

typedef struct cstore cstore;
/* mem_items: items held in memory before a run is spilled (0: 32,768, or 16 MiB). */
cstore *cstore_new(size_t mem_items);
void cstore_free(cstore *s);
/* Takes over the caller's reference. Not after reading has begun. */
void cstore_add(cstore *s, citem *it);
/* Moves everything src holds into dst (src is left empty). */
void cstore_move(cstore *dst, cstore *src);
size_t cstore_count(const cstore *s);
/* Items lost because a run could not be written (a full disk); 0 normally. */
size_t cstore_lost(const cstore *s);
/* Runs written so far (for tests). */
size_t cstore_runs(const cstore *s);

typedef struct cstore_iter cstore_iter;
/* Reads the store in evaluation order (from the start each time). */
cstore_iter *cstore_iter_new(cstore *s);
/* The next item (a new reference: unref it), or NULL at the end. */
citem *cstore_iter_next(cstore_iter *it);
void cstore_iter_free(cstore_iter *it);

#endif
