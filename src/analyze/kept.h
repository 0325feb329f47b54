/* kept.h: what the analysis keeps of each matched event (the evidence), shared by the
 * analysis pipeline, the findings builder and the gap finder. Internal to src/analyze. */
#ifndef EVTRIAGE_KEPT_H
#define EVTRIAGE_KEPT_H
#include "analyze/codes.h"
#include "report/report.h"
#include "rules/rules.h"

typedef struct kept_match {
    const et_rule *rule;
    et_evidence ev;           /* strings owned here */
    char *provider;
    et_kv *values; size_t nvalues;   /* matched and extracted fields */
} kept_match;

typedef struct kept_hit {
    const et_rule *rule;
    int64_t first_time, last_time;
    uint64_t count;
    et_kv *group; size_t ngroup;
    kept_match *events; size_t nevents;  /* evidence (rule = detection that matched) */
    size_t nevents_total;
} kept_hit;

/* Everything the findings builder needs, in deterministic order. */
typedef struct kept_set {
    const et_ruleset *rules;
    kept_match *matches; size_t nmatches, cap;
    size_t dropped;           /* matches beyond the cap */
    kept_hit *hits; size_t nhits, hcap;
} kept_set;

void kept_match_free(kept_match *m);
void kept_set_free(kept_set *k);
/* Looks name up in the match's values (case-insensitive), then its event's top-level values. */
const char *kept_value(const kept_match *m, const char *name);

/* findings.c: turns matches and correlation hits into ranked findings with linked root causes. */
void et_build_findings(kept_set *k, et_report *r, const et_codes *codes);
/* gaps.c: unreadable inputs, logs the findings' rules need (rca.needs), "no rule fired". */
void et_find_gaps(const kept_set *k, et_report *r);

#endif
