/* report_json.c: the report as one JSON document (schema "evtriage-report/1", docs/report.md). */
#include "report/report.h"
#include "core/outbuf.h"
#include "core/timeutil.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A string or null. */
static void jstr(et_buf *b, const char *s)
{
    if (s) et_buf_json_str(b, s);
    else et_buf_puts(b, "null");
}

/* "key": */
static void jkey(et_buf *b, const char *key)
{
    et_buf_json_str(b, key);
    et_buf_putc(b, ':');
}

/* ISO 8601 UTC with 7 fractional digits, or null for 0. */
static void jtime(et_buf *b, int64_t ft)
{
    if (ft <= 0) { et_buf_puts(b, "null"); return; }
    char iso[32];
    et_filetime_to_iso(ft, iso);
    et_buf_json_str(b, iso);
}

static void jstrv(et_buf *b, char *const *v, size_t n)
{
    et_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) et_buf_putc(b, ',');
        jstr(b, v[i]);
    }
    et_buf_putc(b, ']');
}

static void json_tool(et_buf *b, const et_report *r)
{
    jkey(b, "tool");
    et_buf_puts(b, "{\"name\":\"evtriage\",\"version\":");
    jstr(b, r->tool_version);
    et_buf_printf(b, ",\"rules_loaded\":%zu,\"events_read\":%" PRIu64 ",\"input_hash\":", r->nrules, r->events_read);
    jstr(b, r->unhashed ? NULL : "sha256");
    et_buf_printf(b, ",\"copies\":\"%s\",\"copies_passed_over\":%zu}", r->copies_counted ? "each" : "once",
                  r->copies);
}

static void json_input(et_buf *b, const et_input *in)
{
    et_buf_puts(b, "{\"path\":");
    jstr(b, in->path);
    et_buf_printf(b, ",\"size\":%" PRIu64 ",\"sha256\":", in->size);
    jstr(b, in->sha256[0] ? in->sha256 : NULL);
    et_buf_printf(b, ",\"records\":%" PRIu64 ",\"recovered\":%" PRIu64 ",\"skipped\":%" PRIu64
                     ",\"remnants\":%" PRIu64 ",\"first_time\":",
                  in->records, in->recovered, in->skipped, in->remnants);
    jtime(b, in->first_time);
    et_buf_puts(b, ",\"last_time\":");
    jtime(b, in->last_time);
    et_buf_puts(b, ",\"hosts\":");
    jstrv(b, in->hosts, in->nhosts);
    et_buf_printf(b, ",\"hosts_more\":%s,\"channels\":", in->hosts_more ? "true" : "false");
    jstrv(b, in->channels, in->nchannels);
    et_buf_printf(b, ",\"channels_more\":%s", in->channels_more ? "true" : "false");
    et_buf_puts(b, ",\"problems\":");
    jstrv(b, in->problems, in->nproblems);
    size_t total = in->nproblems_total > in->nproblems ? in->nproblems_total : in->nproblems;
    et_buf_printf(b, ",\"problems_total\":%zu,\"unreadable\":%s}", total, in->unreadable ? "true" : "false");
}

static void json_archive(et_buf *b, const et_archive *a)
{
    et_buf_puts(b, "{\"path\":");
    jstr(b, a->path);
    et_buf_printf(b, ",\"size\":%" PRIu64 ",\"sha256\":", a->size);
    jstr(b, a->sha256[0] ? a->sha256 : NULL);
    et_buf_printf(b, ",\"members\":%" PRIu64 ",\"inputs\":%zu,\"unreadable\":%zu}", a->members, a->inputs,
                  a->unreadable);
}

