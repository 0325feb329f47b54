/* tempfile.c: unnamed temporary files: O_TMPFILE where the file system has it, else a name
 * removed at once (see tempfile.h). */
#include "core/tempfile.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int open_temp(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    char path[4096];
    snprintf(path, sizeof path, "%s/evtriage-XXXXXX", dir);
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0) unlink(path);
    return fd;
}

int et_temp_fd(char *msg, size_t msglen)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    /* Out of descriptors (a low hard limit, every file in flight open): the others are let go
     * as their reading ends, on other threads, so the file is tried again, every 10 ms for up
     * to 5 s, before it is given up. */
    int fd = open_temp(dir);
    for (int tries = 0; fd < 0 && (errno == EMFILE || errno == ENFILE) && tries < 500; tries++) {
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
        fd = open_temp(dir);
    }
    if (fd >= 0) return fd;
    snprintf(msg, msglen, "cannot create a temporary file in %s: %s", dir, strerror(errno));
    return -1;
}

int et_temp_write(int fd, const void *p, size_t n, char *msg, size_t msglen)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            snprintf(msg, msglen, "cannot write a temporary file: %s", w < 0 ? strerror(errno) : "no space");
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

FILE *et_temp_file(void)
{
    char msg[256];
    int fd = et_temp_fd(msg, sizeof msg);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "w+");
    if (!f) close(fd);
    return f;
}
