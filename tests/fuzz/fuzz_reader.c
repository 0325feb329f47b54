/* fuzz_reader.c: libFuzzer target: arbitrary bytes as an EVTX file through the streaming reader,
 * whole-file and as two parallel chunk ranges whose statistics must add up to the whole's. */
#include "fuzz.h"
#include "reader/evtx_reader.h"
#include <stdlib.h>
#include <string.h>

static volatile size_t sink;

/* Reads r to the end the way the CLI does; returns the number of problems reported. */
static uint64_t drain(et_reader *r)
{
    uint64_t problems = 0;
    const et_event *ev;
    int rc;
    while ((rc = et_reader_next(r, &ev)) != ET_READ_END) {
        if (rc == ET_READ_EVENT) {
            sink += fz_touch_event(ev);
        } else {
            sink += fz_touch_str(et_reader_problem(r));
            problems++;
        }
    }
    return problems;
}

static void add_stats(et_reader_stats *sum, const et_reader_stats *s)
{
    sum->records += s->records;
    sum->recovered += s->recovered;
    sum->skipped += s->skipped;
    sum->stale_copies += s->stale_copies;
    sum->remnants += s->remnants;
    sum->chunks += s->chunks;
    sum->bad_crc_chunks += s->bad_crc_chunks;
    sum->damaged_chunks += s->damaged_chunks;
}

/* The counters a range split must preserve (times and flags are merged differently). */
static int same_counts(const et_reader_stats *a, const et_reader_stats *b)
{
    return a->records == b->records && a->recovered == b->recovered && a->skipped == b->skipped &&
           a->stale_copies == b->stale_copies && a->remnants == b->remnants && a->chunks == b->chunks &&
           a->bad_crc_chunks == b->bad_crc_chunks && a->damaged_chunks == b->damaged_chunks;
}

/* Reads the file as two halves of its chunks, as `-j 2` would; returns the summed stats. */
static et_reader_stats read_halves(const char *path, uint64_t *problems)
{
    et_reader_stats sum;
    memset(&sum, 0, sizeof sum);
    char err[256];
    et_evtx_file *f = et_evtx_file_open(path, "fuzz.evtx", err, sizeof err);
    if (!f) abort(); /* the whole-file open just succeeded on the same bytes */
    uint64_t n = et_evtx_file_chunks(f), half = n / 2;
    et_reader *a = et_reader_open_range(f, 0, half);
    et_reader *b = et_reader_open_range(f, half, UINT64_MAX);
    *problems = drain(a) + drain(b);
    add_stats(&sum, et_reader_get_stats(a));
    add_stats(&sum, et_reader_get_stats(b));
    et_reader_close(a);
    et_reader_close(b);
    et_evtx_file_close(f);
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fz_file file;
    const char *path = fz_file_put(&file, "fuzz_reader.evtx", data, size);
    char err[256];
    et_reader *r = et_reader_open_as(path, "fuzz.evtx", err, sizeof err);
    if (!r) {
        sink += strlen(err);
        return 0;
    }
    uint64_t whole_problems = drain(r);
    et_reader_stats whole = *et_reader_get_stats(r);
    et_reader_close(r);
    uint64_t split_problems = 0;
    et_reader_stats split = read_halves(path, &split_problems);
    if (!same_counts(&whole, &split) || whole_problems != split_problems) abort();
    return 0;
}