static void json_evidence(et_buf *b, const et_evidence *e)
{
    et_buf_puts(b, "{\"file\":");
    jstr(b, e->file);
    et_buf_printf(b, ",\"record_id\":%" PRIu64 ",\"timestamp\":", e->record_id);
    jtime(b, e->timestamp);
    et_buf_puts(b, ",\"computer\":");
    jstr(b, e->computer);
    et_buf_puts(b, ",\"channel\":");
    jstr(b, e->channel);
    et_buf_printf(b, ",\"event_id\":%" PRIu32 ",\"message\":", e->event_id);
    jstr(b, e->message);
    et_buf_printf(b, ",\"recovered\":%s}", e->recovered ? "true" : "false");
}

static void json_entities(et_buf *b, const et_finding *f)
{
    et_buf_putc(b, '{');
    size_t shown = 0;
    for (size_t i = 0; i < f->nentities; i++) {
        const char *k = f->entities[i].key;
        if (!k) continue;
        bool dup = false; /* JSON object keys stay unique: first value wins */
        for (size_t j = 0; j < i && !dup; j++) dup = f->entities[j].key && !strcmp(f->entities[j].key, k);
        if (dup) continue;
        if (shown++) et_buf_putc(b, ',');
        jkey(b, k);
        jstr(b, f->entities[i].value);
    }
    et_buf_putc(b, '}');
}

static void json_finding_head(et_buf *b, const et_finding *f)
{
    et_buf_puts(b, "{\"id\":");
    jstr(b, f->id);
    et_buf_puts(b, ",\"rule\":");
    jstr(b, f->rule);
    et_buf_puts(b, ",\"rule_name\":");
    jstr(b, f->rule_name);
    et_buf_puts(b, ",\"title\":");
    jstr(b, f->title);
    et_buf_puts(b, ",\"message\":");
    jstr(b, f->message);
    et_buf_printf(b, ",\"severity\":\"%s\",\"confidence\":", et_severity_name(f->severity));
    jstr(b, f->confidence);
    et_buf_printf(b, ",\"root_cause\":%s,\"entities\":", f->root_cause ? "true" : "false");
    json_entities(b, f);
    et_buf_puts(b, ",\"cause\":");
    jstr(b, f->cause);
}

/* {"text", "shell", "host", "commands", "runnable", "why", "if"}: runnable says the commands can
 * be pasted as written into that shell on that host. */
/* A gap naming a log: its host, channel and the command that collects it there. */
static void json_collect(et_buf *b, const et_gap *g)
{
    if (!g->channel) return;
    et_buf_puts(b, ",\"host\":");
    jstr(b, g->host);
    et_buf_puts(b, ",\"channel\":");
    jstr(b, g->channel);
    et_buf cmd = {0};
    char host[16];
    et_buf_puts(b, ",\"collect\":");
    jstr(b, et_report_collect_command(g, &cmd, host) ? cmd.data : NULL);
    et_buf_free(&cmd);
}

static void json_step(et_buf *b, const et_step *st)
{
    et_buf_puts(b, "{\"text\":");
    jstr(b, st->text);
    et_buf_puts(b, ",\"shell\":");
    jstr(b, st->shell);
    et_buf_puts(b, ",\"host\":");
    jstr(b, st->host);
    et_buf_puts(b, ",\"commands\":");
    jstrv(b, st->commands, st->ncommands);
    et_buf_printf(b, ",\"runnable\":%s,\"why\":", st->runnable ? "true" : "false");
    jstr(b, st->why);
    et_buf_puts(b, ",\"if\":");
    jstr(b, st->cond);
    et_buf_putc(b, '}');
}

