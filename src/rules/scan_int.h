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
/* Runs the rule's `extract:` steps for the current event and variant. */
void scan_extract(et_scanner *s, const struct et_rule_impl *im);

#endif
