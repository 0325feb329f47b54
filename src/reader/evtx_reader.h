/* evtx_reader.h: streams the records of one .evtx file, one normalized event at a time. */
#ifndef EVTRIAGE_EVTX_READER_H
#define EVTRIAGE_EVTX_READER_H
#include <stdint.h>
#include "core/event.h"
#include "core/source.h"

typedef struct et_reader et_reader;
/* One open EVTX file, shared read-only by readers of its chunk ranges (thread-safe). */
typedef struct et_evtx_file et_evtx_file;

typedef struct et_reader_stats {
    uint64_t records;         /* events handed out, recovered ones included */
    uint64_t recovered;       /* of which carved from slack space or damaged chunks */
    uint64_t skipped;         /* records found in the live area but not decodable */
    uint64_t stale_copies;    /* slack-space copies of records the live area holds (not re-read) */
    uint64_t remnants;        /* carved slack-space candidates that did not decode (stale) */
    uint64_t chunks;          /* chunks with a valid signature */
    uint64_t bad_crc_chunks;  /* chunk header or record-data CRC32 mismatches */
    uint64_t damaged_chunks;  /* chunk-sized blocks with a bad signature that held data */
    uint64_t bytes;           /* file size */
    int64_t first_time, last_time; /* FILETIME range of the events, 0 when none */
    int truncated;            /* last chunk cut short */
    int dirty;                /* file header flags: not closed cleanly */
} et_reader_stats;

enum { ET_READ_END = 0, ET_READ_EVENT = 1, ET_READ_PROBLEM = 2 };

/* Opens path. On failure returns NULL and writes why to err. */
et_reader *et_reader_open(const char *path, char *err, size_t errlen);
/* Same, but events name the file `display` (e.g. "upload.zip!HOST/System.evtx"). */
et_reader *et_reader_open_as(const char *path, const char *display, char *err, size_t errlen);
/* Parallel reading: open the file once, then one reader per range of chunks (each on its
 * own thread if wanted). Stats of the ranges add up to the whole file's. */
et_evtx_file *et_evtx_file_open(const char *path, const char *display, char *err, size_t errlen);
/* Same on an open descriptor, which the file takes over (closed on failure too). */
et_evtx_file *et_evtx_file_open_fd(int fd, const char *display, char *err, size_t errlen);
/* Same on any source (a descriptor or memory), taken over likewise. */
et_evtx_file *et_evtx_file_open_source(et_source src, const char *display, char *err, size_t errlen);
uint64_t et_evtx_file_chunks(const et_evtx_file *f);
uint64_t et_evtx_file_size(const et_evtx_file *f);
/* What the file header says is missing ("cut short: the file header counts 26 chunk(s), the
 * file holds 3 whole"), or NULL: every chunk present is read either way. */
const char *et_evtx_file_note(const et_evtx_file *f);
/* Once every range is read: waits for the file's last bytes (a member still inflating while
 * it was read: core/source.h). A file that turned out shorter than its source said (the
 * member was damaged) takes its final length, and its note is worked out again. Returns what
 * the source said of its bytes (NULL: nothing); *sha256, the digest it gave (NULL: none). */
const char *et_evtx_file_settle(et_evtx_file *f, const char **sha256);
/* The bytes the file reads (for hashing them). */
const et_source *et_evtx_file_source(const et_evtx_file *f);
et_reader *et_reader_open_range(et_evtx_file *f, uint64_t first_chunk, uint64_t nchunks);
/* fn sees each block of the file as r loads it (its offset, its bytes present), before its
 * records are read: so that a hash takes the bytes without reading them again. */
typedef void (*et_reader_block_fn)(void *ctx, uint64_t off, const uint8_t *p, size_t n);
void et_reader_on_block(et_reader *r, et_reader_block_fn fn, void *ctx);
/* Lets go of the file's bytes (its descriptor or memory) once every reader is closed and
 * nothing will read it again; the rest (name, size, chunk count) stays until close. */
void et_evtx_file_release(et_evtx_file *f);
/* Closes the file; every reader of it must be closed first. */
void et_evtx_file_close(et_evtx_file *f);
/* ET_READ_EVENT: *ev is valid until the next call. ET_READ_PROBLEM: a record or chunk
 * could not be read, or the event just given was read with parts left out (bounds):
 * et_reader_problem() says what; call again to go on. ET_READ_END. */
int et_reader_next(et_reader *r, const et_event **ev);
/* The last problem as "record N: message" or "chunk N: message". */
const char *et_reader_problem(const et_reader *r);
const et_reader_stats *et_reader_get_stats(const et_reader *r);
void et_reader_close(et_reader *r);

#endif
