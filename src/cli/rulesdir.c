/* rulesdir.c: finds the bundled rule packs without the source tree ($EVTRIAGE_RULES, beside the
 * executable, the build's source tree, the install prefix) and names which packs they are. */
#include "cli/rulesdir.h"
#include "core/sha256.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Compiled in by CMakeLists.txt for this file only. */
#ifndef EVTRIAGE_RULES_REL
#define EVTRIAGE_RULES_REL "../share/evtriage/rules"
#endif
#ifndef EVTRIAGE_RULES_PREFIX
#define EVTRIAGE_RULES_PREFIX ""
#endif
#ifndef EVTRIAGE_BUILD_DIR
#define EVTRIAGE_BUILD_DIR ""
#endif
#ifndef EVTRIAGE_SOURCE_RULES
#define EVTRIAGE_SOURCE_RULES ""
#endif

void cli_rules_places_here(cli_rules_places *p, char *exe_buf, size_t exe_len)
{
    *p = (cli_rules_places){.env = getenv("EVTRIAGE_RULES"), .rel = EVTRIAGE_RULES_REL,
                            .build_dir = EVTRIAGE_BUILD_DIR, .source = EVTRIAGE_SOURCE_RULES,
                            .prefix = EVTRIAGE_RULES_PREFIX};
    ssize_t n = exe_len ? readlink("/proc/self/exe", exe_buf, exe_len - 1) : -1;
    if (n > 0) {
        exe_buf[n] = 0;
        p->exe = exe_buf;
    }
}

static void say(cli_rules_where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(cli_rules_where *w, const char *fmt, ...)
{
    size_t used = strlen(w->looked);
    if (used + 1 >= sizeof w->looked) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->looked + used, sizeof w->looked - used, fmt, ap);
    va_end(ap);
}

/* NULL when dir holds a packs/ folder, else why not. */
static const char *why_not(const char *dir)
{
    char packs[PATH_MAX + 8];
    struct stat st;
    if (stat(dir, &st) != 0) return errno == ENOENT ? "no such folder" : strerror(errno);
    if (!S_ISDIR(st.st_mode)) return "not a folder";
    snprintf(packs, sizeof packs, "%s/packs", dir);
    if (stat(packs, &st) != 0 || !S_ISDIR(st.st_mode)) return "no packs/ folder in it";
    if (access(packs, R_OK | X_OK) != 0) return "packs/ cannot be read";
    return NULL;
}

/* Tries dir: 1 when it holds the packs (w filled), else 0 and one line of w->looked. */
static int try_place(cli_rules_where *w, const char *dir, const char *how)
{
    const char *why = why_not(dir);
    if (!why) {
        snprintf(w->dir, sizeof w->dir, "%s", dir);
        w->how = how;
        return 1;
    }
    say(w, "  %s (%s): %s\n", dir, how, why);
    return 0;
}

/* The folder of path (lexically: "/a/b/c" -> "/a/b"). */
static void parent(char *path)
{
    char *slash = strrchr(path, '/');
    if (slash == path) slash[1] = 0;
    else if (slash) *slash = 0;
}

/* dir joined with rel, leading "../" taken off dir's end (the executable's path is already real). */
static void join_rel(char *out, size_t len, const char *dir, const char *rel)
{
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s", dir);
    for (; !strncmp(rel, "../", 3); rel += 3)
        if (strcmp(base, "/")) parent(base);   /* the root's parent is the root */
    int n = snprintf(out, len, "%s%s%s", base, strcmp(base, "/") ? "/" : "", rel);
    if (n < 0 || (size_t)n >= len) out[0] = 0;   /* too long for a path: no folder */
}

