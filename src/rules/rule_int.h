/* rule_int.h: the engine's private data structures, shared by the compiler, scanner and correlator. */
#ifndef EVTRIAGE_RULE_INT_H
#define EVTRIAGE_RULE_INT_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "core/arena.h"
#include "rules/rules.h"
#include "core/ydoc.h"

/* Where a value comes from: a top-level event value, an EventData field (interned id) or an
 * `extract:` result of the rule (index). */
enum {
    ACC_NONE = 0, ACC_DATA, ACC_EXTRACT, ACC_EVENT_ID, ACC_CHANNEL, ACC_PROVIDER, ACC_PROVIDER_GUID,
    ACC_COMPUTER, ACC_LEVEL, ACC_TASK, ACC_OPCODE, ACC_KEYWORDS, ACC_RECORD_ID, ACC_VERSION,
    ACC_USER_SID, ACC_PROCESS_ID, ACC_THREAD_ID, ACC_QUALIFIERS, ACC_TIME, ACC_ANY /* `*`: any field */
};
#define ACC_TOP_FIRST ACC_EVENT_ID
#define ACC_TOP_LAST ACC_TIME
typedef struct et_acc { uint8_t kind; uint32_t id; } et_acc;

/* Value comparisons. Strings are stored lower-cased unless `cased`. */
enum {
    OP_EQ = 0, OP_PREFIX, OP_SUFFIX, OP_CONTAINS, OP_GLOB, OP_RE, OP_LT, OP_LTE, OP_GT, OP_GTE,
    OP_CIDR, OP_NULL, OP_EXISTS, OP_NOT_EXISTS, OP_NUM_EQ
};
#define GLOB_STAR '\x01'
#define GLOB_ONE '\x02'
typedef struct et_val {
    uint8_t op;
    bool cased;
    bool neg;                 /* neq */
    bool fieldref;            /* s is a field name; compare with that field's value (ref[variant]) */
    const char *s;            /* literal, or glob pattern with GLOB_STAR / GLOB_ONE */
    uint32_t len;
    pcre2_code *re;
    double num;
    uint8_t ip[16], family, bits;
    uint32_t grp;             /* index of the value as written: windash/base64offset variants of
                                 one value share it (with |all, one variant per value must hold) */
    et_acc *ref;              /* fieldref accessor per variant */
} et_val;

typedef struct et_fcond {
    const char *name;         /* field name as written (NULL for keywords) */
    et_acc *acc;              /* per variant */
    et_val *vals;
    uint32_t nvals;
    bool all;                 /* values AND-ed (|all) */
    bool keyword;             /* search every value of the event */
} et_fcond;

typedef struct et_alt { et_fcond *conds; uint32_t nconds; } et_alt;       /* AND */
typedef struct et_sel { const char *name; et_alt *alts; uint32_t nalts; } et_sel; /* OR */

/* A condition: AND and OR hold all their operands (a chain of 2,000 `or`s is one node, not 2,000
 * nested ones), NOT one; nesting comes only from parentheses and `not`, at most CX_MAX_DEPTH. */
enum { CX_SEL = 0, CX_AND, CX_OR, CX_NOT, CX_TRUE, CX_FALSE };
#define CX_MAX_DEPTH 64
typedef struct et_cx { uint8_t op; uint32_t sel; uint32_t n; struct et_cx **kids; } et_cx;

/* A concrete place a logsource lives: channel/provider (NULL = any), event ids (none = any),
 * extra conditions and field renames. */
typedef struct et_fieldmap { const char *from, *to; } et_fieldmap;
typedef struct et_variant {
    const char *channel, *provider;
    uint32_t *eids; size_t neids;
    et_alt extra;             /* mapping `conditions:` (field accessors for this variant only) */
    const et_fieldmap *fmap; size_t nfmap;
    const ynode *cond_node;      /* the mapping's `conditions:` map (compiled into extra) */
    const char **known; size_t nknown;   /* EventData names the source carries (lint) */
    bool multi_provider;
    const char *source;       /* mapping entry name */
} et_variant;

