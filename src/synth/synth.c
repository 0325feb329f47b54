/* synth.c: scenario -> EVTX files on disk, laid out as a customer's export (HOST/Channel.evtx),
 * and the --scale mode that repeats a scenario with rising times and record ids and mixes in
 * the built-in noise (noise_default.c) to make benchmark files of any size. */
#include "synth/synth.h"
#include "synth/evtx_writer.h"
#include "core/timeutil.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern const char sy_noise_yaml[];

static int mkdirs(const char *path, char *err, size_t errlen)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) goto fail;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST) goto fail;
    return 0;
fail:
    snprintf(err, errlen, "%s: cannot create folder: %s", tmp, strerror(errno));
    return -1;
}

/* The scenario's time span over all files: scaled repeats shift every file alike, so events
 * that belong together across hosts stay together. */
static void time_span(const sy_scenario *s, int64_t *first, int64_t *last)
{
    *first = INT64_MAX;
    *last = INT64_MIN;
    for (size_t i = 0; i < s->nfiles; i++)
        for (size_t j = 0; j < s->files[i].nevents; j++) {
            int64_t t = s->files[i].events[j].time;
            if (t < *first) *first = t;
            if (t > *last) *last = t;
        }
    if (*first > *last) *first = *last = 0;
}

typedef struct noise_set { const sy_event *v; size_t n; } noise_set;

static noise_set noise_for(const sy_scenario *noise, const char *channel)
{
    for (size_t i = 0; noise && i < noise->nfiles; i++)
        if (!strcmp(noise->files[i].channel, channel)) return (noise_set){noise->files[i].events, noise->files[i].nevents};
    return (noise_set){NULL, 0};
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct file_run {
    sy_writer *w;
    uint64_t records, next_id;
    char *err; size_t errlen;
} file_run;

static int add(file_run *r, const sy_event *ev)
{
    if (sy_writer_add(r->w, ev, r->err, r->errlen) < 0) return -1;
    r->records++;
    return 0;
}

/* --scale: repetition k shifts the events by k periods; ids are renumbered; noise events of the
 * file's channel (retargeted to its host) fill the gaps between consecutive events. */
static int write_scaled(file_run *r, const sy_file *f, const sy_write_opts *o, int64_t period, const noise_set *ns,
                        uint64_t seed)
{
    uint64_t rng = seed | 1;
    for (uint64_t k = 0; k < o->scale; k++) {
        for (size_t i = 0; i < f->nevents; i++) {
            sy_event ev = f->events[i];
            ev.time += (int64_t)k * period;
            ev.record_id = r->next_id++;
            if (add(r, &ev) < 0) return -1;
            int64_t gap = i + 1 < f->nevents ? f->events[i + 1].time - f->events[i].time : 60 * ET_TICKS_PER_SEC;
            for (unsigned j = 0; ns->n && j < o->noise; j++) {
                sy_event n = ns->v[xorshift(&rng) % ns->n];
                n.computer = ev.computer;
                n.channel = ev.channel;
                n.time = ev.time + (gap > 0 ? (int64_t)(xorshift(&rng) % (uint64_t)gap) : 0);
                if (n.time < ev.time) n.time = ev.time;
                n.record_id = r->next_id++;
                if (add(r, &n) < 0) return -1;
            }
        }
    }
    return 0;
}

static int write_file(const sy_file *f, const char *dir, const sy_write_opts *o, int64_t period,
                      const sy_scenario *noise, size_t index, sy_written_fn fn, void *ctx, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, f->path);
    char *slash = strrchr(path, '/');
    *slash = 0;
    if (mkdirs(path, err, errlen) < 0) return -1;
    *slash = '/';
    file_run r = {.next_id = f->first_record_id, .err = err, .errlen = errlen};
    if (!(r.w = sy_writer_open(path, err, errlen))) return -1;
    int rc = 0;
    if (o->scale > 1) {
        noise_set ns = noise_for(noise, f->channel);
        rc = write_scaled(&r, f, o, period, &ns, 0x9E3779B97F4A7C15ULL * (index + 1));
    } else {
        for (size_t i = 0; i < f->nevents && !rc; i++) rc = add(&r, &f->events[i]);
    }
    uint64_t bytes = sy_writer_bytes(r.w);
    char cerr[512];
    if (sy_writer_close(r.w, cerr, sizeof cerr) < 0 && !rc) {
        snprintf(err, errlen, "%s", cerr);
        rc = -1;
    }
    struct stat st;
    if (!rc && stat(path, &st) == 0) bytes = (uint64_t)st.st_size;
    if (!rc && fn) fn(path, r.records, bytes, ctx);
    return rc;
}

int sy_write(const sy_scenario *s, const char *dir, const sy_write_opts *o, sy_written_fn fn, void *ctx,
             char *err, size_t errlen)
{
    if (mkdirs(dir, err, errlen) < 0) return -1;
    sy_scenario *noise = NULL;
    if (o->scale > 1 && o->noise) {
        int nerr = 0;
        noise = sy_scenario_load("builtin-noise", sy_noise_yaml, NULL, NULL, &nerr);
        if (!noise) { snprintf(err, errlen, "internal error: the built-in noise scenario does not load"); return -1; }
    }
    int64_t first, last;
    time_span(s, &first, &last);
    int64_t period = last - first + 3600 * ET_TICKS_PER_SEC;
    int rc = 0;
    for (size_t i = 0; i < s->nfiles && !rc; i++)
        rc = write_file(&s->files[i], dir, o, period, noise, i, fn, ctx, err, errlen);
    sy_scenario_free(noise);
    return rc;
}
