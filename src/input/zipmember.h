/* zipmember.h: zip members inflated on any thread. A zip's members are independent, so the
 * walker lists them (header and first bytes) and worker threads inflate them in parallel:
 * whole, in memory, by libdeflate when zipdir.c can, else each through its own libarchive
 * handle on the same open file (reads by offset, never a shared file position) into an unnamed
 * temporary file that vanishes when closed. */
#ifndef EVTRIAGE_ZIPMEMBER_H
#define EVTRIAGE_ZIPMEMBER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "input/inputs.h"
#include "core/source.h"
#include "input/zipdir.h"

struct archive;
struct archive_entry;
typedef struct et_zipset et_zipset;
typedef struct et_zip_member et_zip_member;

/* Shares the zip open on fd (the set keeps its own descriptor), found inside depth archives.
 * NULL if fd cannot be dup'ed. */
et_zipset *et_zipset_new(int fd, const et_input_limits *lim, int depth);
/* A libarchive handle reading the set's zip from the start (seekable zip format only), for the
 * walker's listing; NULL with msg set if libarchive refuses it. Free with archive_read_free(). */
struct archive *et_zipset_open_handle(et_zipset *zs, char *msg, size_t msglen);
/* The members as libarchive would list them, read from the directory without libarchive when
 * the zip is plain enough for that (zipdir.h); NULL: list it through et_zipset_open_handle. */
const et_zipdir_member *et_zipset_listing(const et_zipset *zs, size_t *n);
/* The compressed bytes of member index, named name, as our reading of the directory has them
 * (0: not there): what the member stands for on the progress line when libarchive lists. */
uint64_t et_zipset_csize(const et_zipset *zs, const char *name, uint64_t index);
/* Whether its members may be read in parallel, in memory that does not grow with its entries:
 * libarchive's seekable reader keeps the whole directory, about 150 bytes an entry, in each
 * handle (one per thread reading a member through it). So a zip of more entries is read that
 * way only when et_zipset_listing lists it and none of its members needs libarchive (zipdir.h);
 * else it is read as a stream, in one pass (any archive's route). */
enum { ET_ZIP_SEEKABLE_ENTRIES = 10000 };
bool et_zipset_parallel(const et_zipset *zs);
/* Overlapping members (zipdir.h: et_zipdir_inside, _shared, _overlapping); NULL / 0 without our
 * reading of the directory. */
const char *et_zipset_inside(const et_zipset *zs, uint64_t index);
uint64_t et_zipset_shared(const et_zipset *zs);
uint64_t et_zipset_overlapping(const et_zipset *zs);
/* Drops the caller's reference; the set goes when its last member is freed. */
void et_zipset_release(et_zipset *zs);

/* Member number index (in header order, counting every entry) named name, declaring
 * declared_size expanded bytes (-1: unknown), standing for weight bytes of the path given (its
 * compressed bytes, for the progress line; 0: unknown). Holds a reference on the set. */
et_zip_member *et_zip_member_new(et_zipset *zs, uint64_t index, const char *name, int64_t declared_size,
                                 uint64_t weight);
/* Inflates the member: its first bytes (up to 512) go to want(); when want returns 0 nothing
 * more is inflated and -2 is returned. Else 0, with the whole member in *out: in memory
 * (zipdir.c, within the memory budget) or in an unnamed temporary file; or, *damaged with msg
 * set, what libarchive inflated of it before the damage; -1 with msg set: unreadable, or
 * refused (past --max-member-bytes or past its declared size). Members of one set may be
 * extracted on several threads at once. */
int et_zip_member_extract(et_zip_member *m, int (*want)(const unsigned char *head, size_t n, void *ctx),
                          void *ctx, et_source *out, bool *damaged, char *msg, size_t msglen);
/* How many archives hold the member's zip (0: a zip given as input). */
int et_zip_member_depth(const et_zip_member *m);
/* The size the member's header declares once inflated, or -1 when it declares none. */
int64_t et_zip_member_declared_size(const et_zip_member *m);
/* The bytes of the path given that the member stands for (see et_zip_member_new). */
uint64_t et_zip_member_weight(const et_zip_member *m);
void et_zip_member_free(et_zip_member *m);

/* Helpers for any libarchive handle (zip or not), shared with archive.c. libarchive's last
 * error after prefix, in msg, without the newline some of its messages end with. */
void et_archive_error(struct archive *a, const char *prefix, char *msg, size_t msglen);
/* The current member's name (index: its place in the archive, from 0): libarchive's, or, when
 * libarchive could not convert it (ARCHIVE_WARN), a stand-in that says so, written in buf. */
const char *et_member_name(struct archive_entry *e, uint64_t index, char *buf, size_t buflen);
/* The current member's bytes as libarchive gives them, a block at a time
 * (archive_read_data_block): a block that comes with a warning (a zip member whose CRC or size
 * is found wrong at its end) is given, and then the warning ends the member, so no byte that
 * came out is lost (archive_read_data drops that block: a small member lost all of it); the
 * holes of a sparse member read as zeros, as archive_read_data gives them. */
typedef struct et_member_reader {
    struct archive *a;
    const unsigned char *p; size_t left;   /* what is left of the current block */
    uint64_t pos, zeros;                   /* bytes given (holes included); of a hole, still to give */
    int status;                            /* ARCHIVE_OK while blocks come; then how the member ended */
    char cause[400];                       /* libarchive's words when it ended with damage */
} et_member_reader;
void et_member_reader_init(et_member_reader *r, struct archive *a);
/* Up to n bytes into buf: how many (> 0), 0 at the member's end, or -1 when it ended with
 * damage (r->cause), said only once every byte before it was given. */
long et_member_read(et_member_reader *r, void *buf, size_t n);
/* Reads up to n first bytes of the current member into head; returns how many, or -1 with
 * msg set (damage before any byte came out). */
long et_member_read_head(et_member_reader *r, unsigned char *head, size_t n, char *msg, size_t msglen);
/* Says whether done bytes of the member (n of them just read) are still within bounds;
 * non-zero with msg set refuses the member. */
typedef int (*et_member_check)(uint64_t done, uint64_t n, void *ctx, char *msg, size_t msglen);
/* Inflates the current member, its first nhead bytes already in head (read through r), under
 * check, into *out: memory when its declared size (-1: unknown) fits the budget, else an unnamed
 * temporary file. 0, or -1 with msg set (refused by check, or no temporary file). A member
 * damaged part way (a truncated .gz) gives what came before the damage, one whose check at its
 * end failed (a zip member's CRC) all of it, with *damaged set and msg saying so. */
int et_member_extract(et_member_reader *r, const unsigned char *head, size_t nhead, int64_t declared,
                      et_member_check check, void *ctx, bool *damaged, et_source *out, char *msg, size_t msglen);
/* The line of a member damaged by cause, of which the first done bytes are read; all: every
 * byte of it came out and a check at its end failed (a zip member's CRC: the damage may lie
 * anywhere in them). */
void et_member_damage_note(char *msg, size_t msglen, const char *cause, uint64_t done, bool all);

#endif