/* `extract:` step. */
enum { EX_COPY = 0, EX_SPLIT, EX_KV, EX_RE };
/* `lookup:` of an extract step: rows of a data table under rules/data, compiled once. */
typedef struct et_lookup_row { const char *key; pcre2_code **re; size_t nre; const char *value; } et_lookup_row;
typedef struct et_lookup { et_lookup_row *rows; size_t nrows; } et_lookup;

typedef struct et_extract {
    const char *name;
    et_acc *src;              /* per variant; kind ACC_EXTRACT for `from:` */
    et_acc **alt; size_t nalt;  /* `field: [A, B, ...]`: fallbacks tried in order after src */
    const et_lookup *lookup;  /* map the result through a data table (NULL: none) */
    uint8_t op;
    const char *sep;          /* split / kv list separator */
    const char *kvsep;        /* kv: between key and value ("=") */
    const char *key;          /* kv key */
    int index;                /* split index (negative: from the end) */
    pcre2_code *re; int group;
    bool code;                /* normalize as an error code */
    bool trim;
    const char *deflt;
} et_extract;

typedef struct et_corr {
    et_corr_type type;
    const char **group; size_t ngroup;   /* group-by names (aliases resolved per rule at add) */
    /* aliases[a].per_rule[r] = field name in events of corr_rules[r] (NULL: alias name itself) */
    struct { const char *name; const char **per_rule; } *aliases; size_t naliases;
    int64_t timespan;                    /* FILETIME ticks */
    int64_t skew;                        /* clock skew tolerance */
    bool end_absent;                     /* absent: an answer the input ends before is absent */
    const char *field;                   /* value_count */
    bool has_cond[5]; int64_t cond[5];   /* gt gte lt lte eq */
    bool generate;
    const char **rule_refs; size_t nrule_refs; const ynode **rule_ref_nodes;
} et_corr;

typedef struct et_outfield { const char *name; et_acc *acc; } et_outfield;

typedef struct et_testcase {
    const char *name; int line;
    const ynode *events;         /* sequence of field maps, or NULL with a scenario */
    const char *scenario;        /* synth scenario path (resolved against the rule file), or NULL */
    const char **expect; size_t nexpect;
    const char **expect_not; size_t nexpect_not;
} et_testcase;

struct et_rule_impl {
    const struct et_ruleset *rs;
    et_sel *sels; uint32_t nsels;
    et_cx *cond;
    et_variant *variants; size_t nvariants;
    et_outfield *out; size_t nout;
    et_extract *ex; size_t nex;
    et_corr *corr;
    et_testcase *tests; size_t ntests;
    const ynode *doc;
    bool feeds;               /* some correlation uses its matches */
    bool referenced, generated;   /* by a correlation; by one that says generate: true */
    const char **need; size_t nneed;  /* field names correlations read from its matches */
    int depth;                /* correlation chain depth (detection rules: 0) */
    const ynode *explains_node;
    const ynode *resolved_node;
    bool dropped;             /* left out of the set (its errors, or a reference to one left out) */
};

/* Index bucket: candidate (rule, variant) pairs for one (channel, provider) pair. */
typedef struct et_cand { uint32_t rule, variant; } et_cand;
typedef struct et_eidlist { uint32_t eid; et_cand *c; size_t n, cap; } et_eidlist;
typedef struct et_bucket {
    char *channel, *provider;            /* lower-case; "" = any */
    et_eidlist *eids; size_t neids, capeids;  /* sorted by eid after build */
    et_cand *any; size_t nany, capany;        /* any event id */
} et_bucket;

/* A data file by real path: its first document, or why there is none (error, at line:col). */
typedef struct et_table { const char *path; const ynode *root; const char *error; int line, col; } et_table;
/* A rule under one of its keys (id or name), in a list sorted by key, then by rule order. */
typedef struct et_rule_key { const char *key; size_t order; const et_rule *rule; } et_rule_key;

