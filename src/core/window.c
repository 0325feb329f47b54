/* window.c: a file region read through a read-ahead buffer with pread (window.h). */
#include "core/window.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

void et_window_init(et_window *w, int fd, uint64_t off, uint64_t len, unsigned char *buf, size_t cap)
{
    *w = (et_window){.fd = fd, .off = off, .len = len, .buf = buf, .cap = cap};
}

static int refill(et_window *w)
{
    uint64_t left = w->len - w->done;
    size_t want = left < w->cap ? (size_t)left : w->cap;
    if (!want) return -1;
    ssize_t got;
    do got = pread(w->fd, w->buf, want, (off_t)(w->off + w->done));
    while (got < 0 && errno == EINTR);
    if (got <= 0) return -1;
    w->done += (uint64_t)got;
    w->have = (size_t)got;
    w->pos = 0;
    return 0;
}

int et_window_read(et_window *w, void *dst, size_t n)
{
    unsigned char *d = dst;
    while (n) {
        if (w->pos == w->have && refill(w) != 0) return -1;
        size_t k = w->have - w->pos < n ? w->have - w->pos : n;
        memcpy(d, w->buf + w->pos, k);
        w->pos += k;
        d += k;
        n -= k;
    }
    return 0;
}

bool et_window_at_end(const et_window *w) { return w->done == w->len && w->pos == w->have; }
