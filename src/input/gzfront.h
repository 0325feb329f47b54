/* gzfront.h: a gzip stream (a .gz, a .tar.gz) inflated by ISA-L in front of libarchive, which
 * reads the plain bytes that come out (a tar, or the one file of a .gz): ISA-L inflates twice
 * as fast as the zlib of libarchive's own gzip filter. Members one after another are one
 * stream, and bytes after the last one are ignored, as libarchive does. Damage ends the stream
 * where it is found, after every byte inflated before it, and is said in libarchive's words
 * ("truncated gzip input", "gzip decompression failed"); the trailer's CRC-32 and length are
 * checked too (libarchive 3.6 does not). */
#ifndef EVTRIAGE_GZFRONT_H
#define EVTRIAGE_GZFRONT_H
#include <stdbool.h>
#include <stdint.h>
#include "input/arlib.h"

typedef struct et_gzfront et_gzfront;

/* Does fd hold a gzip stream (its first bytes)? */
bool et_gzfront_applies(int fd);
/* a (formats chosen, not yet open) opened on fd's gzip stream from its start, by
 * archive_read_open1: its result. fd stays the caller's; the front is a's, freed with it. */
int et_gzfront_open(struct archive *a, int fd, et_gzfront **front);
/* Bytes of the gzip stream read so far (the progress line's place in the file). */
uint64_t et_gzfront_position(const et_gzfront *g);
/* What damage ended the stream, or NULL. */
const char *et_gzfront_failure(const et_gzfront *g);

#endif
