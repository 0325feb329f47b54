/* progress.c: progress line for long runs; only ever used when stderr is a terminal. The line
 * is cut to the terminal's width (a line that wraps is not erased by the next one's \r, and
 * the terminal fills with copies) and the file's name cleaned of control characters. */
#include "input/progress.h"
#include "input/inputs.h"
#include "core/outbuf.h"
#include "core/termtext.h"
#include <dirent.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { ETA_AFTER_S = 1 };

struct et_progress {
    uint64_t total, done, records;
    int shown;
    double start, last, every;   /* every: seconds between two lines */
    et_buf file;                 /* the current file's name, clean for a terminal */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t size_of(const char *path, int depth, size_t *budget)
{
    struct stat st;
    if (depth == 0 && et_is_stdin_path(path))   /* a pipe's size is said once it is read (grow) */
        return fstat(0, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    if (!*budget || depth > 32 || lstat(path, &st) != 0) return 0;
    (*budget)--;
    /* as the walk reads them: a path given, or a link in a folder, as what it leads to; a link
     * to a folder only when given */
    if (S_ISLNK(st.st_mode) && (stat(path, &st) != 0 || (depth > 0 && S_ISDIR(st.st_mode)))) return 0;
    if (S_ISREG(st.st_mode)) return (uint64_t)st.st_size;
    if (!S_ISDIR(st.st_mode)) return 0;
    DIR *d = opendir(path);
    if (!d) return 0;
    uint64_t sum = 0;
    struct dirent *e;
    char sub[4096];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        sum += size_of(sub, depth + 1, budget);
    }
    closedir(d);
    return sum;
}

et_progress *et_progress_new(char **paths, int npaths)
{
    et_progress *p = calloc(1, sizeof *p);
    if (!p) abort();
    size_t budget = 200000; /* stat at most this many entries up front */
    for (int i = 0; i < npaths; i++) p->total += size_of(paths[i], 0, &budget);
    p->start = p->last = now();
    /* 0.2 s; tests draw a line for every step (EVTRIAGE_PROGRESS_EVERY_MS=0) */
    const char *env = getenv("EVTRIAGE_PROGRESS_EVERY_MS");
    p->every = env && *env ? atof(env) / 1000 : 0.2;
    return p;
}

void et_progress_grow(et_progress *p, uint64_t bytes) { p->total += bytes; }

void et_progress_file(et_progress *p, const char *name)
{
    p->file.len = 0;
    if (p->file.data) p->file.data[0] = 0;
    et_term_clean(&p->file, name);
}

/* The terminal's columns; SIZE_MAX when it does not say (a pseudo-terminal given no size):
 * the line is then drawn whole. */
static size_t terminal_columns(void)
{
    struct winsize ws;
    return ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : SIZE_MAX;
}

/* head and the file's name in one line of at most cols - 1 columns (the last column would wrap
 * on some terminals): the name loses its start first ("..."), then the head its end. */
static void draw(const char *head, const char *file, size_t cols)
{
    size_t room = cols > 1 ? cols - 1 : 0, hlen = strlen(head), hcols = et_term_columns(head, hlen);
    size_t fcols = et_term_columns(file, strlen(file));
    if (hcols + fcols <= room) { fprintf(stderr, "\r\033[K%s%s", head, file); return; }
    if (hcols + 4 <= room) {
        fprintf(stderr, "\r\033[K%s...%s", head, file + et_term_tail(file, room - hcols - 3));
        return;
    }
    fprintf(stderr, "\r\033[K%.*s", (int)et_term_head(head, hlen, room, NULL), head);
}

static void human(char *out, size_t n, double v)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (v >= 1024 && i < 4) { v /= 1024; i++; }
    snprintf(out, n, "%.1f %s", v, u[i]);
}

void et_progress_add(et_progress *p, uint64_t bytes, uint64_t records)
{
    p->done += bytes;
    p->records += records;
    double t = now();
    if (t - p->last < p->every) return;
    p->last = t;
    double rate = p->done / (t - p->start > 0.001 ? t - p->start : 0.001);
    char done[32], total[32], rs[32], eta[32] = "?";
    human(done, sizeof done, (double)p->done);
    human(total, sizeof total, (double)p->total);
    human(rs, sizeof rs, rate);
    double pct = p->total ? 100.0 * (double)p->done / (double)p->total : 0;
    if (pct > 99) pct = 99;
    /* the first second's rate is mostly start-up (the rules, the first file opening): an ETA
     * from it would be off by orders of magnitude, so there is none until then */
    if (p->total > p->done && rate > 0 && t - p->start >= ETA_AFTER_S) {
        long s = (long)((double)(p->total - p->done) / rate);
        snprintf(eta, sizeof eta, "%ld:%02ld", s / 60, s % 60);
    }
    p->shown = 1;
    char head[256];
    snprintf(head, sizeof head, "%s / %s (%.0f%%) · %llu records · %s/s · ETA %s · ", done, total, pct,
             (unsigned long long)p->records, rs, eta);
    draw(head, p->file.data ? p->file.data : "", terminal_columns());
    fflush(stderr);
}

void et_progress_clear(et_progress *p)
{
    if (!p || !p->shown) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = 0;
}

void et_progress_free(et_progress *p)
{
    if (!p) return;
    et_progress_clear(p);
    et_buf_free(&p->file);
    free(p);
}
