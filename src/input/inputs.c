/* inputs.c: path and archive walking: directories in name order, signature sniffing,
 * libarchive members streamed to a private temporary folder one at a time. */
#include "input/inputs.h"
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct walk {
    const et_input_limits *lim;
    et_input_fn fn;
    et_input_problem_fn problem;
    void *ctx;
    int problems;
    int stop;
    char tmpdir[256];
    unsigned long tmpseq;
} walk;

void et_input_limits_default(et_input_limits *l)
{
    l->max_total_bytes = 16ULL << 30;
    l->max_member_bytes = 4ULL << 30;
    l->max_ratio = 200.0;
    l->max_members = 100000;
    l->max_depth = 1;
}

int et_sniff_bytes(const unsigned char *p, unsigned long n)
{
    if (n >= 8 && memcmp(p, "ElfFile", 8) == 0) return ET_KIND_EVTX;
    static const struct { const char *magic; unsigned len; } arch[] = {
        {"PK\3\4", 4}, {"PK\5\6", 4}, {"\x1f\x8b", 2}, {"\xfd" "7zXZ", 5}, {"7z\xbc\xaf\x27\x1c", 6},
        {"BZh", 3}, {"\x28\xb5\x2f\xfd", 4}, {"Rar!", 4}};
    for (size_t i = 0; i < sizeof arch / sizeof *arch; i++)
        if (n >= arch[i].len && memcmp(p, arch[i].magic, arch[i].len) == 0) return ET_KIND_ARCHIVE;
    if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0) return ET_KIND_ARCHIVE;
    return ET_KIND_OTHER;
}

static int sniff_file(const char *path)
{
    unsigned char buf[512];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return n < 0 ? -1 : et_sniff_bytes(buf, (unsigned long)n);
}

static void report(walk *w, const char *display, const char *msg, int is_skip)
{
    if (!is_skip) w->problems++;
    if (w->problem) w->problem(display, msg, is_skip, w->ctx);
}

static int has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n >= e && strcasecmp(name + n - e, ext) == 0;
}

/* A private folder for archive members, created on first use, removed at the end. */
static const char *tmp_dir(walk *w)
{
    if (w->tmpdir[0]) return w->tmpdir;
    const char *base = getenv("TMPDIR");
    snprintf(w->tmpdir, sizeof w->tmpdir, "%s/evtriage-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(w->tmpdir)) { w->tmpdir[0] = 0; return NULL; }
    return w->tmpdir;
}

static void walk_archive(walk *w, const char *open_path, const char *display, int depth);

/* Copies the current member into a temporary file; returns 0, or -1 with msg set. */
static int extract_member(walk *w, struct archive *a, const char *dst, uint64_t *total,
                          uint64_t compressed_size, char *msg, size_t msglen)
{
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) { snprintf(msg, msglen, "cannot create a temporary file: %s", strerror(errno)); return -1; }
    char buf[65536];
    uint64_t member = 0;
    int rc = 0;
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) { snprintf(msg, msglen, "%s", archive_error_string(a)); rc = -1; break; }
        member += (uint64_t)n;
        *total += (uint64_t)n;
        if (member > w->lim->max_member_bytes) {
            snprintf(msg, msglen, "refused: member expands past %llu bytes (--max-member-bytes)",
                     (unsigned long long)w->lim->max_member_bytes);
            rc = -1;
            break;
        }
        if (*total > w->lim->max_total_bytes) {
            snprintf(msg, msglen, "refused: archive expands past %llu bytes (--max-total-bytes)",
                     (unsigned long long)w->lim->max_total_bytes);
            rc = -1;
            break;
        }
        if (compressed_size && (double)*total / (double)compressed_size > w->lim->max_ratio && *total > (64u << 20)) {
            snprintf(msg, msglen, "refused: expansion ratio above %.0f (--max-ratio): a decompression bomb?",
                     w->lim->max_ratio);
            rc = -1;
            break;
        }
        if (write(fd, buf, (size_t)n) != n) {
            rc = -1;
            snprintf(msg, msglen, "cannot write a temporary file: %s", strerror(errno));
            break;
        }
    }
    close(fd);
    if (rc) *total -= member; /* a refused member does not count against the others */
    return rc;
}

