/* scan_int.h: a scanner's per-thread state, shared by scanner.c and extract.c. */
#ifndef EVTRIAGE_SCAN_INT_H
#define EVTRIAGE_SCAN_INT_H
#include "rules/rule_int.h"

typedef struct sbuf { char *p; size_t len, cap; } sbuf;
/* Appends n bytes (+ NUL) and returns the offset of the copy. */
size_t sbuf_add(sbuf *b, const char *s, size_t n);

struct et_scanner {
    const et_ruleset *rs;
    const et_event *ev;
    uint32_t gen;                     /* bumped per event: invalidates the caches below */
    uint32_t *fgen; const char **fval;            /* EventData value per interned name */
    uint32_t *lgen; size_t *loff, *llen;          /* lower-cased copy in lbuf */
    sbuf lbuf;
    uint32_t topgen[ACC_TOP_LAST + 1];
    char top[ACC_TOP_LAST + 1][40];
    const char *topp[ACC_TOP_LAST + 1];
    sbuf tmp;                         /* lower-cased extracted value */
    /* extract results of the rule being tried */
    sbuf xbuf;
    size_t *xoff; bool *xhas;
    const char **xval;
    uint32_t *rgen;                   /* per rule: matched already for this event */
    pcre2_match_data *md;
    pcre2_match_context *mc;          /* PCRE2's match limit (SCAN_RE_MATCH_LIMIT) */
    et_giveup *giveups; size_t ngiveups, capgiveups;   /* since et_scanner_take_giveups */
    et_value_ref *outf, *outx;
    size_t variant;
    const et_rule *rule;
    /* buckets of the last (channel, provider) seen: consecutive events mostly share them */
    char last_ch[256], last_pr[256];
    bool last_valid;
    const et_bucket *last_b[4];
    size_t last_nb;
};

/* Raw value of an accessor for the current event (NULL when absent). */
const char *scan_get(et_scanner *s, const et_acc *a);
/* A regular expression gives up past this many of PCRE2's match steps (its default: 10
 * million; a nested quantifier like (a|aa)+ on a long run of a's takes 4 ms to reach 1 million
 * with the JIT, 40 ms for 10 million; linear expressions over 32 KiB of text stay far under). */
#define SCAN_RE_MATCH_LIMIT 1000000
/* pcre2_match (len: PCRE2_ZERO_TERMINATED or a length) under the scanner's limit. A limit
 * reached is counted for the current rule and event (et_scanner_take_giveups) and returns
 * PCRE2_ERROR_NOMATCH, as no match. */
int scan_re(et_scanner *s, const pcre2_code *re, const char *subject, size_t len);
/* Runs the rule's `extract:` steps for the current event and variant. */
void scan_extract(et_scanner *s, const struct et_rule_impl *im);

#endif
