/* evtx_writer.c: the EVTX container as Windows lays it out: file header (version 3.1, chunk
 * count, next record id, CRC32 of its first 120 bytes), chunks of 64 KiB whose headers hold the
 * record range, the string/template bucket tables and two CRC32s (header, record data). */
#include "synth/evtx_writer.h"
#include "synth/binxml_enc.h"
#include "core/crc32.h"
#include "core/outbuf.h"
#include "core/wholefile.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_HEADER_SIZE 4096
#define CHUNK_SIZE 65536
#define CHUNK_HEADER_SIZE 512

struct sy_writer {
    et_wholefile *out;   /* the file is put in place only once complete */
    FILE *f;
    char *path;
    uint8_t *chunk;
    uint32_t used;            /* end of the records in the chunk */
    uint32_t last_record_off;
    uint64_t first_id, last_id, nrecords;   /* of the current chunk */
    uint64_t chunks, next_id;
    uint64_t bytes;
    bxe_chunk *enc;
    et_buf rec;
    int failed;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void chunk_begin(sy_writer *w)
{
    memset(w->chunk, 0, CHUNK_SIZE);
    w->used = CHUNK_HEADER_SIZE;
    w->last_record_off = 0;
    w->nrecords = 0;
    bxe_chunk_reset(w->enc);
}

/* Every failed write ends in et_wholefile_abandon, so nothing is put in place (but a file
 * written in place: et_wholefile_leaves says which). */
static void write_failed(sy_writer *w, const char *why, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: write failed: %s (%s)", w->path, why, et_wholefile_leaves(w->out));
    w->failed = 1;
}

static int write_all(sy_writer *w, const void *p, size_t n, char *err, size_t errlen)
{
    if (fwrite(p, 1, n, w->f) != n) {
        write_failed(w, strerror(errno), err, errlen);
        return -1;
    }
    w->bytes += n;
    return 0;
}

/* Fills the chunk header and writes the chunk out. */
static int chunk_flush(sy_writer *w, char *err, size_t errlen)
{
    uint8_t *h = w->chunk;
    memcpy(h, "ElfChnk", 8);
    put64(h + 8, w->first_id);     /* first/last event record number */
    put64(h + 16, w->last_id);
    put64(h + 24, w->first_id);    /* first/last event record identifier */
    put64(h + 32, w->last_id);
    put32(h + 40, 128);
    put32(h + 44, w->last_record_off);
    put32(h + 48, w->used);
    put32(h + 52, et_crc32(0, h + CHUNK_HEADER_SIZE, w->used - CHUNK_HEADER_SIZE));
    uint32_t strings[64], templates[32];
    bxe_tables(w->enc, strings, templates);
    for (int i = 0; i < 64; i++) put32(h + 128 + 4 * i, strings[i]);
    for (int i = 0; i < 32; i++) put32(h + 384 + 4 * i, templates[i]);
    uint32_t crc = et_crc32(0, h, 120);
    crc = et_crc32(crc, h + 128, CHUNK_HEADER_SIZE - 128);
    put32(h + 124, crc);
    if (write_all(w, w->chunk, CHUNK_SIZE, err, errlen) < 0) return -1;
    w->chunks++;
    return 0;
}

sy_writer *sy_writer_open(const char *path, char *err, size_t errlen)
{
    char msg[256];
    et_wholefile *out = et_wholefile_open(path, msg, sizeof msg);
    if (!out) { snprintf(err, errlen, "%s: cannot create: %s", path, msg); return NULL; }
    sy_writer *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->out = out;
    w->f = et_wholefile_stream(out);
    w->path = strdup(path);
    w->chunk = malloc(CHUNK_SIZE);
    w->enc = bxe_chunk_new();
    if (!w->path || !w->chunk) abort();
    static const uint8_t zero[FILE_HEADER_SIZE];
    if (write_all(w, zero, sizeof zero, err, errlen) < 0) { sy_writer_close(w, err, errlen); return NULL; }
    chunk_begin(w);
    return w;
}

uint64_t sy_writer_bytes(const sy_writer *w) { return w->bytes; }

int sy_writer_add(sy_writer *w, const sy_event *ev, char *err, size_t errlen)
{
    if (w->failed) return -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        bxe_encode_record(w->enc, ev, w->used, &w->rec);
        /* Strictly less: libevtx 20181227 drops a chunk's last record when it ends exactly at
         * 64 KiB (Windows leaves slack at the end of a chunk anyway). */
        if (w->used + w->rec.len < CHUNK_SIZE) {
            memcpy(w->chunk + w->used, w->rec.data, w->rec.len);
            bxe_commit(w->enc);
            if (!w->nrecords) w->first_id = ev->record_id;
            w->last_id = ev->record_id;
            w->last_record_off = w->used;
            w->used += (uint32_t)w->rec.len;
            w->nrecords++;
            w->next_id = ev->record_id + 1 > w->next_id ? ev->record_id + 1 : w->next_id;
            return 0;
        }
        if (!w->nrecords) break;
        if (chunk_flush(w, err, errlen) < 0) return -1;
        chunk_begin(w);
    }
    snprintf(err, errlen, "event %u at line %d is too big for one 64 KiB chunk (%zu bytes)", ev->event_id, ev->line,
             w->rec.len);
    w->failed = 1;   /* the file lacks an event: not put in place */
    return -1;
}

static int write_file_header(sy_writer *w, char *err, size_t errlen)
{
    uint8_t h[128];
    memset(h, 0, sizeof h);
    memcpy(h, "ElfFile", 8);
    put64(h + 8, 0);                              /* first chunk number */
    put64(h + 16, w->chunks ? w->chunks - 1 : 0); /* last chunk number */
    put64(h + 24, w->next_id ? w->next_id : 1);   /* next record identifier */
    put32(h + 32, 128);                           /* header size */
    put16(h + 36, 1);                             /* minor version */
    put16(h + 38, 3);                             /* major version */
    put16(h + 40, FILE_HEADER_SIZE);              /* header block size */
    put16(h + 42, (uint16_t)w->chunks);           /* number of chunks */
    put32(h + 120, 0);                            /* flags: clean, not full */
    put32(h + 124, et_crc32(0, h, 120));
    if (fseek(w->f, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof h, w->f) != sizeof h) {
        write_failed(w, strerror(errno), err, errlen);
        return -1;
    }
    return 0;
}

int sy_writer_close(sy_writer *w, char *err, size_t errlen)
{
    int rc = w->failed ? -1 : 0;
    /* A log always has at least one chunk, even when it holds no record. */
    if (!rc && (w->nrecords || !w->chunks)) rc = chunk_flush(w, err, errlen);
    if (!rc && w->chunks > UINT16_MAX) {
        snprintf(err, errlen, "%s: %llu chunks exceed the header's 16-bit chunk count", w->path, (unsigned long long)w->chunks);
        rc = -1;
    }
    if (!rc) rc = write_file_header(w, err, errlen);
    char msg[256];
    if (rc) {
        et_wholefile_abandon(w->out);   /* a file there before stays as it was */
    } else if (et_wholefile_commit(w->out, msg, sizeof msg) != 0) {   /* msg says what it leaves */
        snprintf(err, errlen, "%s: write failed: %s", w->path, msg);
        rc = -1;
    }
    bxe_chunk_free(w->enc);
    et_buf_free(&w->rec);
    free(w->chunk);
    free(w->path);
    free(w);
    return rc;
}
