/* report.h: the analysis result every renderer consumes: inputs, findings, gaps, timeline.
 * The analysis fills it; renderers (terminal, Markdown, HTML, JSON, timeline) only read it. */
#ifndef EVTRIAGE_REPORT_H
#define EVTRIAGE_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/outbuf.h"

typedef enum et_severity {
    ET_SEV_INFO = 0, ET_SEV_LOW, ET_SEV_MEDIUM, ET_SEV_HIGH, ET_SEV_CRITICAL
} et_severity;

const char *et_severity_name(et_severity s);          /* "info" ... "critical" */
int et_severity_parse(const char *s, et_severity *out); /* 0 or -1; accepts Sigma's "informational" */

/* One log stream of an input: the records of one channel of one host. Two inputs' streams
 * hold the same records (a copy, overlapping exports) when their ids and times overlap and the
 * records both hold among the samples have the same times: the samples are every record whose
 * id is a multiple of step, step doubling to keep at most ET_STREAM_SAMPLES of them. */
#define ET_STREAM_SAMPLES 8
typedef struct et_stream {
    const char *host, *channel;   /* the input's own hosts and channels entries, or "" */
    uint64_t first_id, last_id, records;
    int64_t first_time, last_time;
    uint64_t step;                /* a power of two; 0 until the first record */
    size_t nsamples;
    struct { uint64_t id; int64_t time; } samples[ET_STREAM_SAMPLES];
} et_stream;

/* One input file, as read. */
typedef struct et_input {
    char *path;
    uint64_t size;
    char sha256[65];          /* "" when the file could not be hashed */
    uint64_t records, recovered, skipped, remnants;
    int64_t first_time, last_time;  /* FILETIME; 0 when no record */
    char **hosts; size_t nhosts;        /* distinct Computer values (bounded) */
    char **channels; size_t nchannels;  /* distinct Channel values (bounded) */
    bool hosts_more, channels_more;     /* values past the bound were seen, not listed */
    uint32_t *host_hashes, *channel_hashes;  /* the inventory's look-up aid for big sets (or NULL) */
    et_stream *streams; size_t nstreams;  /* host and channel pairs (bounded) */
    size_t last_stream;                 /* index + 1 of the stream the last event went to */
    char **problems; size_t nproblems;  /* messages, bounded; nproblems_total counts all */
    size_t nproblems_total;
    bool unreadable;          /* not opened at all (not EVTX, missing...) */
} et_input;

/* An archive as received (a path, or an archive inside one): the container's own hash, beside
 * those of the EVTX files read from it (inputs named "PATH!member"). */
typedef struct et_archive {
    char *path;
    uint64_t size;
    char sha256[65];          /* "" when not hashed */
    uint64_t members;         /* entries that are not folders */
    size_t inputs;            /* inputs named PATH!...: EVTX files read (nested archives' too) */
    size_t unreadable;        /* of them: not read (refused, damaged, not EVTX after all) */
} et_archive;

/* A path passed over: given, or found in a folder or an archive, and not read as EVTX, with why
 * ("not an EVTX file (no ElfFile signature)"): the report says what it did not read, as stderr
 * does. At most ET_REPORT_MAX_SKIPPED are kept (an archive may hold millions); all are counted. */
#define ET_REPORT_MAX_SKIPPED 1000
typedef struct et_skip { char *path; char *reason; } et_skip;

/* A record that proves something. */
typedef struct et_evidence {
    char *file;
    uint64_t record_id;
    int64_t timestamp;
    char *computer;
    char *channel;
    uint32_t event_id;
    char *message;            /* one line, rendered from the rule's template; may be NULL */
    bool recovered;
} et_evidence;

typedef struct et_kv { char *key; char *value; } et_kv;

/* One remediation step, filled from the events. A step is runnable when its commands can be
 * pasted as written into its shell on its host: every value went in as a literal and its
 * condition (if any) holds on the events. Otherwise the commands are shown for reading only,
 * never as a block to copy, and why says what is missing. */
typedef struct et_step {
    char *text;                   /* prose, or NULL */
    char **commands; size_t ncommands;   /* one per line; none for a text step */
    const char *shell;            /* "powershell", "cmd", "azcli", "text" (static) */
    const char *shell_label;      /* "Windows PowerShell 5.1", ... (static) */
    char *host;                   /* where to run them, or NULL */
    char *cond;                   /* the condition in words ("the guest runs in Azure"), or NULL */
    bool runnable;
    char *why;                    /* why it is not runnable, or NULL */
} et_step;

