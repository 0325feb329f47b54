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

/* The matches of one future finding (rule, host, rca.group_by values): how many were kept,
 * and those counted beyond the bounds, with their time range, so counts stay exact. */
typedef struct kept_group {
    const et_rule *rule;
    char *key;                /* host + group_by values */
    uint64_t hash;
    size_t kept, extra;
    int64_t extra_first, extra_last;
    uint32_t ord;             /* creation order */
    size_t copies;            /* of kept + extra: copies of a record counted already (kept_drop_copies) */
} kept_group;

/* What one rule matched beyond the findings it may have (KEPT_GROUPS_PER_RULE, KEPT_MAX_GROUPS
 * of all rules; the same for correlation hits): counted, with their time range, not kept. */
typedef struct kept_over {
    size_t groups, hits;      /* findings of the rule kept: detection groups, distinct hit groups */
    uint64_t records;         /* matched records past the bound (hits: their events) */
    uint64_t more_hits;       /* correlation hits past the bound */
    int64_t first, last;
} kept_over;

/* Everything the findings builder needs, in deterministic order. */
typedef struct kept_set {
    const et_ruleset *rules;
    kept_match *matches; size_t nmatches, cap;
    size_t bytes;             /* what the kept matches hold (bounded by KEPT_MAX_BYTES) */
    size_t dropped;           /* matches counted but not kept (bounds reached) */
    char corr_losses[2][256]; /* what the correlator could not use (et_correlator_losses) */
    size_t ncorr_losses;
    bool corr_lost;           /* matches are missing, not only let go over the bound */
    char **gave_up;           /* "FILE: rule ... gave up ..." (et_giveup_message), the first KEPT_GAVE_UP */
    size_t ngave_up, gave_up_more;
    kept_group *groups; size_t ngroups, gcap;   /* open addressing on hash */
    size_t nfinding_groups;                     /* of them, of rules that make findings (standalone) */
    kept_hit *hits; size_t nhits, hcap;         /* one per rule and group (hits of one merged) */
    uint32_t *hit_slots; size_t hslots;         /* hits by rule and group: index + 1, 0 empty */
    kept_over *over; size_t nover;              /* by rule index: what the bounds left out */
    struct et_spill *ids;     /* every match's record identity (NULL: copies are counted) */
} kept_set;

#define KEPT_PER_GROUP 200    /* records kept per finding (its evidence shows 50 of them) */
#define KEPT_GROUPS_PER_RULE 500   /* findings of one rule: hosts (and rca.group_by values), or hit groups */
#define KEPT_MAX_GROUPS 5000  /* detection findings of all rules; as many correlation findings, and as
                                 many hosts (and values) of the rules read only as context */
#define KEPT_MAX_BYTES (16u << 20)   /* memory the kept records may hold, whatever their number */
#define KEPT_GAVE_UP 1000     /* give-up gaps listed (the rest counted; stderr has every one) */

void kept_match_free(kept_match *m);
void kept_set_free(kept_set *k);
/* Keeps m (taking its strings) unless its finding already holds KEPT_PER_GROUP records, or the
 * set holds cap records or KEPT_MAX_BYTES; then m is only counted in its group. Facts are kept
 * up to cap and KEPT_MAX_BYTES only. */
void kept_add(kept_set *k, kept_match *m, size_t cap);
/* From now on, remembers every match's record (rule, host, channel, record id, time), so that
 * kept_drop_copies can tell copies of one record apart (the same log in two inputs). */
void kept_track_copies(kept_set *k);
/* Counts each group's copies and drops the kept ones, leaving the first by file name. Returns
 * the copies found; false in *ok when they could not be told (nothing is dropped then). */
size_t kept_drop_copies(kept_set *k, bool *ok);
/* Keeps a correlation hit (taking its strings): merged into the one of the same rule and group
 * values (case-insensitive) already kept, whose counts add up and whose evidence joins in time
 * order, up to KEPT_PER_GROUP records; a new group past the bounds is only counted. */
void kept_add_hit(kept_set *k, kept_hit *h);
/* The group of the finding m belongs to, or NULL. */
const kept_group *kept_group_of(const kept_set *k, const kept_match *m);
/* Looks name up in the match's values (case-insensitive), then its event's top-level values. */
const char *kept_value(const kept_match *m, const char *name);

/* findings.c: turns matches and correlation hits into ranked findings with linked root causes. */
void et_build_findings(kept_set *k, et_report *r, const et_codes *codes);
/* gaps.c: unreadable inputs, logs the findings' rules need (rca.needs), "no rule fired". */
void et_find_gaps(const kept_set *k, et_report *r);

#endif
