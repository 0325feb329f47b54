/* inventory.c: per-input bookkeeping for the report's inputs table and evidence gaps: hosts,
 * channels, and each host and channel's record ids and times (to tell overlapping inputs). */
#include "analyze/inventory.h"
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

/* A bounded set of strings: its items and, once it holds HASH_FROM of them, each one's hash (a
 * collector's file has thousands of hosts: every event from one past the bound looks through
 * the whole set, by hash rather than by strcmp). */
typedef struct str_set { char ***items; uint32_t **hashes; size_t *n; size_t max; } str_set;
enum { HASH_FROM = 8 };

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static const char *find_linear(const str_set *set, const char *s)
{
    for (size_t i = 0; i < *set->n; i++)
        if (strcmp((*set->items)[i], s) == 0) return (*set->items)[i];
    return NULL;
}

static const char *find_hashed(const str_set *set, const char *s, uint32_t h)
{
    if (!*set->hashes) {
        *set->hashes = malloc(set->max * sizeof **set->hashes);
        if (!*set->hashes) abort();
        for (size_t i = 0; i < *set->n; i++) (*set->hashes)[i] = str_hash((*set->items)[i]);
    }
    const uint32_t *v = *set->hashes;
    for (size_t i = 0; i < *set->n; i++)
        if (v[i] == h && strcmp((*set->items)[i], s) == 0) return (*set->items)[i];
    return NULL;
}

/* Adds s to the set; the set's copy of s, "" for an empty s, or NULL when the set is full. */
static const char *set_add(str_set set, const char *s)
{
    if (!s || !*s) return "";
    bool hashed = *set.n >= HASH_FROM;
    uint32_t h = hashed ? str_hash(s) : 0;
    const char *found = hashed ? find_hashed(&set, s, h) : find_linear(&set, s);
    if (found) return found;
    if (*set.n >= set.max) return NULL;
    char **p = realloc(*set.items, (*set.n + 1) * sizeof **set.items);
    if (!p) abort();
    *set.items = p;
    p[*set.n] = xstrdup(s);
    if (hashed) (*set.hashes)[*set.n] = h;
    return p[(*set.n)++];
}

static str_set hosts_of(et_input *in) { return (str_set){&in->hosts, &in->host_hashes, &in->nhosts, ET_INV_MAX_HOSTS}; }
static str_set channels_of(et_input *in)
{
    return (str_set){&in->channels, &in->channel_hashes, &in->nchannels, ET_INV_MAX_CHANNELS};
}

/* The stream of host and channel, both the input's own strings (so compared by address); made
 * while fewer than the bound; else NULL. */
static et_stream *stream_for(et_input *in, const char *host, const char *channel)
{
    if (!host || !channel) return NULL;
    for (size_t i = 0; i < in->nstreams; i++)
        if (in->streams[i].host == host && in->streams[i].channel == channel) {
            in->last_stream = i + 1;
            return &in->streams[i];
        }
    if (in->nstreams >= ET_INV_MAX_STREAMS) return NULL;
    et_stream *p = realloc(in->streams, (in->nstreams + 1) * sizeof *p);
    if (!p) abort();
    in->streams = p;
    p[in->nstreams] = (et_stream){.host = host, .channel = channel, .first_id = UINT64_MAX, .first_time = INT64_MAX,
                                  .last_time = INT64_MIN, .step = 1};
    in->last_stream = ++in->nstreams;
    return &p[in->nstreams - 1];
}

/* Keeps only the samples whose id is a multiple of step. */
static void thin(et_stream *s, uint64_t step)
{
    size_t k = 0;
    for (size_t i = 0; i < s->nsamples; i++)
        if (!(s->samples[i].id & (step - 1))) s->samples[k++] = s->samples[i];
    s->nsamples = k;
    s->step = step;
}

/* Record id of time joins the samples if its id is a multiple of the step (the step doubles
 * while they are full); an id seen before (a recovered copy) keeps its first time. */
