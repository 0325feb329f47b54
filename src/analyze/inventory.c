/* inventory.c: per-input bookkeeping for the report's inputs table and evidence gaps. */
#include "analyze/inventory.h"
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

/* Adds s to a bounded set of strings (linear: the sets are small). */
static void set_add(char ***items, size_t *n, size_t max, const char *s)
{
    if (!s || !*s) return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*items)[i], s) == 0) return;
    if (*n >= max) return;
    char **p = realloc(*items, (*n + 1) * sizeof **items);
    if (!p) abort();
    *items = p;
    p[(*n)++] = xstrdup(s);
}

void et_input_note_event(et_input *in, const et_event *ev)
{
    /* Fast path: most events repeat the previous host and channel. */
    if (in->nhosts && ev->computer && strcmp(in->hosts[in->nhosts - 1], ev->computer) == 0 &&
        in->nchannels && ev->channel && strcmp(in->channels[in->nchannels - 1], ev->channel) == 0)
        return;
    set_add(&in->hosts, &in->nhosts, ET_INV_MAX_HOSTS, ev->computer);
    set_add(&in->channels, &in->nchannels, ET_INV_MAX_CHANNELS, ev->channel);
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

void et_input_end(et_input *in, const et_reader_stats *st)
{
    in->records = st->records;
    in->recovered = st->recovered;
    in->skipped = st->skipped;
    in->remnants = st->remnants;
    in->first_time = st->first_time;
    in->last_time = st->last_time;
}

void et_input_free(et_input *in)
{
    free(in->path);
    for (size_t i = 0; i < in->nhosts; i++) free(in->hosts[i]);
    for (size_t i = 0; i < in->nchannels; i++) free(in->channels[i]);
    for (size_t i = 0; i < in->nproblems; i++) free(in->problems[i]);
    free(in->hosts);
    free(in->channels);
    free(in->problems);
    memset(in, 0, sizeof *in);
}
