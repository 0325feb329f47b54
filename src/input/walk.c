/* walk.c: deterministic recursive directory walk (sorted names, no symlink loops). */
#include "input/walk.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int has_evtx_ext(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && strcasecmp(name + n - 5, ".evtx") == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(const char *dir, int depth, et_walk_fn fn, et_walk_err_fn err, void *ctx, int *bad)
{
    if (depth > 64) { err(dir, "directory nesting too deep", ctx); (*bad)++; return 0; }
    DIR *d = opendir(dir);
    if (!d) { err(dir, strerror(errno), ctx); (*bad)++; return 0; }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) { cap = cap ? cap * 2 : 32; names = realloc(names, cap * sizeof *names); }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    int stop = 0;
    for (size_t i = 0; i < n; i++) {
        if (!stop) {
            size_t len = strlen(dir) + strlen(names[i]) + 2;
            char *path = malloc(len);
            snprintf(path, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
            struct stat st;
            if (lstat(path, &st) == 0) {
                if (S_ISDIR(st.st_mode)) stop = walk_dir(path, depth + 1, fn, err, ctx, bad);
                else if (S_ISREG(st.st_mode) && has_evtx_ext(names[i])) stop = fn(path, ctx);
            }
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return stop;
}

int et_walk_paths(char **paths, int npaths, et_walk_fn fn, et_walk_err_fn err, void *ctx)
{
    int bad = 0;
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) { err(paths[i], strerror(errno), ctx); bad++; continue; }
        int stop = S_ISDIR(st.st_mode) ? walk_dir(paths[i], 0, fn, err, ctx, &bad) : fn(paths[i], ctx);
        if (stop) break;
    }
    return bad;
}