static void sample(et_stream *s, uint64_t id, int64_t time)
{
    if (id & (s->step - 1)) return;
    for (size_t i = 0; i < s->nsamples; i++)
        if (s->samples[i].id == id) return;
    while (s->nsamples == ET_STREAM_SAMPLES) {
        thin(s, s->step * 2);
        if (id & (s->step - 1)) return;
    }
    s->samples[s->nsamples].id = id;
    s->samples[s->nsamples++].time = time;
}

static void stream_add(et_stream *s, uint64_t first_id, uint64_t last_id, int64_t first_time, int64_t last_time,
                       uint64_t records)
{
    if (first_id < s->first_id) s->first_id = first_id;
    if (last_id > s->last_id) s->last_id = last_id;
    if (first_time < s->first_time) s->first_time = first_time;
    if (last_time > s->last_time) s->last_time = last_time;
    s->records += records;
}

static int same(const char *kept, const char *s) { return !strcmp(kept, s ? s : ""); }

void et_input_note_event(et_input *in, const et_event *ev)
{
    et_stream *s = in->last_stream ? &in->streams[in->last_stream - 1] : NULL;
    /* Fast path: most events repeat the previous host and channel. */
    if (!s || !same(s->host, ev->computer) || !same(s->channel, ev->channel)) {
        const char *host = set_add(hosts_of(in), ev->computer);
        const char *channel = set_add(channels_of(in), ev->channel);
        in->hosts_more |= !host;
        in->channels_more |= !channel;
        s = stream_for(in, host, channel);
    }
    if (s) {
        stream_add(s, ev->record_id, ev->record_id, ev->timestamp, ev->timestamp, 1);
        sample(s, ev->record_id, ev->timestamp);
    }
}

void et_input_merge(et_input *dst, const et_input *src)
{
    dst->hosts_more |= src->hosts_more;
    dst->channels_more |= src->channels_more;
    for (size_t i = 0; i < src->nhosts; i++)
        dst->hosts_more |= !set_add(hosts_of(dst), src->hosts[i]);
    for (size_t i = 0; i < src->nchannels; i++)
        dst->channels_more |= !set_add(channels_of(dst), src->channels[i]);
    for (size_t i = 0; i < src->nstreams; i++) {
        const et_stream *from = &src->streams[i];
        et_stream *to = stream_for(dst, set_add(hosts_of(dst), from->host),
                                   set_add(channels_of(dst), from->channel));
        if (!to) continue;
        stream_add(to, from->first_id, from->last_id, from->first_time, from->last_time, from->records);
        if (from->step > to->step) thin(to, from->step);   /* the same step, so the samples stay every multiple */
        for (size_t k = 0; k < from->nsamples; k++) sample(to, from->samples[k].id, from->samples[k].time);
    }
}

void et_input_add_problem(et_input *in, const char *msg)
{
    in->nproblems_total++;
    if (in->nproblems >= ET_INV_MAX_PROBLEMS) return;
    char **p = realloc(in->problems, (in->nproblems + 1) * sizeof *p);
    if (!p) abort();
    in->problems = p;
    p[in->nproblems++] = xstrdup(msg);
}

void et_input_add_problem_first(et_input *in, const char *msg)
{
    if (in->nproblems == ET_INV_MAX_PROBLEMS) free(in->problems[--in->nproblems]);   /* the last one gives way */
    et_input_add_problem(in, msg);
    char *mine = in->problems[in->nproblems - 1];
    memmove(in->problems + 1, in->problems, (in->nproblems - 1) * sizeof *in->problems);
    in->problems[0] = mine;
}

void et_input_end(et_input *in, const et_reader_stats *st)
{
    in->records = st->records;
    in->recovered = st->recovered;
    in->skipped = st->skipped;
    in->remnants = st->remnants;
    in->first_time = st->first_time;
    in->last_time = st->last_time;
}

