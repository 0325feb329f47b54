/* evtx_reader.c: EVTX file and chunk layout: walks chunks with one 64 KiB buffer, hands
 * each record's BinXML to binxml.c, carves records from chunk slack space and damaged
 * chunks (flagged recovered), and turns every unreadable part into a reported problem. */
#include "reader/evtx_reader.h"
#include "reader/binxml.h"
#include "core/crc32.h"
#include "core/source.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_HEADER_SIZE 4096
#define CHUNK_SIZE 65536
#define CHUNK_HEADER_SIZE 512
#define RECORD_MIN 28

enum phase { PH_NEXT_CHUNK, PH_RECORDS, PH_SLACK, PH_DONE };

/* What every reader of one file shares (read-only after open, but for the live ranges):
 * several readers, one per range of chunks, can run on separate threads. */
struct et_evtx_file {
    et_source src;
    char *path;            /* display name */
    uint64_t size;
    uint64_t nblocks;      /* chunk-sized blocks after the file header */
    int dirty;
    unsigned declared;     /* chunks the file header counts */
    char note[160];        /* what the file header says is missing (a file cut short), or "" */
    /* live record-id ranges of every chunk (a read per chunk header), sorted: carved copies
     * of live records are recognised file-wide. Loaded by the first reader that carves a
     * record (most files have none), under live_mu: the open, on the calling thread, reads
     * only the file header. */
    pthread_mutex_t live_mu;
    bool live_loaded;
    uint64_t (*live)[2];
    size_t nlive;
};

