/* replay.c: runs a fuzz target's LLVMFuzzerTestOneInput on given files and directories (crash
 * regressions, seeds) without libFuzzer, so any compiler's normal and sanitizer builds replay them.
 * The limits run_fuzzers.sh gives libFuzzer hold here too, so that every build fails on a
 * regression of their kind: an input whose run grows the process by more than REPLAY_MAX_MB
 * fails (out of memory), and each input runs on a thread of REPLAY_STACK bytes of stack (a
 * recursion as deep as an input makes it overflows there: a crash). */
#include "fuzz.h"
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_MB 512
#define REPLAY_STACK (1 << 20)

/* A line of /proc/self/status in KiB ("VmRSS", "VmHWM"), or -1. */
static long status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    size_t n = strlen(key);
    while (kb < 0 && fgets(line, sizeof line, f))
        if (!strncmp(line, key, n) && line[n] == ':') kb = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return kb;
}

/* Starts the peak over again (Linux: "5" to clear_refs resets VmHWM); false where it cannot. */
static int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return 0;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok;
}

/* Reads a whole file; returns NULL (and says why) when it cannot. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "%s: %s\n", path, strerror(errno)); return NULL; }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    if (!buf) abort();
    int bad = ferror(f);
    fclose(f);
    if (bad) { fprintf(stderr, "%s: read error\n", path); free(buf); return NULL; }
    *size = n;
    return buf;
}

typedef struct input { const uint8_t *data; size_t size; } input;

static void *run_input(void *arg)
{
    const input *in = arg;
    LLVMFuzzerTestOneInput(in->data, in->size);
    return NULL;
}

/* The target on one input, on a thread of REPLAY_STACK bytes of stack. */
static void run_on_small_stack(const uint8_t *data, size_t size)
{
    input in = {data, size};
    pthread_attr_t attr;
    pthread_t t;
    if (pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, REPLAY_STACK) ||
        pthread_create(&t, &attr, run_input, &in)) {
        fprintf(stderr, "replay: cannot start a thread\n");
        abort();
    }
    pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
}

static int run_file(const char *path)
{
    size_t size = 0;
    uint8_t *data = read_file(path, &size);
    if (!data) return -1;
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    long before = status_kb("VmRSS");
    int measured = before >= 0 && reset_peak();
    run_on_small_stack(data, size);
    free(data);
    long peak = measured ? status_kb("VmHWM") : -1;
    if (peak >= 0 && peak - before > REPLAY_MAX_MB * 1024L) {
        fprintf(stderr, "replay: %s: the run took %ld MB more memory (at most %d)\n", path, (peak - before) / 1024,
                REPLAY_MAX_MB);
        return -1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Runs every regular file of dir (not hidden ones, e.g. .gitkeep) in name order; returns how many. */
static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) { fprintf(stderr, "%s: %s\n", dir, strerror(errno)); return -1; }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        names = realloc(names, (n + 1) * sizeof *names);
        if (!names) abort();
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    int count = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(path) < 0) failed = 1;
            else count++;
        }
        free(names[i]);
    }
    free(names);
    return failed ? -1 : count;
}

int main(int argc, char **argv)
{
    int total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) { fprintf(stderr, "%s: %s\n", argv[i], strerror(errno)); return 1; }
        int n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : (run_file(argv[i]) == 0 ? 1 : -1);
        if (n < 0) return 1;
        total += n;
    }
    if (total == 0) { fprintf(stderr, "replay: no input given\n"); return 1; }
    printf("replay: %d inputs ran\n", total);
    return 0;
}