typedef struct et_finding {
    char *id;                 /* unique within the report, e.g. "F1" */
    char *rule;               /* rule id */
    char *rule_name;          /* the rule's name (slug), or NULL */
    char *title;
    char *message;            /* filled template, may be NULL */
    et_severity severity;
    char *confidence;         /* "high" | "medium" | "low" */
    bool root_cause;          /* has a cause/remediation (rca section) */
    char *cause;
    et_kv *entities; size_t nentities;       /* host=..., vm=..., replica=..., sku=... */
    et_step *remediation; size_t nremediation; /* steps, commands filled in */
    char **references; size_t nreferences;
    char **notes; size_t nnotes;             /* caveats: unconfirmed facts, transient, ... */
    et_evidence *evidence; size_t nevidence; size_t nevidence_total;
    size_t copies;                           /* records matched again in another input, counted once */
    char **explains; size_t nexplains;       /* ids of findings this one is the root cause of */
    char *explained_by;                      /* id of the root cause explaining this one, or NULL */
    bool resolved;                           /* a later record shows the problem gone (rca.resolved_by) */
    et_evidence resolution;                  /* that record; message = what it shows */
} et_finding;

typedef struct et_gap {
    char *kind;               /* "missing-log", "time-range", "unreadable", "skipped-records", "recovered-records", "no-findings" */
    char *message;
    char *host;               /* missing-log, time-range: whose log (as the events name it), or NULL */
    char *channel;            /* missing-log, time-range: which log, or NULL */
} et_gap;



typedef struct et_timeline_entry {
    int64_t timestamp;
    char *host;
    char *channel;
    char *provider;
    uint32_t event_id;
    char *message;
    char *file;
    uint64_t record_id;
    char *rule;               /* rule that matched, NULL with --all for unmatched events */
    et_severity severity;
    bool recovered;
} et_timeline_entry;

/* The whole timeline, kept in time order with flat memory (tlstore.c): a bounded buffer spilled
 * to sorted runs in anonymous temporary files, merged when read; counts kept as entries arrive. */
typedef struct et_tl_key { char *key; size_t n; } et_tl_key;
#define ET_TL_MAX_KEYS 256   /* hosts, and rules, counted by name; entries of any other are counted together */
typedef struct et_tl_counts {
    size_t entries, by_severity[5];
    et_tl_key *hosts; size_t nhosts;     /* the first ET_TL_MAX_KEYS met; "" for entries without a host */
    et_tl_key *rules; size_t nrules;     /* matched entries only; the first ET_TL_MAX_KEYS met */
    size_t hosts_other, rules_other;     /* entries of hosts (rules) past those: counted, not named */
    uint32_t *host_slots, *rule_slots;   /* look-up aid: hash slots holding index + 1 (0: empty) */
    int64_t first_time, last_time;
} et_tl_counts;
typedef struct et_tl_store et_tl_store;
typedef int (*et_tl_fn)(const et_timeline_entry *e, void *ctx);   /* non-zero stops */
et_tl_store *et_tl_store_new(void);
et_tl_store *et_tl_store_new_sized(size_t run_entries);   /* runs of this many (0: 16,384; for tests) */
/* Takes the entry's strings (the store frees them). */
void et_tl_store_add(et_tl_store *s, const et_timeline_entry *e);
/* Every entry in time order (time, host, channel, record id, event id, file, live before
 * recovered, message: copies of a record one after the other); may be called more than once. */
int et_tl_store_each(et_tl_store *s, et_tl_fn fn, void *ctx);
/* Copies of one record (the same time, host, channel, record id and event id: the same log in
 * two inputs) are left once, under the first file by name; the counts are taken again and
 * *dropped says how many went. False when the store could not be rewritten (copies stay). */
bool et_tl_store_drop_copies(et_tl_store *s, size_t *dropped);
const et_tl_counts *et_tl_store_counts(const et_tl_store *s);
/* The counts of one more entry (what the store keeps as entries arrive), and freeing them. */
void et_tl_counts_add(et_tl_counts *c, const et_timeline_entry *t);
void et_tl_counts_clear(et_tl_counts *c);
bool et_tl_store_failed(const et_tl_store *s);   /* a temporary file could not be written */
size_t et_tl_store_runs(const et_tl_store *s);   /* runs on disk now (for tests) */
void et_tl_store_free(et_tl_store *s);
int et_tl_cmp(const et_timeline_entry *a, const et_timeline_entry *b);

typedef struct et_report {
    char *tool_version;
    char *generated_at;       /* ISO 8601 UTC */
    char *tz;                 /* display zone for rendered times (NULL: UTC) */
    size_t nrules;            /* rules loaded */
    bool unhashed;            /* --hash none: no input was hashed (sha256 stays "") */
    bool copies_counted;      /* --keep-copies (or copies could not be told): each copy of a record counts */
    size_t copies;            /* timeline entries that were copies of a record already listed */
    uint64_t events_read;
    et_input *inputs; size_t ninputs;
    et_archive *archives; size_t narchives;   /* by path */
    et_skip *skipped; size_t nskipped;        /* by path, the first ET_REPORT_MAX_SKIPPED met */
    size_t nskipped_total;                    /* all of them */
    et_finding *findings; size_t nfindings;   /* ranked: most important first */
    et_gap *gaps; size_t ngaps, gaps_cap;
    et_timeline_entry *timeline; size_t ntimeline; /* time order: the first entries, for the views */
    size_t ntimeline_dropped;                 /* entries of the whole timeline beyond them */
    et_tl_store *tlstore;                     /* the whole timeline (NULL: `timeline` is all of it) */
    char **looked_at; size_t nlooked_at;      /* what the rules looked for ("No rule fired" context) */
} et_report;

