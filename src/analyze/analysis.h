/* analysis.h: one analysis run: reads every input on N threads, matches each event against the
 * compiled rules, keeps the evidence and the timeline, then builds the report model
 * (report/report.h): inputs, ranked findings with their root causes, gaps. */
#ifndef EVTRIAGE_ANALYSIS_H
#define EVTRIAGE_ANALYSIS_H
#include <stdbool.h>
#include <stddef.h>
#include "analyze/codes.h"
#include "core/event.h"
#include "input/inputs.h"
#include "report/report.h"
#include "rules/rules.h"

typedef struct et_analysis_opts {
    bool all_events;          /* timeline holds every event, not only matched ones */
    size_t timeline_cap;      /* entries the report's own views hold (0: 20,000); the timeline file has all */
    size_t match_cap;         /* 0: default (40,000 matched events kept as evidence, holding at most
                                 16 MiB; beyond, and beyond 200 per finding, records are counted
                                 but not kept) */
    int jobs;                 /* <= 0: one thread per core */
    bool progress;            /* progress line on stderr (a terminal) */
    bool no_hash;             /* --hash none: inputs are not hashed (batch runs hashed elsewhere) */
    bool keep_copies;         /* --keep-copies: a record in two inputs counts twice (default: once) */
    const char *tz;           /* display zone (stored times stay UTC) */
    const et_codes *codes;     /* rules/data/error-codes.yaml, loaded; NULL: codes stay codes */
    const et_input_limits *limits; /* NULL: defaults */
} et_analysis_opts;

/* Reads paths (files, directories, archives) and returns the report; the caller frees it
 * with et_report_free. *problems counts unreadable inputs and skipped records. Progress
 * and problems go to stderr as "PATH: message". */
et_report *et_analyze(char **paths, int npaths, const et_ruleset *rules, const et_analysis_opts *opts,
                      int *problems);

/* A generic one-line message for an event: "Provider EventID: Name=Value; ..." */
void et_event_summary(const et_event *ev, char *out, size_t outlen);

#endif
