/* evtx_writer.h: writes an .evtx file record by record: a 4 KiB file header, then 64 KiB chunks
 * (header, string and template tables, records, CRC32s), one chunk in memory at a time. */
#ifndef EVTRIAGE_EVTX_WRITER_H
#define EVTRIAGE_EVTX_WRITER_H
#include <stddef.h>
#include <stdint.h>
#include "synth/scenario.h"

typedef struct sy_writer sy_writer;

/* Creates path (and fails when it cannot); the file takes its place only when closed whole
 * (core/wholefile.h), so a write that fails leaves a file there before as it was. */
sy_writer *sy_writer_open(const char *path, char *err, size_t errlen);
/* Appends one event as a record (its record_id as given). Returns 0, or -1 with a message
 * (an event too big for a chunk, a write error). */
int sy_writer_add(sy_writer *w, const sy_event *ev, char *err, size_t errlen);
/* Writes the last chunk and the file header, closes the file. Returns 0 or -1. Frees w. */
int sy_writer_close(sy_writer *w, char *err, size_t errlen);
/* Bytes written so far (chunks completed). */
uint64_t sy_writer_bytes(const sy_writer *w);

#endif
