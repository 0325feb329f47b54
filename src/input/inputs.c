/* inputs.c: path walking: directories in name order, files recognised by their signature,
 * each file opened once and handed on as a descriptor (EVTX to the caller, archives to
 * archive.c). */
#include "input/inputs.h"
#include "input/walk_int.h"
#include "input/zipmember.h"
#include "core/tempfile.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void et_input_limits_default(et_input_limits *l)
{
    l->max_total_bytes = 16ULL << 30;
    l->max_member_bytes = 4ULL << 30;
    l->max_ratio = 200.0;
    l->max_members = 100000;
    l->max_depth = 1;
    l->hash_while_inflating = false;
}

typedef struct magic { const char *bytes; unsigned len; } magic;

static bool starts_with_one(const unsigned char *p, unsigned long n, const magic *m, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (n >= m[i].len && memcmp(p, m[i].bytes, m[i].len) == 0) return true;
    return false;
}

/* The compressions libarchive's filters undo: gzip, xz, bzip2, zstd, lz4. */
bool et_sniff_compressed(const unsigned char *p, unsigned long n)
{
    static const magic filters[] = {{"\x1f\x8b", 2}, {"\xfd" "7zXZ", 5}, {"BZh", 3},
                                    {"\x28\xb5\x2f\xfd", 4}, {"\x04\x22\x4d\x18", 4}};
    return starts_with_one(p, n, filters, sizeof filters / sizeof *filters);
}

int et_sniff_bytes(const unsigned char *p, unsigned long n)
{
    if (n >= 8 && memcmp(p, "ElfFile", 8) == 0) return ET_KIND_EVTX;
    /* zip, 7z, RAR, and cabinets (Microsoft support's diagnostic packages come as .cab) */
    static const magic formats[] = {{"PK\3\4", 4}, {"PK\5\6", 4}, {"7z\xbc\xaf\x27\x1c", 6}, {"Rar!", 4},
                                    {"MSCF\0\0\0\0", 8}};
    if (starts_with_one(p, n, formats, sizeof formats / sizeof *formats) || et_sniff_compressed(p, n))
        return ET_KIND_ARCHIVE;
    if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0) return ET_KIND_ARCHIVE;
    return ET_KIND_OTHER;
}

bool et_is_stdin_path(const char *path) { return !strcmp(path, "-"); }

void et_walk_report(et_walk *w, const char *display, const char *msg, int is_skip)
{
    if (!is_skip) w->problems++;
    if (w->cb->problem) w->cb->problem(display, msg, is_skip, w->cb->ctx);
}

void et_walk_skip(et_walk *w, const char *display, unsigned long nhead)
{
    et_walk_report(w, display, nhead ? "skipped: not an EVTX file (no ElfFile signature)" : "skipped: empty (0 bytes)", 1);
}

void et_walk_refuse_nested(et_walk *w, const char *display)
{
    char msg[160];
    snprintf(msg, sizeof msg, "refused: archive nested too deeply (--max-depth is %d)",
             w->lim->max_depth);
    et_walk_report(w, display, msg, 0);
}

/* A nested archive inflated into memory goes to a temporary file: archives are read by
 * descriptor. -1 with msg set. */
static int spill(et_source *src, char *msg, size_t msglen)
{
    int fd = et_temp_fd(msg, msglen);
    if (fd >= 0 && et_temp_write(fd, src->mem, (size_t)src->size, msg, msglen) != 0) {
        close(fd);
        fd = -1;
    }
    et_source_close(src);
    return fd;
}

void et_walk_source(et_walk *w, et_source src, const char *display, int kind, int depth, uint64_t share,
                    const char *note)
{
    if (kind == ET_KIND_ARCHIVE) {
        if (note) et_walk_report(w, display, note, 0);
        char msg[512];
        int fd = src.fd >= 0 ? src.fd : spill(&src, msg, sizeof msg);
        if (fd < 0) { et_walk_report(w, display, msg, 0); return; }
        uint64_t members = et_walk_archive(w, fd, display, depth);
        if (w->cb->archive) w->cb->archive(fd, display, members, w->cb->ctx);
        close(fd);
    } else if (w->cb->file(src, display, depth, share, note, w->cb->ctx)) {
        w->stop = 1;
    }
}

