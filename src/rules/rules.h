/* rules.h: the rule engine's public API: compile Sigma rules (+ evtriage extensions) once into
 * an immutable rule set, scan events with per-thread scanners, correlate matches at the end.
 * Results leave through callbacks; nothing here prints. */
#ifndef EVTRIAGE_RULES_H
#define EVTRIAGE_RULES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/event.h"
#include "core/outbuf.h"

/* ---- diagnostics ------------------------------------------------------------------------ */
typedef enum { ET_DIAG_ERROR = 0, ET_DIAG_WARNING = 1 } et_diag_level;
typedef struct et_diag {
    const char *file;
    int line, col;            /* 1-based; 0 when the problem has no position */
    et_diag_level level;
    const char *message;
} et_diag;
typedef void (*et_diag_fn)(const et_diag *d, void *ctx);

/* ---- rules ------------------------------------------------------------------------------ */
typedef enum { ET_LEVEL_INFORMATIONAL = 0, ET_LEVEL_LOW, ET_LEVEL_MEDIUM, ET_LEVEL_HIGH,
               ET_LEVEL_CRITICAL } et_level;
const char *et_level_name(et_level l);     /* "informational" ... "critical" */

typedef enum { ET_RULE_DETECTION = 0, ET_RULE_CORRELATION = 1 } et_rule_kind;
typedef enum { ET_CORR_EVENT_COUNT = 0, ET_CORR_VALUE_COUNT, ET_CORR_TEMPORAL,
               ET_CORR_TEMPORAL_ORDERED, ET_CORR_ABSENT } et_corr_type;
const char *et_corr_type_name(et_corr_type t);

typedef struct et_rule et_rule;

/* `rca.needs`: a log the finding's conclusion depends on. When the upload lacks it, the report
 * lists a gap (message) and the finding's confidence drops to `confidence`. */
typedef struct et_need {
    const char *channel;
    const char *host;           /* template: whose log ({replica}); NULL: any host */
    bool other_host;            /* from a host other than the finding's own */
    bool covering;              /* the log must also cover the finding's time range */
    const char *message;        /* template */
    const char *confidence;     /* at most this when missing ("medium", "low"), or NULL */
} et_need;

/* The shell a remediation step's command is written for. Windows PowerShell 5.1 is the default:
 * the shell Windows Server 2016-2025 ship. Azure CLI steps are written for Bash (Cloud Shell). */
typedef enum et_shell { ET_SHELL_POWERSHELL = 0, ET_SHELL_CMD, ET_SHELL_AZCLI, ET_SHELL_TEXT } et_shell;
bool et_shell_parse(const char *name, et_shell *out);   /* "powershell", "cmd", "azcli", "text" */
const char *et_shell_name(et_shell s);
const char *et_shell_label(et_shell s);                  /* "Windows PowerShell 5.1", ... */

/* `when:` of a step (and `rca.require`): the finding's value of name is one of values
 * (case-insensitive), or, with no values, is present (present = true) or absent (present =
 * false), or, with op, compares so with ref (a template filled like the finding's texts):
 * numbers and dotted versions (20348, 10.0.17763.6532) by value, part by part; eq and ne compare
 * other text case-insensitively; a missing side never holds. */
typedef enum et_when_op { ET_WHEN_IS = 0, ET_WHEN_EQ, ET_WHEN_NE, ET_WHEN_GT, ET_WHEN_GTE, ET_WHEN_LT, ET_WHEN_LTE } et_when_op;
typedef struct et_when {
    const char *name;
    const char **values; size_t nvalues;
    bool present;
    et_when_op op;            /* ET_WHEN_IS: values / present decide */
    const char *ref;          /* template, with op */
} et_when;

/* One step of `rca.remediation`: prose, a command for one shell, where it runs, and the
 * condition under which it applies. A step whose condition the events do not show, or whose
 * values cannot go into its command as literals, is shown as text, never as a command to copy. */
typedef struct et_step_tpl {
    const char *text;                 /* template (prose), or NULL */
    const char **run; size_t nrun;    /* command templates, one per line; none for a text step */
    et_shell shell;
    const char *on;                   /* template: the host to run it on, or NULL */
    const char *cond;                 /* `if:` the condition in words (template), or NULL */
    const et_when *when; size_t nwhen;   /* all must hold (none: always) */
} et_step_tpl;

/* `rca:` extension: the finding a rule stands for. Templates keep their {placeholders};
 * fill them with et_template_render(). */
