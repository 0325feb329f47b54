/* zipdir.h: a zip's central directory, read by us (zip64 too), so that a plain zip is listed
 * without libarchive and members stored or deflated can be inflated whole, in memory, by
 * libdeflate: several times faster than the streaming zlib path through libarchive, and no
 * temporary file. A member too big for the memory budget (core/source.h) is inflated by ISA-L
 * into a temporary file, with our CRC (core/crc32.h), and read while it inflates. An accelerator only: any zip or member
 * that is unusual (encrypted, another method, a name given twice) or
 * damaged (CRC, sizes) is left to libarchive, which decides and words every refusal (and reads
 * a damaged member up to its damage), so the output is the same whichever path it took. */
#ifndef EVTRIAGE_ZIPDIR_H
#define EVTRIAGE_ZIPDIR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/source.h"

typedef struct et_zipdir et_zipdir;

/* The directory of the zip open on fd (size bytes; fd stays the caller's and must outlive the
 * directory), or NULL when it cannot be read simply (multi-disk, damaged). Of a directory of
 * more than max_entries entries, the first max_entries are read, and kept only when they can
 * be listed (et_zipdir_listing): a walk that stops at --max-members needs no more, and memory
 * stays with the members read, however many the zip holds. *entries (NULL: not wanted): as
 * et_zipdir_entries says, whether or not the directory is read. */
et_zipdir *et_zipdir_read(int fd, uint64_t size, uint64_t max_entries, uint64_t *entries);
/* How many entries its directory holds, for what reading it costs (0: no directory found),
 * whether or not it can be read: those its end record declares, or a directory's bytes divided
 * by ZD_ENTRY_BYTES (a long name makes an entry count for more), whichever is more. */
enum { ZD_ENTRY_BYTES = 256 };
uint64_t et_zipdir_entries(int fd, uint64_t size);
void et_zipdir_free(et_zipdir *d);
/* Members listed (for tests). */
size_t et_zipdir_count(const et_zipdir *d);

/* The members in the order libarchive lists them (by local header offset), with what it would
 * say of each, when the zip is plain enough for that to be certain: names in plain ASCII (any
 * other, libarchive converts to the locale's character set and normalises) and
 * none twice, regular files and directories as Unix or MS-DOS attributes and the trailing slash
 * agree, nothing encrypted, only extra fields that change no listing, local headers that agree
 * with the directory. NULL (*n 0) otherwise: libarchive lists the zip, and words any trouble. */
typedef struct et_zipdir_member {
    const char *name;
    uint64_t size;          /* as the directory declares it */
    uint64_t csize;         /* its compressed bytes in the zip */
    int is_dir;
} et_zipdir_member;
const et_zipdir_member *et_zipdir_listing(const et_zipdir *d, size_t *n);
/* Whether every member read is one et_zipdir_extract inflates itself (stored or deflated, not
 * encrypted, not empty): none of them needs libarchive, barring damage. */
bool et_zipdir_inflates_all(const et_zipdir *d);

/* Overlapping members, the trick of zip bombs that expand one deflate stream many times over
 * (legitimate zips never overlap). et_zipdir_inside: for the member at index in libarchive's
 * seekable listing (one entry per local header offset, by offset), the name of the entry in
 * whose data its local header lies, or NULL. When the whole directory was read:
 * et_zipdir_shared, the entries at a local header offset another entry has too (libarchive
 * lists one per offset and passes over the others, silently); et_zipdir_overlapping, the
 * entries whose header lies in another's data (a stream, going from member to member, never
 * meets them). */
const char *et_zipdir_inside(const et_zipdir *d, uint64_t index);
uint64_t et_zipdir_shared(const et_zipdir *d);
uint64_t et_zipdir_overlapping(const et_zipdir *d);

/* Member index's compressed bytes, found as et_zipdir_extract finds it; 0 when it is not there. */
uint64_t et_zipdir_csize(const et_zipdir *d, const char *name, uint64_t index);

enum { ET_ZIPDIR_OK = 0, ET_ZIPDIR_DECLINED = -2, ET_ZIPDIR_FALLBACK = -3 };
/* Who decides when a member read while it inflates turns out damaged: fn(ctx, fd, written,
 * floor, note, notelen) is given the temporary file holding the written bytes inflated before
 * the damage was found, writes any bytes after them that it can have, and returns the member's
 * final length (at least floor: bytes up to there may have been read), its words in note
 * ("" when it found nothing wrong). free(ctx) when it is no longer needed, from any thread. */
typedef struct et_zipdir_replay {
    uint64_t (*fn)(void *ctx, int fd, uint64_t written, uint64_t floor, char *note, size_t notelen);
    void (*free)(void *ctx);
    void *ctx;
} et_zipdir_replay;
/* Member name, number index in libarchive's listing (from 0), whose header declared declared bytes (already checked against the limits; -1,
 * unknown: left to libarchive): its first bytes (up to 512) go to want (before it is inflated,
 * or after when it is named .evtx and fits in memory);
 * ET_ZIPDIR_DECLINED when want returns 0; ET_ZIPDIR_OK with the whole member, CRC checked, in
 * *out (a memory source, or an unnamed temporary file when the budget cannot hold it: with
 * hash set, that file's SHA-256 computed on a second thread as it inflates, in out->sha256);
 * ET_ZIPDIR_FALLBACK when this path cannot or should not take it.
 * With replay (taken over in every case) and a member bigger than the whole memory budget,
 * ET_ZIPDIR_OK comes at once, with a temporary file that inflates on a thread of its own as it
 * is read (a feed: core/source.h); its CRC is checked at its end, and damage is left to replay,
 * its words in the feed's note. Any thread, several at once. */
int et_zipdir_extract(const et_zipdir *d, const char *name, uint64_t index, int64_t declared, int hash,
                      int (*want)(const unsigned char *head, size_t n, void *ctx), void *ctx,
                      const et_zipdir_replay *replay, et_source *out);

#endif