struct et_reader {
    et_evtx_file *file;
    int owns_file;
    char *path;
    uint64_t nblocks;      /* end of this reader's block range */
    uint64_t block;        /* index of the chunk being read */
    enum phase phase;
    uint32_t pos, limit;   /* scan position and end of the live record area */
    uint32_t chunk_len;    /* bytes of the chunk present in the file */
    int chunk_ok;          /* signature valid */
    uint8_t *chunk;        /* a copy of the chunk, when the source is not in memory */
    const uint8_t *data;   /* the chunk being read: chunk, or the source's own bytes */
    et_reader_block_fn on_block;
    void *on_block_ctx;
    bx_decoder *dec;
    et_arena arena;
    et_event ev;
    et_reader_stats stats;
    char problem[512];
    char pending[512];     /* a problem of the event just handed out, said on the next call */
};

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static int cmp_range(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    if (x[1] != y[1]) return x[1] < y[1] ? -1 : 1;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Reads each chunk header's first/last record id (one small read per chunk). */
static void load_live_ranges(et_evtx_file *f)
{
    f->live = malloc((f->nblocks ? f->nblocks : 1) * sizeof *f->live);
    if (!f->live) abort();
    for (uint64_t b = 0; b < f->nblocks; b++) {
        uint8_t h[48];
        if (et_source_read_at(&f->src, h, sizeof h, FILE_HEADER_SIZE + b * CHUNK_SIZE) != (long)sizeof h) break;
        if (memcmp(h, "ElfChnk", 8) != 0) continue;
        uint64_t first = rd64(h + 24), last = rd64(h + 32);
        if (first > last || last - first > CHUNK_SIZE) continue;
        f->live[f->nlive][0] = first;
        f->live[f->nlive][1] = last;
        f->nlive++;
    }
    if (f->nlive) qsort(f->live, f->nlive, sizeof *f->live, cmp_range);
}

/* Chunks are read as far as the file goes, whatever its header says; but a file that holds fewer
 * whole chunks than its header counts (or not all of its header) was cut short, and that is
 * said: a copy or download stopped on a chunk boundary would otherwise lose chunks silently. */
static void note_cut(et_evtx_file *f, unsigned declared)
{
    uint64_t whole = f->size > FILE_HEADER_SIZE ? (f->size - FILE_HEADER_SIZE) / CHUNK_SIZE : 0;
    if (f->size < FILE_HEADER_SIZE)
        snprintf(f->note, sizeof f->note, "cut short: the file ends inside its header (%llu of %d bytes)%s",
                 (unsigned long long)f->size, FILE_HEADER_SIZE, declared ? ", before any chunk" : "");
    else if (declared > whole)
        snprintf(f->note, sizeof f->note, "cut short: the file header counts %u chunk(s), the file holds %llu whole",
                 declared, (unsigned long long)whole);
}

const char *et_evtx_file_note(const et_evtx_file *f) { return f->note[0] ? f->note : NULL; }

et_evtx_file *et_evtx_file_open(const char *path, const char *display, char *err, size_t errlen)
{
    int fd = et_open_input(path, 0);
    if (fd < 0) { snprintf(err, errlen, "cannot open: %s", strerror(errno)); return NULL; }
    return et_evtx_file_open_fd(fd, display, err, errlen);
}

et_evtx_file *et_evtx_file_open_fd(int fd, const char *display, char *err, size_t errlen)
{
    return et_evtx_file_open_source(et_source_from_fd(fd), display, err, errlen);
}

et_evtx_file *et_evtx_file_open_source(et_source src, const char *display, char *err, size_t errlen)
{
    if (src.fd >= 0 && !src.regular) {
        snprintf(err, errlen, "not a regular file");
        et_source_close(&src);
        return NULL;
    }
    uint8_t hdr[128];
    if (src.size < sizeof hdr || et_source_read_at(&src, hdr, sizeof hdr, 0) != (long)sizeof hdr) {
        snprintf(err, errlen, "not an EVTX file (only %llu bytes)", (unsigned long long)src.size);
        et_source_close(&src);
        return NULL;
    }
    if (memcmp(hdr, "ElfFile", 8) != 0) {
        snprintf(err, errlen, "not an EVTX file (no ElfFile signature)");
        et_source_close(&src);
        return NULL;
    }
    et_evtx_file *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->src = src;
    f->path = strdup(display);
    f->size = src.size;
    f->dirty = (rd32(hdr + 120) & 1) != 0;
    f->nblocks = f->size > FILE_HEADER_SIZE ? (f->size - FILE_HEADER_SIZE + CHUNK_SIZE - 1) / CHUNK_SIZE : 0;
    f->declared = (unsigned)hdr[42] | (unsigned)hdr[43] << 8;
    note_cut(f, f->declared);
    pthread_mutex_init(&f->live_mu, NULL);
    return f;
}

const char *et_evtx_file_settle(et_evtx_file *f, const char **sha256)
{
    const char *said;
    uint64_t len = et_source_settle(&f->src, &said, sha256);
    if (len < f->size) {
        f->size = len;
        f->note[0] = 0;
        note_cut(f, f->declared);
    }
    return said;
}

uint64_t et_evtx_file_chunks(const et_evtx_file *f) { return f->nblocks; }
uint64_t et_evtx_file_size(const et_evtx_file *f) { return f->size; }
const et_source *et_evtx_file_source(const et_evtx_file *f) { return &f->src; }

void et_evtx_file_release(et_evtx_file *f) { et_source_close(&f->src); }

void et_evtx_file_close(et_evtx_file *f)
{
    if (!f) return;
    et_source_close(&f->src);
    pthread_mutex_destroy(&f->live_mu);
    free(f->live);
    free(f->path);
    free(f);
}

et_reader *et_reader_open_range(et_evtx_file *f, uint64_t first_chunk, uint64_t nchunks)
{
    et_reader *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->chunk = malloc(CHUNK_SIZE);
    if (!r->chunk) abort();
    r->file = f;
    r->path = f->path;
    r->block = first_chunk < f->nblocks ? first_chunk : f->nblocks;
    r->nblocks = nchunks > f->nblocks - r->block ? f->nblocks : r->block + nchunks;
    r->stats.bytes = r->block == 0 ? f->size : 0; /* counted once per file */
    r->stats.dirty = f->dirty;
    r->dec = bx_decoder_new();
    r->arena.block_size = 65536;
    r->phase = PH_NEXT_CHUNK;
    return r;
}

et_reader *et_reader_open(const char *path, char *err, size_t errlen)
{
    return et_reader_open_as(path, path, err, errlen);
}

et_reader *et_reader_open_as(const char *path, const char *display, char *err, size_t errlen)
{
    et_evtx_file *f = et_evtx_file_open(path, display, err, errlen);
    if (!f) return NULL;
    et_reader *r = et_reader_open_range(f, 0, UINT64_MAX);
    r->owns_file = 1;
    return r;
}

void et_reader_on_block(et_reader *r, et_reader_block_fn fn, void *ctx)
{
    r->on_block = fn;
    r->on_block_ctx = ctx;
}

void et_reader_close(et_reader *r)
{
    if (!r) return;
    if (r->owns_file) et_evtx_file_close(r->file);
    bx_decoder_free(r->dec);
    et_arena_free(&r->arena);
    free(r->chunk);
    free(r);
}

const char *et_reader_problem(const et_reader *r) { return r->problem; }
const et_reader_stats *et_reader_get_stats(const et_reader *r) { return &r->stats; }

__attribute__((format(printf, 2, 3))) static int problem(et_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problem, sizeof r->problem, fmt, ap);
    va_end(ap);
    return ET_READ_PROBLEM;
}

