/* scan.h: reads every event of every input on N threads and delivers results in input order.
 * A consumer keeps per-unit state: events are handed to it on worker threads, and each unit
 * (a range of chunks of one file) is delivered on the calling thread in order, so output is
 * identical whatever the thread count. */
#ifndef EVTRIAGE_SCAN_H
#define EVTRIAGE_SCAN_H
#include <stdbool.h>
#include <stdint.h>
#include "core/event.h"
#include "input/inputs.h"
#include "reader/evtx_reader.h"

typedef struct et_scan_file {
    const char *display;      /* name in output (archive members: "a.zip!x/y.evtx") */
    uint64_t size;            /* at file_end: shorter than at file_begin for such a member */
    char sha256[65];          /* when et_scan_opts.hash is set: complete at file_end */
    const char *hash_error;   /* hashing was asked but sha256 is empty: why (at file_end) */
    const char *note;         /* a damaged member: its bytes are those before the damage, and
                                 this says why (a problem of the file; NULL: none); complete
                                 at file_end (a member read while it inflated is found damaged
                                 only once read), where consumers say it */
    et_reader_stats stats;    /* totals over the file's units (complete at file_end) */
} et_scan_file;

/* An archive as received (a path, or a member that is itself an archive), after its members. */
typedef struct et_scan_archive {
    const char *display;
    uint64_t size;
    uint64_t members;         /* entries that are not folders, as far as the walk went */
    char sha256[65];          /* when et_scan_opts.hash is set */
    const char *hash_error;   /* hashing was asked but sha256 is empty: why */
} et_scan_archive;

typedef struct et_scan_consumer {
    void *ctx;
    /* Worker thread: a new unit's state (may return NULL). */
    void *(*unit_new)(void *ctx);
    /* Worker thread: one event / one problem ("record N: ..." or "chunk N: ...") of the unit. */
    void (*event)(void *unit, const et_event *ev);
    void (*problem)(void *unit, const char *message);
    /* Calling thread, in input order. */
    void (*file_begin)(void *ctx, const et_scan_file *f);
    void (*unit_done)(void *ctx, void *unit, const et_scan_file *f);
    void (*file_end)(void *ctx, const et_scan_file *f);
    /* A path or member that could not be read (is_skip: only not EVTX), in input order. */
    void (*input_problem)(void *ctx, const char *display, const char *message, bool is_skip);
    /* An archive, after everything read from it (optional: without it archives are not hashed). */
    void (*archive)(void *ctx, const et_scan_archive *a);
} et_scan_consumer;

typedef struct et_scan_opts {
    int jobs;                 /* threads; <= 0: one per core */
    uint64_t chunks_per_unit; /* 0: default (8 chunks = 512 KiB of records) */
    bool hash;                /* SHA-256 of every input (forensic inventory) */
    bool progress;            /* a progress line on stderr (only set it when stderr is a terminal) */
    const et_input_limits *limits;
} et_scan_opts;

/* Returns the number of problems (unreadable inputs, refused members, skipped records). */
int et_scan(char **paths, int npaths, const et_scan_opts *opts, const et_scan_consumer *c);

#endif
