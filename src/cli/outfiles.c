/* outfiles.c: the report files a command is asked to write, checked before any input is read:
 * each can be written (said now, not after a long run), a report never replaces evidence (an
 * EVTX file, an archive, a path given as input), and two reports never share one file (the
 * second would silently replace the first). */
#include "cli/outfiles.h"
#include "core/wholefile.h"
#include "input/inputs.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the input walk would take path for, if it met it: ET_KIND_EVTX (the signature, or the
 * .evtx name the walk also reads), ET_KIND_ARCHIVE, or ET_KIND_OTHER. Only a regular file is
 * opened (a FIFO would block, a device is no evidence). */
static int input_kind(const char *path, const struct stat *st)
{
    if (!S_ISREG(st->st_mode)) return ET_KIND_OTHER;
    size_t n = strlen(path);
    if (n >= 5 && !strcasecmp(path + n - 5, ".evtx")) return ET_KIND_EVTX;
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return ET_KIND_OTHER;   /* unreadable: fopen for writing says what is wrong */
    unsigned char head[512];
    ssize_t got = read(fd, head, sizeof head);
    close(fd);
    return got > 0 ? et_sniff_bytes(head, (unsigned long)got) : ET_KIND_OTHER;
}

/* path spelled so that two spellings of one file not yet made compare equal: its folder
 * resolved, then its name (the path as given when the folder does not resolve). */
static void canonical(const char *path, char *out, size_t len)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *name = et_path_folder(path, dir, sizeof dir);
    if (realpath(dir, real)) snprintf(out, len, "%s/%s", real, name);
    else snprintf(out, len, "%s", path);
}

/* Whether a and b name one file: the same inode when both exist, else the same resolved name. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea || eb) return ea && eb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char ca[PATH_MAX + 256], cb[PATH_MAX + 256];
    canonical(a, ca, sizeof ca);
    canonical(b, cb, sizeof cb);
    return !strcmp(ca, cb);
}

/* Whether a new file can be made at path: its folder exists and may be written. */
static int creatable(const char *path, char *why, size_t len)
{
    char dir[PATH_MAX];
    et_path_folder(path, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0) { snprintf(why, len, "its folder %s: %s", dir, strerror(errno)); return -1; }
    if (!S_ISDIR(st.st_mode)) { snprintf(why, len, "%s is not a folder", dir); return -1; }
    if (access(dir, W_OK | X_OK) != 0) { snprintf(why, len, "its folder %s: %s", dir, strerror(errno)); return -1; }
    return 0;
}

/* Where a chain of symbolic links that leads nowhere ends: the missing path the last link
 * names (relative targets taken from the link's folder), in out; -1 with why when the chain
 * loops or runs past the kernel's own bound on links (40). */
static int link_end(const char *path, char *out, size_t len, char *why, size_t whylen)
{
    char cur[PATH_MAX], target[PATH_MAX];
    snprintf(cur, sizeof cur, "%s", path);
    for (int hops = 0; hops <= 40; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) { snprintf(out, len, "%s", cur); return 0; }
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n < 0) { snprintf(why, whylen, "%s", strerror(errno)); return -1; }
        target[n] = 0;
        char dir[PATH_MAX];
        et_path_folder(cur, dir, sizeof dir);
        size_t nd = target[0] == '/' ? 0 : strlen(dir) + 1;   /* a relative target: from the link's folder */
        if (nd + (size_t)n >= sizeof cur) { snprintf(why, whylen, "%s", strerror(ENAMETOOLONG)); return -1; }
        memcpy(cur + nd, target, (size_t)n + 1);
        if (nd) { memcpy(cur, dir, nd - 1); cur[nd - 1] = '/'; }
    }
    snprintf(why, whylen, "it is a link that loops (%s)", strerror(ELOOP));
    return -1;
}

/* A report named by a link that leads nowhere: the write would make the file the link names,
 * so that file's folder must exist and take it; a loop never leads anywhere. Said now, as for
 * the same path named directly. 0: not such a link, or fine. */
static int dangling(const char *path, char *why, size_t len)
{
    struct stat lst;
    if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode)) return 0;
    char end[PATH_MAX], whyend[PATH_MAX + 100];
    if (link_end(path, end, sizeof end, why, len) != 0) return -1;
    if (creatable(end, whyend, sizeof whyend) != 0) {
        if (snprintf(why, len, "it is a link to %s, which cannot be made: %s", end, whyend) >= (int)len)
            snprintf(why, len, "it is a link to a file which cannot be made: %.3000s", whyend);
        return -1;
    }
    return 0;
}

/* Whether the report can be written at all: said now, not after a long run. */
static int writable(const cli_outfile *o, const struct stat *st, bool exists, char *msg, size_t len)
{
    char why[PATH_MAX + 100];
    if (!exists) {
        if (creatable(o->path, why, sizeof why) == 0 && dangling(o->path, why, sizeof why) == 0) return 0;
    } else if (S_ISDIR(st->st_mode)) {
        snprintf(why, sizeof why, "it is a folder");
    } else if (access(o->path, W_OK) != 0) {
        snprintf(why, sizeof why, "%s", strerror(errno));
    } else {
        return 0;
    }
    snprintf(msg, len, "cannot write %s %s: %s", o->option, o->path, why);
    return -1;
}

/* One report file against the inputs: 0, or -1 with why in msg. */
static int check_one(const cli_outfile *o, char **inputs, int ninputs, char *msg, size_t len)
{
    struct stat st;
    bool exists = stat(o->path, &st) == 0;
    if (writable(o, &st, exists, msg, len) != 0) return -1;
    if (!exists) return 0;   /* a new file: nothing to replace */
    for (int i = 0; i < ninputs; i++) {
        struct stat in;
        if (!et_is_stdin_path(inputs[i]) && stat(inputs[i], &in) == 0 && in.st_dev == st.st_dev &&
            in.st_ino == st.st_ino) {
            snprintf(msg, len, "%s %s is the input '%s': a report never replaces evidence (name a new file)",
                     o->option, o->path, inputs[i]);
            return -1;
        }
    }
    int kind = input_kind(o->path, &st);
    if (kind == ET_KIND_OTHER) return 0;
    snprintf(msg, len, "%s %s is %s: a report never replaces evidence (name a new file)", o->option, o->path,
             kind == ET_KIND_EVTX ? "an EVTX file" : "an archive or compressed file");
    return -1;
}

int cli_outfiles_check(const cli_outfile *outs, size_t nouts, char **inputs, int ninputs, char *msg, size_t len)
{
    for (size_t i = 0; i < nouts; i++) {
        if (!outs[i].path || !strcmp(outs[i].path, "-")) continue;
        if (check_one(&outs[i], inputs, ninputs, msg, len) != 0) return -1;
        for (size_t j = 0; j < i; j++) {
            if (!outs[j].path || !strcmp(outs[j].path, "-") || !same_file(outs[i].path, outs[j].path)) continue;
            snprintf(msg, len, "%s and %s both name %s: one file per report", outs[j].option, outs[i].option,
                     outs[i].path);
            return -1;
        }
    }
    return 0;
}