/* Every byte zero? Preallocated logs hold many unused 64 KiB blocks: memcmp of the block
 * against itself shifted by one byte (vectorised) rather than a byte at a time, which was 3-6%
 * of analyze on the corpus. */
static int all_zero(const uint8_t *p, size_t n)
{
    return !n || (!p[0] && !memcmp(p, p + 1, n - 1));
}

/* Loads the next block; returns 0 when it holds nothing to read. */
static int load_chunk(et_reader *r)
{
    uint64_t off = FILE_HEADER_SIZE + r->block * CHUNK_SIZE;
    size_t n;
    const uint8_t *view = et_source_view(&r->file->src, r->chunk, CHUNK_SIZE, off, &n);
    int got = view ? (int)n : 0;
    if (got && r->on_block) r->on_block(r->on_block_ctx, off, view, (size_t)got);
    r->chunk_len = (uint32_t)got;
    r->data = got == CHUNK_SIZE ? view : r->chunk;   /* in memory: no copy */
    /* a block wholly past where a source still being written ended (damage) is not there:
     * the file is taken as ending before it, as if it had been that long all along */
    if (!got && r->file->src.feed) return 0;
    if (got < CHUNK_SIZE) {
        if (got && view != r->chunk) memcpy(r->chunk, view, (size_t)got);
        memset(r->chunk + got, 0, CHUNK_SIZE - (size_t)got);
        r->stats.truncated = 1;
    }
    bx_decoder_set_chunk(r->dec, r->data, CHUNK_SIZE);
    r->chunk_ok = memcmp(r->data, "ElfChnk", 8) == 0;
    if (r->chunk_ok) {
        r->stats.chunks++;
        uint32_t free_off = rd32(r->data + 48);
        if (free_off < CHUNK_HEADER_SIZE || free_off > CHUNK_SIZE) free_off = CHUNK_SIZE;
        r->limit = free_off;
        r->pos = CHUNK_HEADER_SIZE;
        uint32_t hcrc = et_crc32(0, r->data, 120);
        hcrc = et_crc32(hcrc, r->data + 128, 384);
        uint32_t dcrc = et_crc32(0, r->data + CHUNK_HEADER_SIZE, free_off - CHUNK_HEADER_SIZE);
        if (hcrc != rd32(r->data + 124) || dcrc != rd32(r->data + 52)) r->stats.bad_crc_chunks++;
        r->phase = PH_RECORDS;
        return 1;
    }
    /* Not a chunk: an unused (all-zero) block, or a damaged one worth carving. */
    if (!all_zero(r->data, (size_t)got)) {
        r->stats.damaged_chunks++;
        r->pos = 0;
        r->limit = 0;
        r->phase = PH_SLACK;
        return 1;
    }
    return 0;
}

/* A plausible record header at pos: signature, size bounds, trailing size copy. */
static int record_at(const et_reader *r, uint32_t pos, uint32_t *size)
{
    if (pos + RECORD_MIN > CHUNK_SIZE) return 0;
    const uint8_t *p = r->data + pos;
    if (p[0] != 0x2a || p[1] != 0x2a || p[2] || p[3]) return 0;
    uint32_t sz = rd32(p + 4);
    if (sz < RECORD_MIN || sz > CHUNK_SIZE - pos) return 0;
    if (rd32(p + sz - 4) != sz) return 0;
    *size = sz;
    return 1;
}

/* The first offset from p (below end) where a record could start: its signature's first byte.
 * Free space is mostly zeros, so memchr skips it many bytes at a time. */
static uint32_t next_star(const et_reader *r, uint32_t p, uint32_t end)
{
    if (p >= end) return end;
    const uint8_t *q = memchr(r->data + p, 0x2a, end - p);
    return q ? (uint32_t)(q - r->data) : end;
}

/* Is id within the live record-id range of any chunk? */
static int is_live_id(const et_reader *r, uint64_t id)
{
    et_evtx_file *f = r->file;
    pthread_mutex_lock(&f->live_mu);
    if (!f->live_loaded) load_live_ranges(f);
    f->live_loaded = true;
    pthread_mutex_unlock(&f->live_mu);
    size_t lo = 0, hi = f->nlive;
    while (lo < hi) { /* first range whose end >= id */
        size_t mid = (lo + hi) / 2;
        if (f->live[mid][1] < id) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < f->nlive && f->live[i][0] <= id; i++)
        if (id <= f->live[i][1]) return 1;
    return 0;
}

