/* replay.c: scenario -> EVTX in a private temporary folder -> events through the reader. */
#include "synth/replay.h"
#include "reader/evtx_reader.h"
#include "synth/scenario.h"
#include "synth/synth.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct diag_ctx { char *err; size_t len; } diag_ctx;

static void first_problem(const char *path, int line, int col, const char *msg, void *vctx)
{
    diag_ctx *d = vctx;
    if (!d->err[0]) snprintf(d->err, d->len, "%s:%d:%d: %s", path, line, col, msg);
}

static int read_back(const char *path, void (*each)(const et_event *, void *), void *each_ctx, char *err, size_t errlen)
{
    et_reader *r = et_reader_open(path, err, errlen);
    if (!r) return -1;
    const et_event *ev;
    int rc, bad = 0;
    while ((rc = et_reader_next(r, &ev)) != ET_READ_END) {
        if (rc == ET_READ_EVENT) each(ev, each_ctx);
        else if (!bad++) snprintf(err, errlen, "%s: %s", path, et_reader_problem(r));
    }
    et_reader_close(r);
    return bad ? -1 : 0;
}

int sy_replay(const char *path, void (*each)(const et_event *, void *), void *each_ctx, void *ctx, char *err,
              size_t errlen)
{
    (void)ctx;
    err[0] = 0;
    diag_ctx d = {err, errlen};
    int nerr = 0;
    sy_scenario *s = sy_scenario_load(path, NULL, first_problem, &d, &nerr);
    if (!s) return -1;
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/evtriage-replay-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "cannot create a temporary folder in %s", tmp && *tmp ? tmp : "/tmp");
        sy_scenario_free(s);
        return -1;
    }
    sy_write_opts o = {.scale = 1};
    int rc = sy_write(s, dir, &o, NULL, NULL, err, errlen);
    for (size_t i = 0; i < s->nfiles; i++) {
        char file[8192];
        snprintf(file, sizeof file, "%s/%s", dir, s->files[i].path);
        if (!rc && read_back(file, each, each_ctx, err, errlen) < 0) rc = -1;
        unlink(file);
        char *slash = strrchr(file, '/');
        if (slash) { *slash = 0; rmdir(file); }   /* the host folder, once empty */
    }
    rmdir(dir);
    sy_scenario_free(s);
    return rc;
}