typedef struct et_rca {
    const char *title, *message, *cause;
    const char *event;                      /* one record's line in the timeline (NULL: the title) */
    const char *confidence;                 /* "high" | "medium" | "low" (NULL: not given) */
    const et_step_tpl *remediation; size_t nremediation;
    const char **references; size_t nreferences;
    const char **notes; size_t nnotes;      /* caveats (templates): what is unconfirmed, ... */
    const et_rule **explains; size_t nexplains;   /* resolved rule references */
    /* A later match of one of these rules on the same host means the problem went away:
     * the finding is reported as resolved (evtriage extension). */
    const et_rule **resolved_by; size_t nresolved_by;
    /* Symptoms on other hosts are explained when their evidence lies within this many
     * FILETIME ticks of the root cause's (0: only findings sharing an entity). */
    int64_t explains_window;
    const et_need *needs; size_t nneeds;
    /* One finding per host and distinct values of these fields (a detection rule's matches
     * otherwise make one finding per host): e.g. [hr] keeps different codes apart. */
    const char **group_by; size_t ngroup_by;
    /* The finding is made only when these hold on its values (as `when:`): a conclusion that
     * needs a fact beside the matched records, e.g. the guest's build above its host's. */
    const et_when *require; size_t nrequire;
} et_rca;

struct et_rule {
    et_rule_kind kind;
    const char *id;                         /* may be NULL (Sigma: optional) */
    const char *name;                       /* may be NULL */
    const char *title;
    const char *description, *status;       /* may be NULL */
    const char *file;
    int line;                               /* where the document starts */
    et_level level;
    bool has_level;
    bool standalone;        /* its own matches are findings (false: only feeds a correlation
                               that does not `generate` it) */
    bool fact;              /* `fact: true`: its matches describe a host (version, license state)
                               for other findings' templates and the timeline; never a finding */
    bool keep_context;      /* matches are worth keeping as host context: a fact, or a rule some
                               `resolved_by` names */
    const char **tags; size_t ntags;
    const char **extract_names; size_t nextract;    /* `extract:` field names, in order */
    et_corr_type corr_type;                          /* correlations only */
    const et_rule **corr_rules; size_t ncorr_rules;  /* correlations only: referenced rules */
    const et_rca *rca;                               /* NULL when the rule has no `rca:` */
    size_t index;                                    /* position in the rule set */
    struct et_rule_impl *impl;                       /* engine-private */
};

typedef struct et_ruleset et_ruleset;

typedef struct et_rules_options {
    const char *mapping;    /* logsource/field mapping file; NULL: rules/sigma-mapping.yaml next
                               to the executable's source tree or $EVTRIAGE_MAPPING */
    bool strict;            /* warnings about unknown keys count as errors (lint --strict) */
    int jobs;               /* threads that parse rule files side by side; 0: one per core */
    const char *const *data;   /* data files the caller reads (et_ruleset_data), parsed with the */
    size_t ndata;              /* rules besides the rule folders' data/ and ../data/ files */
} et_rules_options;

/* Loads every rule file (or directory of *.yml / *.yaml, walked recursively) given. Rules with
 * errors are reported through diag and left out; the rest form the set. Returns NULL only when
 * nothing could be built at all (the mapping failed). *nerrors counts error diagnostics. */
et_ruleset *et_rules_load(char **paths, int npaths, const et_rules_options *opt, et_diag_fn diag,
                          void *ctx, int *nerrors);
void et_ruleset_free(et_ruleset *rs);
size_t et_ruleset_count(const et_ruleset *rs);
const et_rule *et_ruleset_rule(const et_ruleset *rs, size_t i);
/* A data file parsed with the rules (one named in et_rules_options.data, or a YAML file of a
 * rule folder's data/ or ../data/): its first document, or its syntax error (error, at
 * line:col; "empty" when it holds no document). False when it was not parsed with them. */
typedef struct et_rules_data { const struct ynode *root; const char *error; int line, col; } et_rules_data;
bool et_ruleset_data(const et_ruleset *rs, const char *path, et_rules_data *out);
/* By id, then by name. */
const et_rule *et_ruleset_find(const et_ruleset *rs, const char *id_or_name);
/* True when some correlation needs the matches of this rule (feed them to et_correlator_add). */
bool et_rule_feeds_correlation(const et_rule *r);

/* ---- scanning ------------------------------------------------------------------------------ */
typedef struct et_value_ref { const char *name; const char *value; } et_value_ref;

/* One detection rule matching one event. Valid during the callback only. */
typedef struct et_match {
    const et_rule *rule;
    const et_event *event;
    const et_value_ref *fields; size_t nfields;        /* fields the detection names, as found */
    const et_value_ref *extracted; size_t nextracted;  /* `extract:` results that have a value */
} et_match;
typedef void (*et_match_fn)(const et_match *m, void *ctx);

/* A scanner holds one thread's scratch space; the rule set itself is shared read-only. */
typedef struct et_scanner et_scanner;
et_scanner *et_scanner_new(const et_ruleset *rs);
void et_scanner_free(et_scanner *s);
/* Tries ev against the rules whose (channel, provider, event id) can match it; calls fn for each
 * rule that matches (standalone or not). Returns the number of matches. */