struct et_ruleset {
    et_arena arena;
    et_table *tables; size_t ntables;   /* data files parsed (datafiles.c), each once */
    et_rule **rules; size_t nrules, caprules;
    et_rule_key *by_id, *by_name; size_t nby_id, nby_name;   /* for et_ruleset_find */
    bool keyed;               /* by_id and by_name are those of rules[] (else found by a walk) */
    char **fnames; size_t nfnames, capfnames;  /* interned EventData field names */
    et_bucket *buckets; size_t nbuckets, capbuckets;
    struct et_mapping *mapping;
    size_t max_extract, max_out, max_captures;
    pcre2_code **codes; size_t ncodes, capcodes;   /* every compiled regex, freed with the set */
};

/* index.c: (channel, provider, event id) -> candidate (rule, variant) pairs. */
void et_index_build(et_ruleset *rs);
void et_index_free(et_ruleset *rs);
/* Buckets that can hold candidates for an event: exact pair, channel-only, provider-only, any. */
size_t et_index_lookup(const et_ruleset *rs, const char *channel, const char *provider,
                       const et_bucket *out[4]);
const et_cand *et_bucket_cands(const et_bucket *b, uint32_t eid, size_t *n, const et_cand **any, size_t *nany);

/* datafiles.c: the data files to parse with the rule files (real paths, each once): the YAML
 * files of the data/ and ../data/ folders of the rule files' folders, then extra. */
typedef struct et_data_files { char **paths; size_t n; } et_data_files;
void et_data_files_find(et_data_files *d, char *const *rule_files, size_t nrules, const char *const *extra, size_t nextra);
void et_data_files_free(et_data_files *d);
/* Keeps the parse of the data file at real path real; looks one up by real path (or NULL). */
void et_data_keep(et_ruleset *rs, const char *real, const ydoc_parsed *p);
const et_table *et_data_get(const et_ruleset *rs, const char *real);

/* mapping_default.c: rules/sigma-mapping.yaml built in. */
extern const char et_default_mapping_yaml[];

/* mapping.c */
typedef struct et_mapping et_mapping;
/* Builds the mapping from the parsed documents of path (and reports its syntax error, if any);
 * NULL on any error. */
et_mapping *et_mapping_build(const char *path, const ydoc_parsed *parsed, et_arena *arena, et_diag_fn diag,
                             void *ctx, int *nerr);
void et_mapping_free(et_mapping *m);
/* Variants for a rule's logsource; *known false when no entry applies. Variant field accessors
 * are filled by the compiler. Returns the number of variants. */
size_t et_mapping_variants(const et_mapping *m, const ynode *logsource, et_arena *arena,
                           et_variant **out, bool *known);
/* Top-level accessor kind for a Sigma field name (EventID, Channel, ...) or ACC_NONE. */
int et_mapping_toplevel(const et_mapping *m, const char *name);
/* Whether name is a field name the mapping knows for any logsource (unmapped-field lint). */
bool et_mapping_knows_field(const et_mapping *m, const char *name);
/* Extra conditions of a mapping entry as (field, value) pairs. */

/* value.c: compiles one detection value with its modifiers. */
typedef struct et_cctx et_cctx;   /* compile context (compile.c) */
/* Interns an EventData field name; returns its id. */
uint32_t et_intern_field(et_ruleset *rs, const char *name);

/* scanner.c: a top-level value as text (numbers into b), NULL when absent. */
const char *et_top_string(const et_event *ev, int kind, char b[40]);

/* strmatch.c */
bool et_glob_match(const char *pat, size_t plen, const char *s, size_t slen);
const char *et_memmem(const char *h, size_t hl, const char *n, size_t nl);
bool et_parse_cidr(const char *s, uint8_t ip[16], uint8_t *family, uint8_t *bits);
bool et_ip_in_cidr(const char *s, const uint8_t ip[16], uint8_t family, uint8_t bits);
bool et_parse_number(const char *s, double *out);
void et_lower_ascii(char *s, size_t n);

#endif
