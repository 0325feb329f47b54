/* common.c: helpers shared by the fuzz targets: the in-memory input file, event touching. */
#include "fuzz.h"
#include "core/event.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *fz_file_put(fz_file *f, const char *name, const uint8_t *data, size_t size)
{
    if (!f->path[0]) {
        f->fd = memfd_create(name, MFD_CLOEXEC);
        if (f->fd < 0) { perror("memfd_create"); abort(); }
        snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
    }
    if (ftruncate(f->fd, 0) != 0) { perror("ftruncate"); abort(); }
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(f->fd, data + done, size - done, (off_t)done);
        if (n <= 0) { perror("pwrite"); abort(); }
        done += (size_t)n;
    }
    return f->path;
}

size_t fz_touch_str(const char *s)
{
    return s ? strlen(s) : 0;
}

size_t fz_touch_event(const struct et_event *ev)
{
    size_t n = fz_touch_str(ev->file) + fz_touch_str(ev->provider) + fz_touch_str(ev->provider_guid) +
               fz_touch_str(ev->channel) + fz_touch_str(ev->computer) + fz_touch_str(ev->user_sid);
    for (size_t i = 0; i < ev->nfields; i++)
        n += fz_touch_str(ev->fields[i].name) + fz_touch_str(ev->fields[i].value);
    return n;
}