int et_scanner_scan(et_scanner *s, const et_event *ev, et_match_fn fn, void *ctx);
/* A rule whose regular expression gave up on events (PCRE2's match limit: the expression
 * backtracks without end on them). Its matches on those events are read as no match, so the
 * run is incomplete there and should say so: once per input file, with the first record. */
typedef struct et_giveup {
    const et_rule *rule;
    uint64_t events;           /* events it gave up on */
    uint64_t first_record;     /* the first of them (in the order the scanner saw them) */
    uint32_t last_gen;         /* scanner-private */
} et_giveup;
/* Appends the scanner's give-ups since the last call to list (merged by rule: events summed,
 * the first record kept from the earliest call) and forgets them. */
void et_scanner_take_giveups(et_scanner *s, et_giveup **list, size_t *n, size_t *cap);
/* "rule 'ID' (FILE:LINE): its regular expression gave up on N event(s) (first: record R) ..."
 * (ET_GIVEUP_MESSAGE_MAX bytes hold it whatever the rule's path). */
void et_giveup_message(const et_giveup *g, char *buf, size_t len);
#define ET_GIVEUP_MESSAGE_MAX 8704
/* Value of a field as the rule sees it: `extract:` name, Sigma field (through the logsource's
 * field mapping) or top-level value (EventID, Computer, ...). NULL when absent. Callback-only. */
const char *et_match_value(const et_match *m, const char *name);

/* ---- correlation --------------------------------------------------------------------------- */
/* An event kept as evidence of a correlation (strings owned by the correlator). */
typedef struct et_evref {
    const et_rule *rule;                 /* detection rule that matched it (or correlation) */
    const char *file, *computer, *channel;
    uint64_t record_id;
    int64_t timestamp;
    uint32_t event_id;
    const et_value_ref *values; size_t nvalues;   /* matched + extracted fields */
} et_evref;

typedef struct et_corr_hit {
    const et_rule *rule;
    int64_t first_time, last_time;
    const et_value_ref *group; size_t ngroup;     /* group-by values */
    uint64_t count;         /* events / distinct values / rule types, by correlation type */
    const et_evref *events; size_t nevents;       /* evidence, in time order (bounded) */
    size_t nevents_total;
} et_corr_hit;
typedef void (*et_hit_fn)(const et_corr_hit *h, void *ctx);

typedef struct et_correlator et_correlator;
/* cap: matches held in memory before they spill, sorted, to a temporary file (0: 32,768 or
 * 16 MiB). Evaluation keeps only what open windows hold. */
et_correlator *et_correlator_new(const et_ruleset *rs, size_t cap);
void et_correlator_free(et_correlator *c);
/* Keeps a copy of what the correlations need from m (no-op for rules no correlation uses). */
void et_correlator_add(et_correlator *c, const et_match *m);
/* Tells the correlator an event of this time was read (the end of the input bounds `absent`). */
void et_correlator_observe(et_correlator *c, const et_event *ev);
/* keep: each copy of a record (the same host, channel, record id and time in two inputs, or
 * twice in one) counts; by default a record counts once, under the first input by name. */
void et_correlator_keep_copies(et_correlator *c, bool keep);
/* Events before start were passed over on purpose (hunt --from): an `absent` whose answer may
 * lie before it (its time less the skew before start) is undecided, as one whose wait runs past
 * the end of the input. Default: no start. */
void et_correlator_set_start(et_correlator *c, int64_t start);
/* Copies the last et_correlator_finish passed over. */
size_t et_correlator_copies(const et_correlator *c);
/* Moves everything src holds into dst (one correlator per thread, merged at the end). */
void et_correlator_merge(et_correlator *dst, et_correlator *src);
/* Streams what was kept in time order through every correlation's windows; calls fn per hit
 * (in the order windows close). Results do not depend on the order events were added.
 * Returns the number of hits. */
size_t et_correlator_finish(et_correlator *c, et_hit_fn fn, void *ctx);
/* Matches lost because a temporary file could not be written (0 normally). */
size_t et_correlator_dropped(const et_correlator *c);
/* Matches a correlation's windows let go unevaluated because they held more than 100,000 at
 * once (0 normally; its hits may then be undercounted). Known after finish. */
size_t et_correlator_overflowed(const et_correlator *c);
/* The two above as sentences for warnings and report gaps ("3 match(es) could not be spilled
 * ..."): fn once per kind that happened; lost says matches are missing (a temporary file
 * failed: callers exit 1) rather than let go over the bound. After finish. */
typedef void (*et_loss_fn)(const char *sentence, bool lost, void *ctx);
void et_correlator_losses(const et_correlator *c, et_loss_fn fn, void *ctx);

