/* window.h: one region of a file read front to back through a small read-ahead buffer, with
 * pread, so any number of regions of one descriptor are read side by side (the sorted runs of
 * the spill files: correlation input, timeline, record identities). */
#ifndef EVTRIAGE_WINDOW_H
#define EVTRIAGE_WINDOW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct et_window {
    int fd;
    uint64_t off, len, done;  /* the region; bytes of it read into buf so far */
    unsigned char *buf; size_t cap, have, pos;
} et_window;

/* buf (cap bytes) is the caller's. */
void et_window_init(et_window *w, int fd, uint64_t off, uint64_t len, unsigned char *buf, size_t cap);
/* The next n bytes of the region into dst: 0, or -1 when it ends first or a read fails. */
int et_window_read(et_window *w, void *dst, size_t n);
/* Every byte of the region has been read. */
bool et_window_at_end(const et_window *w);

#endif
