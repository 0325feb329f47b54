/* wholefile.c: files written whole or not at all: a temporary file beside the target, synced
 * and renamed over it once complete (see wholefile.h). */
#include "core/wholefile.h"
#include "core/tempfile.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum wf_kind { WF_IN_PLACE, WF_UNNAMED, WF_NAMED };

/* Bytes of the target's name a temporary name keeps: with the dot and the suffix it stays
 * within NAME_MAX (255) however long the target's name is. */
enum { TEMP_NAME_PART = 200 };

struct et_wholefile {
    FILE *f;
    enum wf_kind kind;
    char target[PATH_MAX];      /* the file replaced: the path, or what its link names */
    char temp[PATH_MAX + 256];  /* the temporary file's name while it has one, else "" */
};

const char *et_path_folder(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, len, ".");
    else if (slash == path) snprintf(dir, len, "/");
    else snprintf(dir, len, "%.*s", (int)(slash - path), path);
    return slash ? slash + 1 : path;
}

/* An unnamed file in dir, given a name only when complete (linkat through /proc). */
static int open_unnamed(const char *dir)
{
    const char *named = getenv("EVTRIAGE_TEMP_NAMED");
    if ((named && !strcmp(named, "1")) || access("/proc/self/fd", X_OK) != 0) return -1;
    return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);   /* read back by copy_over */
}

/* A hidden ".NAME.evtriage-XXXXXX" in dir, with mode 0666 less the umask like a new file. */
static int open_named(et_wholefile *w, const char *dir, const char *name)
{
    snprintf(w->temp, sizeof w->temp, "%s/.%.*s.evtriage-XXXXXX", dir, TEMP_NAME_PART, name);
    int fd = mkostemp(w->temp, O_CLOEXEC);
    if (fd < 0) return -1;
    mode_t mask = umask(0);   /* read back at once: reports are written after the worker threads end */
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) { /* a file system without modes: its default stays */ }
    return fd;
}

/* The replaced file's mode and, where the process may set it, its owner. */
static void keep_attributes(int fd, const struct stat *st)
{
    if (fchmod(fd, st->st_mode & 07777) != 0) { /* as above */ }
    if ((st->st_uid != geteuid() || st->st_gid != getegid()) && fchown(fd, st->st_uid, st->st_gid) != 0) {
        /* not permitted: the new file is the writer's, as with any editor */
    }
}

static et_wholefile *open_in_place(et_wholefile *w, const char *path, char *msg, size_t len)
{
    w->kind = WF_IN_PLACE;
    w->f = fopen(path, "wb");
    if (w->f) return w;
    snprintf(msg, len, "%s", strerror(errno));
    free(w);
    return NULL;
}

et_wholefile *et_wholefile_open(const char *path, char *msg, size_t len)
{
    et_wholefile *w = calloc(1, sizeof *w);
    if (!w) abort();
    struct stat st, lst;
    bool exists = stat(path, &st) == 0, link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
    /* a link that leads nowhere yet: fopen creates the file it names, and so does this */
    if ((link && !exists) || (exists && (!S_ISREG(st.st_mode) || st.st_nlink > 1))) return open_in_place(w, path, msg, len);
    if (link) {
        if (!realpath(path, w->target)) return open_in_place(w, path, msg, len);
    } else if (snprintf(w->target, sizeof w->target, "%s", path) >= (int)sizeof w->target) {
        return open_in_place(w, path, msg, len);
    }
    char dir[PATH_MAX];
    const char *name = et_path_folder(w->target, dir, sizeof dir);
    int fd = open_unnamed(dir);
    w->kind = WF_UNNAMED;
    if (fd < 0) {
        fd = open_named(w, dir, name);
        w->kind = WF_NAMED;
    }
    if (fd < 0) return open_in_place(w, path, msg, len);   /* no new file there: the folder is read-only */
    if (exists) keep_attributes(fd, &st);
    w->f = fdopen(fd, "wb");
    if (!w->f) abort();
    return w;
}

FILE *et_wholefile_stream(et_wholefile *w) { return w->f; }

/* Gives the unnamed file a hidden name beside the target (retried past names in use). */
static int link_unnamed(et_wholefile *w)
{
    char proc[64], dir[PATH_MAX];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fileno(w->f));
    const char *name = et_path_folder(w->target, dir, sizeof dir);
    for (int n = 0; n < 1000; n++) {
        snprintf(w->temp, sizeof w->temp, "%s/.%.*s.evtriage-%ld-%d", dir, TEMP_NAME_PART, name, (long)getpid(), n);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, w->temp, AT_SYMLINK_FOLLOW) == 0) return 0;
        if (errno != EEXIST) break;
    }
    w->temp[0] = 0;   /* no name of ours to remove */
    return -1;
}

/* Copies in (from its start) to out. */
static int copy_all(int in, int out)
{
    char buf[65536];
    for (off_t at = 0;;) {
        ssize_t n = pread(in, buf, sizeof buf, at);
        if (n == 0) return 0;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        at += n;
        char unused[8];   /* errno says why, for the caller's message */
        if (et_temp_write(out, buf, (size_t)n, unused, sizeof unused) != 0) return -1;
    }
}

/* Copies the complete temporary file (open for reading too, whatever mode it was given) over
 * the target, in place: a target rename cannot replace. */
static int copy_over(et_wholefile *w)
{
    int out = open(w->target, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (out < 0) return -1;
    w->kind = WF_IN_PLACE;   /* truncated: from here on a failure leaves it incomplete */
    int rc = copy_all(fileno(w->f), out) == 0 && fsync(out) == 0 ? 0 : -1;
    int e = errno;
    if (close(out) != 0 && !rc) {
        rc = -1;
        e = errno;
    }
    errno = e;
    return rc;
}

/* Puts the complete temporary file in the target's place: renamed over it, or for a target
 * rename cannot replace (a mount point: EBUSY; EXDEV) copied over it, as fopen would write. */
static int put_in_place(et_wholefile *w)
{
    if (fsync(fileno(w->f)) != 0) return -1;
    if (w->kind == WF_UNNAMED && link_unnamed(w) != 0) return -1;
    if (rename(w->temp, w->target) == 0) {
        w->temp[0] = 0;
        return 0;
    }
    if ((errno != EBUSY && errno != EXDEV) || copy_over(w) != 0) return -1;
    return 0;   /* the temporary file is removed by the caller */
}

const char *et_wholefile_leaves(const et_wholefile *w)
{
    return w->kind == WF_IN_PLACE ? "written in place: what is there may be incomplete"
                                  : "not written; a file there before is left as it was";
}

int et_wholefile_commit(et_wholefile *w, char *msg, size_t len)
{
    int rc = fflush(w->f) != 0 || ferror(w->f) ? -1 : 0;
    int e = errno;
    bool placed = false;   /* synced and in place: closing the temporary file cannot lose it */
    if (!rc && w->kind != WF_IN_PLACE) {
        rc = put_in_place(w);
        e = errno;
        placed = rc == 0;
    }
    if (w->temp[0]) unlink(w->temp);
    if (fclose(w->f) != 0 && !rc && !placed) {
        rc = -1;
        e = errno;
    }
    if (rc) snprintf(msg, len, "%s (%s)", e ? strerror(e) : "write error", et_wholefile_leaves(w));
    free(w);
    return rc;
}

void et_wholefile_abandon(et_wholefile *w)
{
    if (w->temp[0]) unlink(w->temp);
    fclose(w->f);
    free(w);
}
