/* fuzz_archive.c: libFuzzer target: arbitrary bytes as an input file through the input layer
 * (signature sniffing, zip members in memory, streamed to temporary files or read while they
 * inflate, libarchive members, nesting, limits), every EVTX found read with the reader; the
 * private temporary folder must be empty again afterwards. */
#include "fuzz.h"
#include "input/inputs.h"
#include "reader/evtx_reader.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile size_t sink;
static char tmpdir[256];

/* Members go to a folder of our own, so leftovers can be seen. */
static void make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/fuzz_archive-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); abort(); }
    setenv("TMPDIR", tmpdir, 1);
}

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return 0;
    int empty = 1;
    for (struct dirent *e; empty && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = 0;
    closedir(d);
    return empty;
}

static void remove_tmpdir(void)
{
    rmdir(tmpdir);
}

static int on_evtx(et_source src, const char *display, int depth, uint64_t share, const char *note, void *ctx)
{
    (void)ctx;
    (void)depth;
    (void)share;
    if (note) sink += fz_touch_str(note);
    char err[256];
    et_evtx_file *f = et_evtx_file_open_source(src, display, err, sizeof err);
    if (!f) { sink += strlen(err); return 0; }
    et_reader *r = et_reader_open_range(f, 0, et_evtx_file_chunks(f) + 1);
    const et_event *ev;
    int rc;
    while ((rc = et_reader_next(r, &ev)) != ET_READ_END)
        sink += rc == ET_READ_EVENT ? fz_touch_event(ev) : fz_touch_str(et_reader_problem(r));
    et_reader_close(r);
    et_evtx_file_close(f);
    return 0;
}

static void on_problem(const char *display, const char *message, int is_skip, void *ctx);
static void on_archive(int fd, const char *display, uint64_t members, void *ctx);

/* Zip members the way scan.c takes them: walked on their own (here at once, there on a worker). */
static int on_member(et_zip_member *m, const char *display, void *ctx)
{
    et_input_callbacks cb = {.file = on_evtx, .problem = on_problem, .archive = on_archive, .ctx = ctx};
    sink += (size_t)et_inputs_walk_member(m, display, ctx, &cb);
    return 0;
}

static void on_problem(const char *display, const char *message, int is_skip, void *ctx)
{
    (void)ctx;
    sink += fz_touch_str(display) + fz_touch_str(message) + (size_t)is_skip;
}

/* Every archive, after its members: its descriptor must still hold its bytes (they are hashed). */
static void on_archive(int fd, const char *display, uint64_t members, void *ctx)
{
    (void)ctx;
    unsigned char head[4];
    if (pread(fd, head, sizeof head, 0) < 0) abort();
    sink += fz_touch_str(display) + (size_t)members;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fz_file file;
    if (!tmpdir[0]) {
        make_tmpdir();
        atexit(remove_tmpdir);
        /* a budget of 1 MiB, of which 256 KiB are free: bigger members take the temporary-file
         * routes, and one past 1 MiB is read while it inflates (a feed, with its replay) */
        setenv("EVTRIAGE_MEMORY_BUDGET_MIB", "1", 1);
        uint64_t budget = et_source_budget();
        if (budget > (256u << 10)) et_source_budget_take(budget - (256u << 10));
    }
    char *path = (char *)fz_file_put(&file, "fuzz_archive.bin", data, size);
    /* small limits: a hostile input is refused quickly, as with --max-* on the command line */
    et_input_limits lim = {.max_total_bytes = 8u << 20, .max_member_bytes = 4u << 20, .max_ratio = 2000.0,
                           .max_members = 32, .max_depth = 1};
    et_input_callbacks cb = {.file = on_evtx, .member = on_member, .problem = on_problem, .archive = on_archive,
                             .ctx = &lim};
    sink += (size_t)et_inputs_walk(&path, 1, &lim, &cb);
    if (!dir_is_empty(tmpdir)) abort(); /* a member or the private folder was left behind */
    return 0;
}
