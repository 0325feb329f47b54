/* tempfile.c: unnamed temporary files: O_TMPFILE where the file system has it, else a name
 * removed at once (see tempfile.h). */
#include "core/tempfile.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int et_temp_fd(char *msg, size_t msglen)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    char path[4096];
    snprintf(path, sizeof path, "%s/evtriage-XXXXXX", dir);
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0) { unlink(path); return fd; }
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
