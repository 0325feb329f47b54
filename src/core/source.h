/* source.h: the bytes of one input file, read by offset from any thread: on a descriptor (a file
 * given by the user, a temporary file) or in memory (an archive member inflated there). Memory
 * sources draw on one process-wide budget, so holding members in memory keeps peak memory flat
 * whatever the number of threads: a caller that cannot get room takes the descriptor route. */
#ifndef EVTRIAGE_SOURCE_H
#define EVTRIAGE_SOURCE_H
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

typedef struct et_source {
    int fd;                 /* >= 0: read with pread */
    unsigned char *mem;     /* else: size bytes in memory, owned */
    uint64_t size;
    uint64_t cap;           /* memory: bytes held (a reused buffer may be larger than size) */
    bool regular;           /* fd: a regular file (else a pipe, a device... or fstat failed) */
    char sha256[65];        /* the SHA-256 of its bytes when computed as they were written, else "" */
    struct et_feed *feed;   /* fd: bytes still being written by a producer thread (see below) */
    bool sha256_at_settle;  /* a feed that hashes its bytes as it writes them: the SHA-256 comes
                               from et_source_settle */
} et_source;

/* Opens an input (a file, or a folder with O_DIRECTORY in flags) read-only, without updating
 * its access time where the system lets us (O_NOATIME: the file's owner, or root): reading
 * evidence leaves its timestamps as they were. -1 with errno set. */
int et_open_input(const char *path, int flags);

/* A source on fd (owned from here on); size and kind from fstat (0, not regular, if that
 * fails), or from st, what fstat said of fd a moment ago. */
et_source et_source_from_fd(int fd);
et_source et_source_from_stat(int fd, const struct stat *st);
/* Room for size bytes of a memory source, from the budget: mem is NULL (and nothing is taken)
 * when the budget cannot hold it. Fill mem, then set nothing else: size is already set. */
et_source et_source_mem_reserve(uint64_t size);
/* Budget bytes alone (a scratch buffer beside a memory source): 1 if granted. */
int et_source_budget_take(uint64_t n);
void et_source_budget_give(uint64_t n);
/* The budget, in bytes (default 32 MiB; EVTRIAGE_MEMORY_BUDGET_MIB changes it for tests). */
uint64_t et_source_budget(void);

/* Up to n bytes at off into buf; returns how many (0 past the end, -1 on a read error). */
long et_source_read_at(const et_source *s, void *buf, size_t n, uint64_t off);
/* The n bytes at off, without a copy when the source is in memory (else read into buf, which
 * holds n); *got says how many are there. NULL on a read error. */
const unsigned char *et_source_view(const et_source *s, void *buf, size_t n, uint64_t off, size_t *got);
/* ---- a source still being written ----------------------------------------------------------
 * A big zip member is read while it inflates into its temporary file: the producer runs on a
 * thread of its own and says how far it has written; a read of bytes not yet there waits for
 * them (or for the producer's end), and bytes it never wrote (damage stopped it) read as past
 * the end. Readers see hold_back bytes less than have been written until the producer is
 * through: whatever the producer's final length (which may be shorter than what it wrote, when
 * the damage is worded by someone else), nothing read before its end lies beyond it, as long
 * as that length is at least the length written less hold_back. */
typedef struct et_feed et_feed;
/* produce(feed, fd, arg): writes the bytes to fd in order, calling et_feed_grow as they land,
 * and returns the final length (its note, if any, set with et_feed_note). */
typedef uint64_t (*et_feed_fn)(et_feed *feed, int fd, void *arg);
/* Starts produce on s (a descriptor source, s->size the length expected) on its own thread:
 * 0, or -1 when no thread could be started (s unchanged: the caller produces it itself). */
int et_source_feed(et_source *s, uint64_t hold_back, et_feed_fn produce, void *arg);
/* Producer: bytes [0, written) are in the file. */
void et_feed_grow(et_feed *f, uint64_t written);
/* Producer: the source was closed before its end; stop and return. */
bool et_feed_stopped(et_feed *f);
/* Producer: what was wrong with the bytes, said when the source settles (copied). */
void et_feed_note(et_feed *f, const char *note);
/* Producer: the SHA-256 of the final bytes (64 hex digits; copied). */
void et_feed_sha256(et_feed *f, const char *hex);
/* Waits for the producer to be through (at once for any other source): the source's final
 * length, in *note what the producer said of it (NULL: nothing), in *sha256 the digest it gave
 * (NULL: none). Any thread. */
uint64_t et_source_settle(const et_source *s, const char **note, const char **sha256);
/* Settles s and makes it a plain descriptor source (the producer joined and freed): its size
 * the final length, its sha256 the producer's digest; true with the producer's note copied to
 * note when it gave one. Nothing to do (false) for any other source. */
bool et_source_finish(et_source *s, char *note, size_t notelen);

/* Closes the descriptor or frees the memory (and gives its budget back); a producer still
 * writing is stopped and waited for. A big buffer is kept
 * for the next et_source_mem_reserve instead (still counted against the budget, and given up
 * whenever budget is asked for and short). */
void et_source_close(et_source *s);
/* Frees the kept buffers (when a run is over). */
void et_source_drop_kept(void);

#endif
