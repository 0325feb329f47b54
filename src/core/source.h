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
/* Closes the descriptor or frees the memory (and gives its budget back). A big buffer is kept
 * for the next et_source_mem_reserve instead (still counted against the budget, and given up
 * whenever budget is asked for and short). */
void et_source_close(et_source *s);
/* Frees the kept buffers (when a run is over). */
void et_source_drop_kept(void);

#endif