static void json_finding(et_buf *b, const et_finding *f)
{
    json_finding_head(b, f);
    et_buf_puts(b, ",\"remediation\":[");
    for (size_t i = 0; i < f->nremediation; i++) {
        if (i) et_buf_putc(b, ',');
        json_step(b, &f->remediation[i]);
    }
    et_buf_putc(b, ']');
    et_buf_puts(b, ",\"references\":");
    jstrv(b, f->references, f->nreferences);
    et_buf_puts(b, ",\"notes\":");
    jstrv(b, f->notes, f->nnotes);
    et_buf_puts(b, ",\"evidence\":[");
    for (size_t i = 0; i < f->nevidence; i++) {
        if (i) et_buf_putc(b, ',');
        json_evidence(b, &f->evidence[i]);
    }
    size_t total = f->nevidence_total > f->nevidence ? f->nevidence_total : f->nevidence;
    et_buf_printf(b, "],\"evidence_total\":%zu,\"copies\":%zu,\"explains\":", total, f->copies);
    jstrv(b, f->explains, f->nexplains);
    et_buf_puts(b, ",\"explained_by\":");
    jstr(b, f->explained_by);
    et_buf_puts(b, ",\"resolved\":");
    if (f->resolved) json_evidence(b, &f->resolution);
    else et_buf_puts(b, "null");
    et_buf_putc(b, '}');
}

static void json_counts(et_buf *b, const size_t c[5])
{
    et_buf_putc(b, '{');
    for (int s = ET_SEV_CRITICAL; s >= ET_SEV_INFO; s--)
        et_buf_printf(b, "\"%s\":%zu%s", et_severity_name((et_severity)s), c[s], s ? "," : "");
    et_buf_putc(b, '}');
}

static void json_summary(et_buf *b, const et_report *r)
{
    size_t c[5], roots = 0;
    et_report_severity_counts(r, c);
    for (size_t i = 0; i < r->nfindings; i++) roots += r->findings[i].root_cause;
    et_buf_printf(b, ",\n\"summary\":{\"findings\":%zu,\"root_causes\":%zu,\"by_severity\":", r->nfindings, roots);
    json_counts(b, c);
    const char **hosts;
    size_t nh = et_report_hosts(r, &hosts);
    et_buf_puts(b, ",\"hosts\":[");
    for (size_t i = 0; i < nh; i++) {
        if (i) et_buf_putc(b, ',');
        jstr(b, hosts[i]);
    }
    free(hosts);
    int64_t first, last;
    et_report_time_span(r, &first, &last);
    et_buf_printf(b, "],\"hosts_more\":%s,\"first_time\":", et_report_hosts_more(r) ? "true" : "false");
    jtime(b, first);
    et_buf_puts(b, ",\"last_time\":");
    jtime(b, last);
    et_buf_putc(b, '}');
}

static int cmp_key(const void *a, const void *b) { return strcmp(((const et_tl_key *)a)->key, ((const et_tl_key *)b)->key); }

/* Keys in name order: the counts arrive in input order, which must not show. */
static void json_keys(et_buf *b, const char *name, const et_tl_key *keys, size_t n)
{
    et_tl_key *k = malloc((n ? n : 1) * sizeof *k);
    if (!k) abort();
    if (n) memcpy(k, keys, n * sizeof *k);
    if (n > 1) qsort(k, n, sizeof *k, cmp_key);
    et_buf_putc(b, ',');
    jkey(b, name);
    et_buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) et_buf_putc(b, ',');
        jkey(b, k[i].key);
        et_buf_printf(b, "%zu", k[i].n);
    }
    et_buf_putc(b, '}');
    free(k);
}

/* The timeline's counts: keys by name, and the entries of those past ET_TL_MAX_KEYS. */
static void json_tl_counts(et_buf *b, const et_tl_counts *c, size_t dropped)
{
    et_buf_printf(b, ",\n\"timeline_summary\":{\"entries\":%zu,\"dropped\":%zu,\"first_time\":", c->entries, dropped);
    jtime(b, c->entries ? c->first_time : 0);
    et_buf_puts(b, ",\"last_time\":");
    jtime(b, c->entries ? c->last_time : 0);
    et_buf_puts(b, ",\"by_severity\":");
    json_counts(b, c->by_severity);
    json_keys(b, "by_host", c->hosts, c->nhosts);
    json_keys(b, "by_rule", c->rules, c->nrules);
    et_buf_printf(b, ",\"by_host_other\":%zu,\"by_rule_other\":%zu}", c->hosts_other, c->rules_other);
}

