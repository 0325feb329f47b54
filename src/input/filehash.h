/* filehash.h: the SHA-256 of a file whose parts are read on several threads. SHA-256 runs in
 * file order: a reader offers each block as it loads it, which goes in when it is next in line
 * (a file read in order is hashed from the bytes already read: nothing is read twice); else
 * whichever thread finishes the part that is next in line hashes what no offer brought, of it
 * and of the parts after it already done. Nobody waits except the one asking for the digest. */
#ifndef EVTRIAGE_FILEHASH_H
#define EVTRIAGE_FILEHASH_H
#include <stddef.h>
#include <stdint.h>
#include "core/source.h"

typedef struct et_filehash et_filehash;

/* The file read from src (which must outlive the hasher), size bytes, in nparts parts: part 0 is [0, first_end), part i the
 * part_len bytes after part i-1, the last one running to size. */
et_filehash *et_filehash_new(const et_source *src, uint64_t size, uint64_t first_end, uint64_t part_len, size_t nparts);
/* fn(ctx) is called once, by the thread that puts the last part in (the hasher's lock held:
 * it must not call back into h), when the source is read no more. Set before any part is done. */
void et_filehash_when_done(et_filehash *h, void (*fn)(void *ctx), void *ctx);
/* Bytes [off, off + n) of the file, just read by one of its readers: into the digest now,
 * while they are at hand, when they are next in line (the few bytes between, such as the file
 * header, read again), else left to be read again when their part is done. Never waits. */
void et_filehash_offer(et_filehash *h, uint64_t off, const unsigned char *p, size_t n);
/* Part i has been read (any thread, each part once): hashes what is next in line. */
void et_filehash_part_done(et_filehash *h, size_t i);
/* Waits until every part is hashed, writes 64 hex digits (or "" after a read error), frees h. */
void et_filehash_finish(et_filehash *h, char out[65]);

#endif