int et_has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n >= e && strcasecmp(name + n - e, ext) == 0;
}

/* ---- paths read: a file reached twice (a folder and a file in it given both) is read once -- */

typedef struct path_set { char **slot; size_t cap, n; } path_set;

static size_t path_slot(char **slot, size_t cap, const char *path)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = path; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    size_t i = (size_t)h & (cap - 1);
    while (slot[i] && strcmp(slot[i], path)) i = (i + 1) & (cap - 1);
    return i;
}

/* Adds path; false when it was there already. */
static bool path_set_add(path_set *s, const char *path)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot) abort();
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) slot[path_slot(slot, cap, s->slot[i])] = s->slot[i];
        free(s->slot);
        s->slot = slot;
        s->cap = cap;
    }
    size_t i = path_slot(s->slot, s->cap, path);
    if (s->slot[i]) return false;
    if (!(s->slot[i] = strdup(path))) abort();
    s->n++;
    return true;
}

static void path_set_free(path_set *s)
{
    for (size_t i = 0; i < s->cap; i++) free(s->slot[i]);
    free(s->slot);
}

/* What a descriptor that is not a regular file is, in words. */
static const char *file_kind(mode_t mode)
{
    return S_ISFIFO(mode) ? "a pipe" : S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device"
         : S_ISSOCK(mode) ? "a socket" : S_ISDIR(mode) ? "a folder" : "not a regular file";
}

/* A pipe given as a path (`<(unzip -p up.zip System.evtx)`, /dev/stdin): its bytes go to an
 * unnamed temporary file, as an archive member's do, within --max-member-bytes, so that it is
 * read like any file. The descriptor of the copy, or -1 with msg set; pipe is closed. */
