/* fuzz_scenario.c: libFuzzer target: arbitrary bytes as a synth scenario (YAML) through the
 * scenario reader; a scenario that loads is written as EVTX into a private temporary folder and
 * read back through the reader, whose every record must decode (the writer's output is ours). */
#include "fuzz.h"
#include "reader/evtx_reader.h"
#include "synth/scenario.h"
#include "synth/synth.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WRITTEN 20000   /* events per input written to disk (the loader allows 1,000,000) */

static volatile size_t sink;

static void quiet(const char *path, int line, int col, const char *msg, void *ctx)
{
    (void)ctx;
    sink += fz_touch_str(path) + fz_touch_str(msg) + (size_t)line + (size_t)col;
}

/* Reads one written file; a record the reader refuses is a writer bug: abort so the fuzzer says so. */
static void read_back(const char *path)
{
    char err[512];
    et_reader *r = et_reader_open(path, err, sizeof err);
    if (!r) { fprintf(stderr, "cannot read back %s: %s\n", path, err); abort(); }
    const et_event *ev;
    int rc;
    while ((rc = et_reader_next(r, &ev)) != ET_READ_END) {
        if (rc != ET_READ_EVENT) { fprintf(stderr, "%s: %s\n", path, et_reader_problem(r)); abort(); }
        sink += fz_touch_event(ev);
    }
    et_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = 0;
    int nerr = 0;
    sy_scenario *s = sy_scenario_load("fuzz.yaml", text, quiet, NULL, &nerr);
    free(text);
    if (!s) return 0;
    size_t total = 0;
    for (size_t i = 0; i < s->nfiles; i++) total += s->files[i].nevents;
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/evtriage-fuzz-scenario-XXXXXX");
        if (!mkdtemp(dir)) abort();
    }
    char err[512];
    sy_write_opts o = {.scale = 1};
    if (total <= MAX_WRITTEN && sy_write(s, dir, &o, NULL, NULL, err, sizeof err) == 0) {
        for (size_t i = 0; i < s->nfiles; i++) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", dir, s->files[i].path);
            read_back(path);
        }
    }
    for (size_t i = 0; i < s->nfiles; i++) {   /* leave the folder empty for the next input */
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, s->files[i].path);
        unlink(path);
        char *slash = strrchr(path, '/');
        if (slash) { *slash = 0; rmdir(path); }
    }
    sy_scenario_free(s);
    return 0;
}