/* What to collect next (collect.c). The command that exports g's log on its host (Windows
 * PowerShell 5.1), with that host's NetBIOS name in host ("" when the logs do not name it or the
 * name is not plain: then the file is named after the host it runs on); false when g names no
 * log. The script that exports every log the gaps name, each on its host; false when none. */
bool et_report_collect_command(const et_gap *g, et_buf *out, char host[16]);
bool et_report_collect_script(const et_report *r, et_buf *out);

/* Renderers: each returns 0, or -1 on a write error. */
int et_report_write_json(const et_report *r, FILE *f);
int et_report_write_markdown(const et_report *r, FILE *f);
int et_report_write_html(const et_report *r, FILE *f);
int et_report_write_terminal(const et_report *r, FILE *f, bool colour);
/* Timeline as Timesketch CSV (datetime, timestamp_desc, message + our columns) or JSONL. */
int et_report_write_timeline_csv(const et_report *r, FILE *f);
int et_report_write_timeline_jsonl(const et_report *r, FILE *f);
/* Formats a FILETIME for display in r->tz (UTC when NULL): "2024-05-01 10:00:00.123 UTC". */
void et_report_format_time(const et_report *r, int64_t ft, char out[64]);

/* ---- helpers the renderers share (report_util.c); callers may use them too ---- */
/* True when tz is NULL, "UTC"/"Z", a fixed offset ("+02:00", "-0530", "+2") or an installed
 * IANA zone name ("Europe/Berlin"). et_report_format_time falls back to UTC otherwise. */
bool et_report_tz_valid(const char *tz);
/* "Resolved at 2025-11-18 09:41:09.682 UTC: Activated by KMS (FILE, record 40)" for a resolved
 * finding (empty otherwise), times in r->tz. Renderers escape it their way. */
void et_report_resolution_text(const et_report *r, const et_finding *f, char *out, size_t outlen);
/* The finding with this id, or NULL. */
const et_finding *et_report_find(const et_report *r, const char *id);
/* True when f is shown nested under its root cause (explained_by names a finding of r). */
bool et_report_is_nested(const et_report *r, const et_finding *f);
/* Findings per severity, indexed by et_severity. */
void et_report_severity_counts(const et_report *r, size_t counts[5]);
/* Earliest first_time and latest last_time over the inputs (then the timeline); 0 when none. */
void et_report_time_span(const et_report *r, int64_t *first, int64_t *last);
/* Distinct hosts of the inputs, timeline and evidence, in first-seen order, the first
 * ET_REPORT_MAX_HOSTS of them. *out is a malloc'd array of borrowed pointers (free() it; NULL
 * when none); returns the count. */
#define ET_REPORT_MAX_HOSTS 64
size_t et_report_hosts(const et_report *r, const char ***out);
/* Whether there are more hosts than et_report_hosts gives: more than ET_REPORT_MAX_HOSTS, or an
 * input saw more than it lists (ET_INV_MAX_HOSTS). Every report says so ("and more"). */
bool et_report_hosts_more(const et_report *r);
/* The prompt shown before a runnable command of the shell ("PS> ", "C:\\> ", "$ "), the Markdown
 * fence language ("powershell", "bat", "bash"), and where a step runs ("Windows PowerShell 5.1,
 * on HV02"; its condition when the events show it). */
const char *et_report_shell_prompt(const char *shell);
const char *et_report_shell_fence(const char *shell);
void et_report_step_where(const et_step *st, et_buf *out);
/* Frees what a step holds. */
void et_step_clear(et_step *s);
void et_report_strv_free(char **v, size_t n);
/* HTML renderer parts (report_html.c, report_svg.c). et_report_html_text appends s escaped for
 * HTML text and attribute values (invalid UTF-8 -> U+FFFD, control characters -> space). */
struct et_buf;
void et_report_html_text(struct et_buf *b, const char *s);
/* The timeline as inline SVG: <svg id="timeline"> with one <g class="lane" data-host=...> per host. */
void et_report_html_timeline(struct et_buf *b, const et_report *r);
/* "512 B", "1.5 KiB", "12.3 MiB", "2.0 GiB". */
void et_report_format_size(uint64_t n, char out[32]);
/* "228 member(s), 227 EVTX input(s) (1 unreadable)": what an archive held, for the renderers. */
void et_report_archive_counts(const et_archive *a, char *out, size_t outlen);
/* "3 path(s) passed over, not read as EVTX" (and, past the bound, which of them are listed):
 * the caption of the skipped list, for the renderers. */
void et_report_skipped_caption(const et_report *r, char *out, size_t outlen);

void et_report_free(et_report *r);
void et_finding_clear(et_finding *f);   /* frees what a finding holds */
/* Frees what one input owns and zeroes it. */
void et_input_clear(et_input *in);

#endif