static int copy_pipe(const et_walk *w, int pipe, char *msg, size_t msglen)
{
    int fd = et_temp_fd(msg, msglen);
    char *buf = malloc(1 << 16);
    if (!buf) abort();
    uint64_t done = 0;
    ssize_t n;
    while (fd >= 0 && (n = read(pipe, buf, 1 << 16)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        int bad = 1;
        if (n < 0)
            snprintf(msg, msglen, "cannot read the pipe: %s", strerror(errno));
        else if ((done += (uint64_t)n) > w->lim->max_member_bytes)
            snprintf(msg, msglen, "refused: more than %llu bytes from a pipe (--max-member-bytes)",
                     (unsigned long long)w->lim->max_member_bytes);
        else
            bad = et_temp_write(fd, buf, (size_t)n, msg, msglen) != 0;
        if (bad) { close(fd); fd = -1; }
    }
    free(buf);
    close(pipe);
    if (fd >= 0 && w->cb->sized) w->cb->sized(done, w->cb->ctx);
    return fd;
}

/* After a failed open: whether it failed for want of descriptors and the files in flight have
 * now been let go (then it is worth trying once more). errno is kept. */
static bool starved(const et_walk *w)
{
    int why = errno;
    bool again = (why == EMFILE || why == ENFILE) && w->cb->starved && w->cb->starved(w->cb->ctx);
    errno = why;
    return again;
}

static int open_path(const et_walk *w, const char *path, bool std_in, int flags)
{
    int fd = std_in ? fcntl(0, F_DUPFD_CLOEXEC, 3) : et_open_input(path, flags);
    if (fd < 0 && starved(w)) fd = std_in ? fcntl(0, F_DUPFD_CLOEXEC, 3) : et_open_input(path, flags);
    return fd;
}

/* A file to read (given, or found in a folder), opened without waiting (a FIFO no one writes
 * to is an empty pipe, not a hang): a regular file's descriptor, a pipe's bytes copied, or -1
 * with msg and errno set; *st is what fstat says of the descriptor returned. Standard input
 * (std_in) is taken the same way, from a copy of descriptor 0, unless it is a terminal. */
static int open_file(const et_walk *w, const char *path, bool std_in, struct stat *st, char *msg, size_t msglen)
{
    int fd = open_path(w, path, std_in, O_NONBLOCK);
    if (fd < 0 || fstat(fd, st) != 0) {
        int why = errno;
        if (std_in && why == EBADF) snprintf(msg, msglen, "standard input is closed");
        else snprintf(msg, msglen, "%s", strerror(why));
        if (fd >= 0) close(fd);
        errno = why;
        return -1;
    }
    if (S_ISREG(st->st_mode)) return fd;
    if (std_in && isatty(fd)) {
        snprintf(msg, msglen, "refused: standard input is a terminal (pipe a file into it, or give its path)");
        close(fd);
        return -1;
    }
    if (S_ISFIFO(st->st_mode) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == 0) {
        fd = copy_pipe(w, fd, msg, msglen);
        if (fd >= 0 && fstat(fd, st) != 0) {
            snprintf(msg, msglen, "%s", strerror(errno));
            close(fd);
            fd = -1;
        }
        return fd;
    }
    snprintf(msg, msglen, "refused: %s, not a file", file_kind(st->st_mode));
    close(fd);
    return -1;
}

/* path: as given or found (explicit_arg: given); std_in: standard input, called path. */
static void walk_file(et_walk *w, const char *path, int explicit_arg, bool std_in)
{
    char msg[512];
    struct stat st;
    int fd = open_file(w, path, std_in, &st, msg, sizeof msg);
    if (fd < 0 && !explicit_arg && errno == ENOENT) return;   /* gone since its folder was listed */
    if (fd < 0) { et_walk_report(w, path, msg, 0); return; }
    unsigned char head[512];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n < 0) {
        et_walk_report(w, path, strerror(errno), 0);
        close(fd);
        return;
    }
    int kind = et_sniff_bytes(head, (unsigned long)n);
    /* a *.evtx without the signature still goes to the reader, which says why it fails */
    if (kind != ET_KIND_OTHER || et_has_ext(path, ".evtx")) {
        if (w->seen && !path_set_add(w->seen, std_in ? "" : path)) {   /* "": no path's spelling */
            close(fd);
            et_walk_report(w, path, "skipped: already read (the path was given twice, or a folder and a file in it)", 1);
            return;
        }
        et_walk_source(w, et_source_from_stat(fd, &st), path, kind, 0, 0, NULL);
        return;
    }
    close(fd);
    if (explicit_arg) et_walk_report(w, path, "skipped: not an EVTX file or archive", 1);
}

/* A folder's entry as listed: its name and, where the file system says, its type (DT_*). */
typedef struct dir_entry { char *name; unsigned char type; } dir_entry;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const dir_entry *)a)->name, ((const dir_entry *)b)->name);
}

static void walk_dir(et_walk *w, const char *dir, int depth);

/* One entry of a folder. Subfolders are walked; files read as they would be given, a link to a
 * file too (a case folder of links to the evidence). Not followed, and said so: a link to a
 * folder (it may lead out of the tree, or round in a loop). Not read, and said so when named
 * *.evtx: a pipe, device or socket, a link that leads nowhere. Anything else is no log. */
static void walk_entry(et_walk *w, const char *path, unsigned char type, int depth)
{
    /* the folder's listing says what most entries are: a file or a folder needs no lstat */
    if (type == DT_REG) { walk_file(w, path, 0, false); return; }
    if (type == DT_DIR) { walk_dir(w, path, depth + 1); return; }
    struct stat st, to;
    if (lstat(path, &st) != 0) return;   /* gone since the folder was listed */
    if (S_ISDIR(st.st_mode)) { walk_dir(w, path, depth + 1); return; }
    if (S_ISREG(st.st_mode)) { walk_file(w, path, 0, false); return; }
    bool link = S_ISLNK(st.st_mode), lands = link && stat(path, &to) == 0;
    int why = errno;
    if (lands && S_ISREG(to.st_mode)) { walk_file(w, path, 0, false); return; }
    if (lands && S_ISDIR(to.st_mode)) {
        et_walk_report(w, path, "skipped: link to a folder, not followed (give the folder's path to read it)", 1);
        return;
    }
    if (!et_has_ext(path, ".evtx")) return;
    char msg[160];
    if (link && !lands) snprintf(msg, sizeof msg, "link that leads nowhere: %s", strerror(why));
    else snprintf(msg, sizeof msg, "skipped: %s, not a file", file_kind(lands ? to.st_mode : st.st_mode));
    et_walk_report(w, path, msg, lands || !link);
}