static void walk_member(walk *w, struct archive *a, struct archive_entry *e, const char *display,
                        int depth, uint64_t *total, uint64_t compressed_size)
{
    char msg[512];
    if (archive_entry_is_encrypted(e)) { report(w, display, "refused: encrypted member", 0); return; }
    const char *dir = tmp_dir(w);
    if (!dir) { report(w, display, "cannot create a private temporary folder", 0); return; }
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s/m%lu", dir, ++w->tmpseq);
    if (extract_member(w, a, tmp, total, compressed_size, msg, sizeof msg) != 0) {
        report(w, display, msg, 0);
        unlink(tmp);
        return;
    }
    int kind = sniff_file(tmp);
    if (kind == ET_KIND_EVTX) {
        if (w->fn(tmp, display, w->ctx)) w->stop = 1;
    } else if (kind == ET_KIND_ARCHIVE) {
        if (depth >= w->lim->max_depth) report(w, display, "refused: archive nested too deeply (--max-depth)", 0);
        else walk_archive(w, tmp, display, depth + 1);
    } else {
        report(w, display, "skipped: not an EVTX file (no ElfFile signature)", 1);
    }
    unlink(tmp);
}

static void walk_archive(walk *w, const char *open_path, const char *display, int depth)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open_filename(a, open_path, 1 << 16) != ARCHIVE_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "cannot read archive: %s", archive_error_string(a));
        report(w, display, msg, 0);
        archive_read_free(a);
        return;
    }
    struct stat st;
    uint64_t compressed = stat(open_path, &st) == 0 ? (uint64_t)st.st_size : 0;
    uint64_t total = 0, members = 0;
    struct archive_entry *e;
    int rc;
    while (!w->stop && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        char sub[4096];
        snprintf(sub, sizeof sub, "%s!%s", display, name ? name : "?");
        if (++members > w->lim->max_members) {
            report(w, display, "refused: too many members (--max-members); the rest is not read", 0);
            break;
        }
        mode_t type = archive_entry_filetype(e);
        if (type == AE_IFDIR) continue;
        if (type != AE_IFREG) { report(w, sub, "skipped: not a regular file (link or device)", 1); continue; }
        walk_member(w, a, e, sub, depth, &total, compressed);
    }
    if (!w->stop && rc != ARCHIVE_EOF && rc != ARCHIVE_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "archive damaged: %s; the members before this point were read",
                 archive_error_string(a));
        report(w, display, msg, 0);
    }
    archive_read_free(a);
}

static void walk_file(walk *w, const char *path, int explicit_arg)
{
    int kind = sniff_file(path);
    if (kind < 0) { report(w, path, strerror(errno), 0); return; }
    if (kind == ET_KIND_EVTX || (kind == ET_KIND_OTHER && has_ext(path, ".evtx"))) {
        /* a *.evtx without the signature still goes to the reader, which says why it fails */
        if (w->fn(path, path, w->ctx)) w->stop = 1;
    } else if (kind == ET_KIND_ARCHIVE) {
        walk_archive(w, path, path, 0);
    } else if (explicit_arg) {
        report(w, path, "skipped: not an EVTX file or archive", 1);
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void walk_dir(walk *w, const char *dir, int depth)
{
    if (depth > 64) { report(w, dir, "directory nesting too deep", 0); return; }
    DIR *d = opendir(dir);
    if (!d) { report(w, dir, strerror(errno), 0); return; }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = realloc(names, cap * sizeof *names);
            if (!names) abort();
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (!w->stop) {
            size_t len = strlen(dir) + strlen(names[i]) + 2;
            char *path = malloc(len);
            snprintf(path, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
            struct stat st;
            if (lstat(path, &st) == 0) {
                if (S_ISDIR(st.st_mode)) walk_dir(w, path, depth + 1);
                else if (S_ISREG(st.st_mode)) walk_file(w, path, 0);
            }
            free(path);
        }
        free(names[i]);
    }
    free(names);
}

int et_inputs_walk(char **paths, int npaths, const et_input_limits *limits, et_input_fn fn,
                   et_input_problem_fn problem, void *ctx)
{
    et_input_limits defaults;
    if (!limits) { et_input_limits_default(&defaults); limits = &defaults; }
    walk w = {.lim = limits, .fn = fn, .problem = problem, .ctx = ctx};
    for (int i = 0; i < npaths && !w.stop; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) { report(&w, paths[i], strerror(errno), 0); continue; }
        if (S_ISDIR(st.st_mode)) walk_dir(&w, paths[i], 0);
        else walk_file(&w, paths[i], 1);
    }
    if (w.tmpdir[0]) rmdir(w.tmpdir);
    return w.problems;
}
