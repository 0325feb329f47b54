/* filehash.h: the SHA-256 of a file whose parts are read on several threads. SHA-256 runs in
 * file order, so whichever thread finishes the part that is next in line hashes it, and the
 * parts after it that are already done; nobody waits except the one asking for the digest. */
#ifndef EVTRIAGE_FILEHASH_H
#define EVTRIAGE_FILEHASH_H
#include <stddef.h>
#include <stdint.h>
#include "core/source.h"

typedef struct et_filehash et_filehash;

/* The file read from src (which must outlive the hasher), size bytes, in nparts parts: part 0 is [0, first_end), part i the
 * part_len bytes after part i-1, the last one running to size. */
et_filehash *et_filehash_new(const et_source *src, uint64_t size, uint64_t first_end, uint64_t part_len, size_t nparts);
/* Part i has been read (any thread, each part once): hashes what is next in line. */
void et_filehash_part_done(et_filehash *h, size_t i);
/* Waits until every part is hashed, writes 64 hex digits (or "" after a read error), frees h. */
void et_filehash_finish(et_filehash *h, char out[65]);

#endif