static void walk_dir(et_walk *w, const char *dir, int depth)
{
    if (depth > 64) { et_walk_report(w, dir, "directory nesting too deep", 0); return; }
    int dfd = open_path(w, dir, false, O_DIRECTORY);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        et_walk_report(w, dir, strerror(errno), 0);
        if (dfd >= 0) close(dfd);
        return;
    }
    dir_entry *ents = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            ents = realloc(ents, cap * sizeof *ents);
            if (!ents) abort();
        }
        ents[n++] = (dir_entry){strdup(e->d_name), e->d_type};
    }
    closedir(d);
    if (n) qsort(ents, n, sizeof *ents, cmp_entry);
    for (size_t i = 0; i < n; i++) {
        if (!w->stop) {
            size_t len = strlen(dir) + strlen(ents[i].name) + 2;
            char *path = malloc(len);
            snprintf(path, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", ents[i].name);
            walk_entry(w, path, ents[i].type, depth);
            free(path);
        }
        free(ents[i].name);
    }
    free(ents);
}

int et_inputs_walk(char **paths, int npaths, const et_input_limits *limits, const et_input_callbacks *cb)
{
    et_input_limits defaults;
    if (!limits) { et_input_limits_default(&defaults); limits = &defaults; }
    path_set seen = {0};
    et_walk w = {.lim = limits, .cb = cb, .seen = &seen};
    for (int i = 0; i < npaths && !w.stop; i++) {
        struct stat st;
        if (et_is_stdin_path(paths[i])) { walk_file(&w, ET_STDIN_DISPLAY, 1, true); continue; }
        if (stat(paths[i], &st) != 0) { et_walk_report(&w, paths[i], strerror(errno), 0); continue; }
        if (S_ISDIR(st.st_mode)) walk_dir(&w, paths[i], 0);
        else walk_file(&w, paths[i], 1, false);
    }
    path_set_free(&seen);
    return w.problems;
}

/* The member's first bytes decide: anything but EVTX or an archive is not inflated further. */
typedef struct sniffed { int kind; size_t nhead; } sniffed;
static int want_member(const unsigned char *head, size_t n, void *ctx)
{
    sniffed *s = ctx;
    s->nhead = n;
    s->kind = et_sniff_bytes(head, (unsigned long)n);
    return s->kind != ET_KIND_OTHER;
}

int et_inputs_walk_member(et_zip_member *m, const char *display, const et_input_limits *limits,
                          const et_input_callbacks *cb)
{
    et_input_callbacks serial = *cb;
    serial.member = NULL;
    et_walk w = {.lim = limits, .cb = &serial};
    char msg[512];
    int depth = et_zip_member_depth(m);
    sniffed head = {ET_KIND_OTHER, 0};
    et_source src;
    bool damaged;
    int rc = et_zip_member_extract(m, want_member, &head, &src, &damaged, msg, sizeof msg);
    et_zip_member_free(m);
    int kind = head.kind;
    if (rc == 0 && kind != ET_KIND_EVTX && et_source_finish(&src, msg, sizeof msg))
        damaged = true;   /* only EVTX is read while it inflates: the rest is whole first */
    if (rc == -2) et_walk_skip(&w, display, (unsigned long)head.nhead);
    else if (rc < 0) et_walk_report(&w, display, msg, 0);
    else if (kind == ET_KIND_ARCHIVE && depth >= limits->max_depth) {
        et_walk_refuse_nested(&w, display);
        et_source_close(&src);
    } else {
        et_walk_source(&w, src, display, kind, depth + 1, 0, damaged ? msg : NULL);
    }
    return w.problems;
}
