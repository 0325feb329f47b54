/* fuzz.h: what the libFuzzer targets in tests/fuzz share: the entry point libFuzzer (or the
 * replay driver) calls, and a reusable in-memory file to hand the bytes to path-based APIs. */
#ifndef EVTRIAGE_FUZZ_H
#define EVTRIAGE_FUZZ_H
#include <stddef.h>
#include <stdint.h>

/* Called once per input, by libFuzzer or by replay.c. Always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An anonymous in-memory file (memfd) that lives as long as the process and is rewritten for
 * each input; path is "/proc/self/fd/N", openable like any regular file. */
typedef struct fz_file {
    int fd;
    char path[64];
} fz_file;

/* Creates the file on first use (aborts when it cannot) and replaces its contents by data. */
const char *fz_file_put(fz_file *f, const char *name, const uint8_t *data, size_t size);

/* Reads every byte of every string an event carries, so the sanitizers check them. */
struct et_event;
size_t fz_touch_event(const struct et_event *ev);

/* Reads a NUL-terminated string (NULL allowed) end to end; returns its length. */
size_t fz_touch_str(const char *s);

#endif