/* The whole timeline's counts, kept by its store as entries arrived (else counted here over
 * the report's own timeline, the same way). */
static void json_timeline_summary(et_buf *b, const et_report *r)
{
    if (r->tlstore) {
        json_tl_counts(b, et_tl_store_counts(r->tlstore), et_tl_store_failed(r->tlstore) ? 1 : 0);
        return;
    }
    et_tl_counts c = {0};
    for (size_t i = 0; i < r->ntimeline; i++) et_tl_counts_add(&c, &r->timeline[i]);
    json_tl_counts(b, &c, r->ntimeline_dropped);
    et_tl_counts_clear(&c);
}

static int json_lists(et_buf *b, const et_report *r, FILE *f)
{
    int rc = 0;
    et_buf_puts(b, ",\n\"inputs\":[");
    for (size_t i = 0; i < r->ninputs; i++) {
        if (i) et_buf_putc(b, ',');
        et_buf_puts(b, "\n  ");
        json_input(b, &r->inputs[i]);
        et_buf_spill(b, f, &rc);
    }
    et_buf_puts(b, "],\n\"archives\":[");
    for (size_t i = 0; i < r->narchives; i++) {
        if (i) et_buf_putc(b, ',');
        et_buf_puts(b, "\n  ");
        json_archive(b, &r->archives[i]);
        et_buf_spill(b, f, &rc);
    }
    et_buf_printf(b, "],\n\"skipped_total\":%zu,\"skipped\":[", r->nskipped_total);
    for (size_t i = 0; i < r->nskipped; i++) {
        et_buf_puts(b, i ? ",\n  {\"path\":" : "\n  {\"path\":");
        jstr(b, r->skipped[i].path);
        et_buf_puts(b, ",\"reason\":");
        jstr(b, r->skipped[i].reason);
        et_buf_putc(b, '}');
        et_buf_spill(b, f, &rc);
    }
    et_buf_puts(b, "],\n\"findings\":[");
    for (size_t i = 0; i < r->nfindings; i++) {
        if (i) et_buf_putc(b, ',');
        et_buf_puts(b, "\n  ");
        json_finding(b, &r->findings[i]);
        et_buf_spill(b, f, &rc);
    }
    et_buf_puts(b, "],\n\"gaps\":[");
    for (size_t i = 0; i < r->ngaps; i++) {
        et_buf_puts(b, i ? ",\n  {\"kind\":" : "\n  {\"kind\":");
        jstr(b, r->gaps[i].kind);
        et_buf_puts(b, ",\"message\":");
        jstr(b, r->gaps[i].message);
        json_collect(b, &r->gaps[i]);
        et_buf_putc(b, '}');
        et_buf_spill(b, f, &rc);
    }
    et_buf_puts(b, "],\n\"collect_script\":");
    et_buf script = {0};
    jstr(b, et_report_collect_script(r, &script) ? script.data : NULL);
    et_buf_free(&script);
    et_buf_puts(b, ",\n\"looked_at\":");
    jstrv(b, r->looked_at, r->nlooked_at);
    return rc;
}

int et_report_write_json(const et_report *r, FILE *f)
{
    et_buf b = {0};
    et_buf_puts(&b, "{\"schema\":\"evtriage-report/1\",\n");
    json_tool(&b, r);
    et_buf_puts(&b, ",\n\"generated_at\":");
    jstr(&b, r->generated_at);
    et_buf_puts(&b, ",\"display_tz\":");
    jstr(&b, r->tz ? r->tz : "UTC");
    json_summary(&b, r);
    int rc = json_lists(&b, r, f);
    json_timeline_summary(&b, r);
    et_buf_puts(&b, "}\n");
    if (et_buf_flush(&b, f)) rc = -1;
    et_buf_free(&b);
    return rc;
}
