/* compile.h: the rule compiler's shared context and helpers (private to src/rules). */
#ifndef EVTRIAGE_COMPILE_H
#define EVTRIAGE_COMPILE_H
#include "rules/rule_int.h"

typedef struct et_cctx {
    et_ruleset *rs;
    const char *file;
    et_diag_fn diag;
    void *dctx;
    int nerr, nwarn;
    bool strict;
    et_rule *rule;
    struct et_rule_impl *impl;
    et_variant *variants;
    size_t nvariants;
} et_cctx;

void cc_error(et_cctx *c, const ynode *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cc_error_at(et_cctx *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cc_warn(et_cctx *c, const ynode *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *cc_strdup(et_cctx *c, const char *s, size_t n);
void *cc_alloc(et_cctx *c, size_t n);   /* zeroed, in the rule set's arena */

/* Accessors of a field name for each variant of the current rule. */
et_acc *cc_resolve_field(et_cctx *c, const char *name);
/* Accessor of a field name in one variant. */
et_acc cc_resolve_one(et_cctx *c, const et_variant *v, const char *name);
/* Compiles a regex (pcre2); reports errors at n. jit: to machine code too, for patterns tried on
 * every candidate event (detection values); `extract:` and lookup patterns run only on matched
 * events, where JIT compiling (about 1 ms over the bundled packs, at every start) costs more
 * than it saves. */
pcre2_code *cc_regex(et_cctx *c, const ynode *n, const char *pattern, uint32_t flags, bool jit);

/* value.c: one `field|modifiers: values` entry (keyword: field NULL). Returns false on error. */
bool cc_field_condition(et_cctx *c, const ynode *key, const char *spec, const ynode *value, et_fcond *out);

/* condition.c: parses the condition(s) against the rule's search identifiers. */
et_cx *cc_condition(et_cctx *c, const ynode *cond);

/* extract.c / rca.c / correlation.c / ruletest.c: the extension sections. */
bool cc_extract(et_cctx *c, const ynode *node);
bool cc_rca(et_cctx *c, const ynode *node);
bool cc_correlation(et_cctx *c, const ynode *node);
bool cc_tests(et_cctx *c, const ynode *node);
/* compile.c: logsource + detection of a detection rule. */
bool cc_detection(et_cctx *c, const ynode *doc);
/* After every file is read: references of correlations (correlation.c), explains (rca.c),
 * tests (ruletest.c); chain depth and loops (correlation.c). */
bool cc_resolve_refs(et_cctx *c, et_rule *r);
bool cc_rca_refs(et_cctx *c, et_rule *rule);
bool cc_tests_refs(et_cctx *c, et_rule *r);
bool cc_check_depth(et_cctx *c, et_rule *r);

/* diagcap.c: passes on at most ET_DIAG_CAP errors and ET_DIAG_CAP warnings a file to fn (as an
 * et_diag_fn with this as its context); past them, one line a file says how many more there
 * were (et_diag.more_errors, more_warnings), when the next file's first one comes or at
 * et_diagcap_end. Files are told apart by name. */
#define ET_DIAG_CAP 100
typedef struct et_diagcap {
    et_diag_fn fn;
    void *ctx;
    const char *file;
    char file_buf[4096];
    int errors, warnings, more_errors, more_warnings;
} et_diagcap;
void et_diagcap_say(const et_diag *d, void *cap);
void et_diagcap_end(et_diagcap *c);

/* Checks a map's keys against known ones: unknown keys are errors when strict_keys, otherwise
 * errors when they look like a typo of a known key and warnings else. */
void cc_check_keys(et_cctx *c, const ynode *map, const char *const *known, bool strict_keys, const char *where);

#endif