/* In a chunk cut short by the end of the file: does the record at pos reach past it? */
static int record_cut(const et_reader *r, uint32_t pos)
{
    if (pos + RECORD_MIN > r->chunk_len) return 1;
    uint32_t sz = rd32(r->data + pos + 4);
    return sz >= RECORD_MIN && pos + sz > r->chunk_len && pos + sz <= CHUNK_SIZE;
}

static int decode(et_reader *r, uint32_t pos, uint32_t size, int recovered, const et_event **out)
{
    et_arena_reset(&r->arena);
    memset(&r->ev, 0, sizeof r->ev);
    r->ev.file = r->path;
    r->ev.record_id = rd64(r->data + pos + 8);
    r->ev.timestamp = (int64_t)rd64(r->data + pos + 16);
    r->ev.recovered = recovered;
    char msg[256];
    if (bx_decode_record(r->dec, pos + 24, pos + size - 4, &r->ev, &r->arena, msg, sizeof msg) < 0) {
        if (recovered) {
            /* Slack space holds fragments of the chunk's earlier life whose templates are
             * gone; they are counted (see stats) rather than reported one by one. */
            r->stats.remnants++;
            return -1;
        }
        r->stats.skipped++;
        return problem(r, "record %llu: %s", (unsigned long long)r->ev.record_id, msg);
    }
    if (msg[0]) snprintf(r->pending, sizeof r->pending, "record %llu: %s", (unsigned long long)r->ev.record_id, msg);
    r->stats.records++;
    if (recovered) r->stats.recovered++;
    if (!r->stats.first_time || r->ev.timestamp < r->stats.first_time) r->stats.first_time = r->ev.timestamp;
    if (r->ev.timestamp > r->stats.last_time) r->stats.last_time = r->ev.timestamp;
    *out = &r->ev;
    return ET_READ_EVENT;
}

int et_reader_next(et_reader *r, const et_event **out)
{
    if (r->pending[0]) {   /* the last event was decoded with parts left out: said now */
        memcpy(r->problem, r->pending, sizeof r->problem);
        r->pending[0] = 0;
        return ET_READ_PROBLEM;
    }
    for (;;) {
        switch (r->phase) {
        case PH_DONE:
            return ET_READ_END;
        case PH_NEXT_CHUNK:
            if (r->block >= r->nblocks) { r->phase = PH_DONE; break; }
            if (!load_chunk(r)) r->block++;
            break;
        case PH_RECORDS: {
            uint32_t size = 0;
            if (r->pos >= r->limit) { r->pos = r->limit; r->phase = PH_SLACK; break; }
            if (r->chunk_len < CHUNK_SIZE && record_cut(r, r->pos)) {
                uint64_t blk = r->block;
                r->phase = PH_SLACK;
                return problem(r, "chunk %llu: file ends inside the chunk (%u of 65536 bytes present)",
                               (unsigned long long)blk, r->chunk_len);
            }
            if (!record_at(r, r->pos, &size)) {
                /* Broken record header: resynchronise on the next plausible record. */
                uint32_t start = r->pos, p = next_star(r, r->pos + 1, r->limit);
                while (p < r->limit && !record_at(r, p, &size)) p = next_star(r, p + 1, r->limit);
                r->pos = p;
                r->stats.skipped++;
                return problem(r, "chunk %llu: unreadable record data at offset 0x%x, skipped to the next record",
                               (unsigned long long)r->block, start);
            }
            uint32_t pos = r->pos;
            r->pos += size;
            return decode(r, pos, size, 0, out);
        }
        case PH_SLACK: {
            /* Carve records left in free space (or in a damaged chunk). */
            uint32_t size = 0, last = CHUNK_SIZE - RECORD_MIN + 1;   /* past the last place a record fits */
            uint32_t p = next_star(r, r->pos, last);
            while (p < last && !record_at(r, p, &size)) p = next_star(r, p + 1, last);
            if (p >= last) {
                r->block++;
                r->phase = PH_NEXT_CHUNK;
                break;
            }
            if (is_live_id(r, rd64(r->data + p + 8))) {
                /* An older copy of a record the live area holds (the chunk was rewritten):
                 * its template offsets may now point at other templates. */
                r->stats.stale_copies++;
                r->pos = p + size;
                break;
            }
            int rc = decode(r, p, size, 1, out);
            if (rc < 0) { r->pos = p + 1; break; } /* a remnant: keep carving inside it */
            r->pos = p + size;
            return rc;
        }
        }
    }
}