/* ---- helpers for the report stage ---------------------------------------------------------- */
/* Looks a placeholder up: returns its value or NULL (absent; an empty value counts as absent). */
typedef const char *(*et_lookup_fn)(const char *name, void *ctx);
/* What a rendering could not fill: names (", "-separated, each once) of placeholders whose value
 * the events lack (missing) and of those whose value could not be put where it stands (refused),
 * with why (the first reason). Either list may be NULL when not wanted. */
typedef struct et_tpl_gaps { et_buf *missing, *refused; char why[160]; } et_tpl_gaps;
/* Adds each name of the ", "-separated names to list, unless it is there already. */
void et_names_add(et_buf *list, const char *names);
/* Appends the prose template tmpl with every {name} replaced; {{ and }} stand for literal braces.
 * Values come from events, anyone's text: in prose a value's backtick becomes ' and control
 * characters become spaces (a value cannot open a code span or break a line); inside a `code
 * span` a value is put only when plain (letters, digits, spaces, . _ - : \ /  @), as a reader may
 * copy what a code span holds. A placeholder that is not filled shows as
 * <name>. [[ ... ]] is an optional clause: left out whole when a placeholder in it is not filled.
 * Returns how many placeholders were not filled (outside optional clauses). */
size_t et_template_render(et_buf *out, const char *tmpl, et_lookup_fn lookup, void *ctx, et_tpl_gaps *gaps);
/* Appends the command template tmpl for shell sh with every value put as one literal token of
 * that shell (PowerShell 5.1: bare when plain, else '...' with quotes doubled; cmd: "..."; Bash:
 * '...'), never as code: a value that cannot be one literal there (a line break or other control
 * character, a double quote PowerShell 5.1 would pass on unescaped, a leading - or / read as an
 * option, shell characters inside "...") is refused. Returns true when every placeholder outside
 * optional clauses was filled: the command can be run as written. Otherwise the unfilled ones
 * show as <name> and the command is for reading only. */
bool et_command_render(et_buf *out, const char *tmpl, et_shell sh, et_lookup_fn lookup, void *ctx, et_tpl_gaps *gaps);
/* Checks a command template for its shell as a rule is compiled: balanced quotes; PowerShell 5.1:
 * no && or || (PowerShell 7 only), no %VAR% (cmd's), no {placeholder} inside "..." (put it in
 * '...'); cmd: no $env:; every shell: no <word> (read as a redirection: write a {placeholder}
 * or make the step text). Returns NULL, or the problem, with its byte offset in *at. */
const char *et_command_lint(const char *tmpl, et_shell sh, size_t *at);
/* Does the prose look like a command to run (a cmdlet Verb-Noun, or a console tool and its
 * arguments)? Lint's hint that a text step's `code span` wants to be a `run:`. */
bool et_looks_like_command(const char *s, size_t n);
/* Placeholder value from a correlation hit: its group-by values, then the first evidence event
 * that has the name among its values, then "count", "first_time", "last_time", "Computer" (of the
 * first event), "rule" (title). Numbers and times are written into buf. NULL when none. */
const char *et_hit_value(const et_corr_hit *h, const char *name, char buf[64]);
/* Normalizes an error code written as 0x80090303, %%2148074243, 2148074243 or -2146893053
 * (or found inside text in the first two forms) to "0x80090303" (8 upper-case hex digits).
 * Returns false when s holds no code. */
bool et_hresult_normalize(const char *s, char out[11]);

/* ---- rule tests (`tests:` extension) ------------------------------------------------------- */
typedef struct et_test_result {
    const et_rule *rule;        /* rule carrying the test */
    const char *name;           /* test name ("test N" when unnamed) */
    const char *file; int line;
    bool passed;
    const char *message;        /* why it failed (NULL when passed) */
} et_test_result;
typedef void (*et_test_fn)(const et_test_result *r, void *ctx);
/* A test may give `scenario: FILE` (the synth format, relative to the rule file) instead of
 * events: the caller turns it into events (written as EVTX and read back, so rules are proved
 * on real bytes) and hands each to each_fn. Returns 0, or -1 with a message in err. */
typedef void (*et_event_each_fn)(const et_event *ev, void *each_ctx);
typedef int (*et_scenario_fn)(const char *path, et_event_each_fn each_fn, void *each_ctx, void *ctx,
                              char *err, size_t errlen);
/* Runs every test of every rule against the whole set; returns the number of failures.
 * scenario: NULL makes scenario tests fail with "no scenario runner". */
int et_rules_run_tests(const et_ruleset *rs, et_test_fn fn, void *ctx, size_t *ntests,
                       et_scenario_fn scenario, void *scenario_ctx);

#endif