/* Whether the executable's folder is the build folder (both resolved). */
static bool same_folder(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

int cli_rules_find_in(const cli_rules_places *p, cli_rules_where *w)
{
    w->dir[0] = w->looked[0] = 0;
    w->how = NULL;
    if (p->env && *p->env) return try_place(w, p->env, "EVTRIAGE_RULES") ? 0 : -1;
    say(w, "  EVTRIAGE_RULES: not set\n");
    char exe_dir[PATH_MAX] = "", path[PATH_MAX];
    if (p->exe && *p->exe) {
        snprintf(exe_dir, sizeof exe_dir, "%s", p->exe);
        parent(exe_dir);
        join_rel(path, sizeof path, exe_dir, p->rel && *p->rel ? p->rel : ".");
        if (try_place(w, path, "beside the executable")) return 0;
    } else {
        say(w, "  beside the executable: its location is unknown (/proc/self/exe cannot be read)\n");
    }
    if (*exe_dir && p->build_dir && *p->build_dir && p->source && *p->source && same_folder(exe_dir, p->build_dir))
        if (try_place(w, p->source, "the source tree of this build")) return 0;
    if (p->prefix && *p->prefix && try_place(w, p->prefix, "the install prefix")) return 0;
    return -1;
}

int cli_rules_find(cli_rules_where *w)
{
    char exe[PATH_MAX];
    cli_rules_places p;
    cli_rules_places_here(&p, exe, sizeof exe);
    return cli_rules_find_in(&p, w);
}

/* ---- the packs' identity ---- */

typedef struct pack_files {
    char **rel;
    size_t n, cap;
    size_t root_len;   /* strlen(dir) + 1: what nftw's paths start with */
    bool oom;
} pack_files;

static pack_files *walking;   /* nftw has no context argument; --version runs on one thread */

static bool yaml_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && !strcmp(name + n - 4, ".yml")) || (n > 5 && !strcmp(name + n - 5, ".yaml"));
}

static int on_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
    if (type != FTW_F || !S_ISREG(st->st_mode) || !yaml_name(path + f->base)) return 0;
    pack_files *pf = walking;
    if (pf->n == pf->cap) {
        size_t cap = pf->cap ? pf->cap * 2 : 32;
        char **v = realloc(pf->rel, cap * sizeof *v);
        if (!v) { pf->oom = true; return 1; }
        pf->rel = v;
        pf->cap = cap;
    }
    if (!(pf->rel[pf->n] = strdup(path + pf->root_len))) { pf->oom = true; return 1; }
    pf->n++;
    return 0;
}

static int by_bytes(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The SHA-256 of one file, as hex; -1 on a read error. */
static int file_sha256(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    et_sha256 s;
    et_sha256_init(&s);
    unsigned char buf[65536];
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0) et_sha256_update(&s, buf, (size_t)got);
    close(fd);
    if (got < 0) { et_sha256_hex(&s, hex); return -1; }
    return et_sha256_hex(&s, hex);
}

int cli_packs_sha256(const char *dir_given, char hex[65], size_t *nfiles, char *why, size_t whylen)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", dir_given);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--) dir[n - 1] = 0;
    hex[0] = 0;
    *nfiles = 0;
    et_sha256 all;
    et_sha256_init(&all);
    if (et_sha256_unavailable()) {
        snprintf(why, whylen, "%s", et_sha256_unavailable());
        et_sha256_hex(&all, hex);
        return -1;
    }
    pack_files pf = {.root_len = strlen(dir) + 1};
    walking = &pf;
    static const char *const subdirs[] = {"packs", "data"};
    for (size_t i = 0; i < 2 && !pf.oom; i++) {
        char sub[PATH_MAX + 8];
        snprintf(sub, sizeof sub, "%s/%s", dir, subdirs[i]);
        (void)nftw(sub, on_entry, 16, FTW_PHYS);   /* a missing data/ holds no files */
    }
    walking = NULL;
    int rc = pf.oom ? -1 : 0;
    if (pf.oom) snprintf(why, whylen, "out of memory");
    if (pf.n) qsort(pf.rel, pf.n, sizeof *pf.rel, by_bytes);
    for (size_t i = 0; i < pf.n; i++) {
        char path[PATH_MAX * 2], one[65], line[PATH_MAX + 80];
        snprintf(path, sizeof path, "%s/%s", dir, pf.rel[i]);
        if (rc == 0 && file_sha256(path, one) != 0) {
            snprintf(why, whylen, "%s: cannot be read", path);
            rc = -1;
        }
        if (rc == 0) {
            int len = snprintf(line, sizeof line, "%s  %s\n", one, pf.rel[i]);
            et_sha256_update(&all, line, (size_t)len);
        }
        free(pf.rel[i]);
    }
    free(pf.rel);
    *nfiles = pf.n;
    if (et_sha256_hex(&all, hex) != 0 && rc == 0) {
        snprintf(why, whylen, "SHA-256 failed");
        rc = -1;
    }
    if (rc) hex[0] = 0;
    return rc;
}
