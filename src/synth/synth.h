/* synth.h: writes a scenario's log files (HOST/Channel.evtx under an output folder), optionally
 * scaled up for benchmarks: the events repeated N times with rising times and record ids, mixed
 * with noise from other providers. */
#ifndef EVTRIAGE_SYNTH_H
#define EVTRIAGE_SYNTH_H
#include <stdint.h>
#include "synth/scenario.h"

typedef struct sy_write_opts {
    uint64_t scale;        /* 0 or 1: as written; N: every file's events N times */
    unsigned noise;        /* with scale: noise events per scenario event (System/Application files) */
} sy_write_opts;

/* Called after each file is written: its path, records and bytes. */
typedef void (*sy_written_fn)(const char *path, uint64_t records, uint64_t bytes, void *ctx);

/* Writes every file of s under dir (created when missing). Returns 0, or -1 with a message. */
int sy_write(const sy_scenario *s, const char *dir, const sy_write_opts *o, sy_written_fn fn, void *ctx,
             char *err, size_t errlen);

#endif
