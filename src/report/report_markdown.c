/* report_markdown.c: the report as Markdown: summary, ranked findings (symptoms nested under their
 * root cause), remediation as PowerShell code blocks, evidence tables, gaps, inputs. */
#include "report/report.h"
#include "core/termtext.h"
#include "core/outbuf.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 3

/* Appends one valid UTF-8 character (or U+FFFD) at *p, or returns false for ASCII. */
static bool put_utf8(et_buf *b, const unsigned char **p)
{
    if (**p < 0x80) return false;
    size_t n = et_utf8_len(*p);
    if (!n) { et_buf_puts(b, "\xEF\xBF\xBD"); (*p)++; return true; }
    et_buf_put(b, (const char *)*p, n);
    *p += n;
    return true;
}

/* Untrusted text inline (also table cells): one line, Markdown and HTML punctuation escaped. */
static void md_text(et_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        if (put_utf8(b, &p)) continue;
        unsigned char c = *p++;
        if (c < 0x20 || c == 0x7F) { et_buf_putc(b, ' '); continue; }
        if (strchr("\\`*_[]<>|&~#", c)) et_buf_putc(b, '\\');
        et_buf_putc(b, (char)c);
    }
}

/* Rule-written prose (may hold `code` and **bold**): one line; raw HTML and pipes escaped
 * outside code spans. */
static void md_prose(et_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    bool code = false;
    while (*p) {
        if (put_utf8(b, &p)) continue;
        unsigned char c = *p++;
        if (c < 0x20 || c == 0x7F) { et_buf_putc(b, ' '); continue; }
        if (c == '`') code = !code;
        else if (!code && strchr("\\<>&|", c)) et_buf_putc(b, '\\');
        et_buf_putc(b, (char)c);
    }
    if (code) et_buf_putc(b, '`');
}

/* A fenced ```powershell block holding cmds, indented by indent spaces. */
static void md_code(et_buf *b, char **cmds, size_t n, int indent)
{
    size_t fence = 3;
    for (size_t i = 0; i < n; i++)
        for (const char *p = cmds[i]; *p; p++) {
            size_t run = strspn(p, "`");
            if (run >= fence) fence = run + 1;
            if (run) p += run - 1;
        }
    et_buf_printf(b, "\n%*s", indent, "");
    for (size_t i = 0; i < fence; i++) et_buf_putc(b, '`');
    et_buf_puts(b, "powershell\n");
    for (size_t i = 0; i < n; i++) {
        et_buf_printf(b, "%*s", indent, "");
        const unsigned char *p = (const unsigned char *)cmds[i];
        while (*p) {
            if (put_utf8(b, &p)) continue;
            et_buf_putc(b, *p < 0x20 ? ' ' : (char)*p);
            p++;
        }
        et_buf_putc(b, '\n');
    }
    et_buf_printf(b, "%*s", indent, "");
    for (size_t i = 0; i < fence; i++) et_buf_putc(b, '`');
    et_buf_putc(b, '\n');
}

static void md_summary(et_buf *b, const et_report *r)
{
    size_t c[5], roots = 0;
    et_report_severity_counts(r, c);
    for (size_t i = 0; i < r->nfindings; i++) roots += r->findings[i].root_cause;
    et_buf_printf(b, "## Summary\n\n| | |\n|---|---|\n| Findings | %zu", r->nfindings);
    const char *sep = ": ";
    for (int s = ET_SEV_CRITICAL; s >= ET_SEV_INFO; s--) {
        if (!c[s]) continue;
        et_buf_printf(b, s >= ET_SEV_HIGH ? "%s**%zu %s**" : "%s%zu %s", sep, c[s], et_severity_name((et_severity)s));
        sep = ", ";
    }
    et_buf_printf(b, " |\n| Root causes | %zu |\n| Hosts | ", roots);
    const char **hosts;
    size_t nh = et_report_hosts(r, &hosts);
    for (size_t i = 0; i < nh; i++) {
        if (i) et_buf_puts(b, ", ");
        md_text(b, hosts[i]);
    }
    if (et_report_hosts_more(r)) et_buf_puts(b, ", and more (not all are listed)");
    free(hosts);
    if (!nh) et_buf_puts(b, "none seen");
    int64_t first, last;
    et_report_time_span(r, &first, &last);
    char t1[64], t2[64];
    et_report_format_time(r, first, t1);
    et_report_format_time(r, last, t2);
    et_buf_printf(b, " |\n| Time range | %s – %s |\n", t1, t2);
    et_buf_printf(b, "| Inputs | %zu file(s), %" PRIu64 " event(s) read, %zu rule(s) |\n", r->ninputs, r->events_read,
                  r->nrules);
    et_buf_printf(b, "| Timeline | %zu entries", r->ntimeline);
    if (r->ntimeline_dropped) et_buf_printf(b, " (%zu more dropped)", r->ntimeline_dropped);
    et_buf_puts(b, " |\n\n");
}

static void md_list(et_buf *b, const char *label, char **v, size_t n)
{
    if (!n) return;
    et_buf_printf(b, "\n**%s:**\n\n", label);
    for (size_t i = 0; i < n; i++) {
        et_buf_puts(b, "- ");
        md_prose(b, v[i]);
        et_buf_putc(b, '\n');
    }
}

static void md_remediation(et_buf *b, const et_finding *f)
{
    if (!f->nremediation) return;
    et_buf_puts(b, "\n**Remediation:**\n\n");
    for (size_t i = 0; i < f->nremediation; i++) {
        et_buf_printf(b, "%zu. ", i + 1);
        char **cmds;
        size_t n = et_report_step_commands(f->remediation[i], &cmds);
        if (n == 1 && !strcmp(cmds[0], f->remediation[i])) et_buf_puts(b, "Run:");
        else md_prose(b, f->remediation[i]);
        et_buf_putc(b, '\n');
        if (n) md_code(b, cmds, n, i + 1 >= 10 ? 4 : 3);
        et_report_strv_free(cmds, n);
        if (n && i + 1 < f->nremediation) et_buf_putc(b, '\n');
    }
}

static void md_evidence(et_buf *b, const et_report *r, const et_finding *f)
{
    if (!f->nevidence) return;
    size_t total = f->nevidence_total > f->nevidence ? f->nevidence_total : f->nevidence;
    et_buf_printf(b, "\n**Evidence** (%zu of %zu event(s)):\n\n", f->nevidence, total);
    et_buf_puts(b, "| Time | Host | Channel | Event ID | Record ID | File | Message |\n"
                   "|---|---|---|---:|---:|---|---|\n");
    for (size_t i = 0; i < f->nevidence; i++) {
        const et_evidence *e = &f->evidence[i];
        char t[64];
        et_report_format_time(r, e->timestamp, t);
        et_buf_printf(b, "| %s | ", t);
        md_text(b, e->computer);
        et_buf_puts(b, " | ");
        md_text(b, e->channel);
        et_buf_printf(b, " | %" PRIu32 " | %" PRIu64 "%s | ", e->event_id, e->record_id, e->recovered ? " (recovered)" : "");
        md_text(b, e->file);
        et_buf_puts(b, " | ");
        md_text(b, e->message);
        et_buf_puts(b, " |\n");
    }
}

static void md_finding_head(et_buf *b, const et_report *r, const et_finding *f, int depth)
{
    int level = 3 + depth > 6 ? 6 : 3 + depth;
    et_buf_printf(b, "\n%.*s ", level, "######");
    md_text(b, f->id);
    et_buf_printf(b, " · %s · ", et_severity_name(f->severity));
    md_text(b, f->title ? f->title : f->rule);
    et_buf_puts(b, "\n\n");
    if (f->root_cause) et_buf_puts(b, "**Root cause** · ");
    else if (depth) et_buf_puts(b, "Symptom · ");
    et_buf_puts(b, "rule ");
    md_text(b, f->rule_name ? f->rule_name : f->rule);
    if (f->rule_name) { et_buf_puts(b, " ("); md_text(b, f->rule); et_buf_putc(b, ')'); }
    et_buf_puts(b, " · confidence ");
    md_text(b, f->confidence ? f->confidence : "unknown");
    et_buf_puts(b, "\n");
    if (f->resolved) {
        char text[1200];
        et_report_resolution_text(r, f, text, sizeof text);
        et_buf_puts(b, "\n**");
        md_text(b, text);
        et_buf_puts(b, "**\n");
    }
    if (f->message) {
        et_buf_puts(b, "\n");
        md_text(b, f->message);
        et_buf_putc(b, '\n');
    }
}

static void md_finding(et_buf *b, const et_report *r, const et_finding *f, int depth)
{
    md_finding_head(b, r, f, depth);
    if (f->nentities) et_buf_puts(b, "\n**Entities:**\n\n");
    for (size_t i = 0; i < f->nentities; i++) {
        et_buf_puts(b, "- ");
        md_text(b, f->entities[i].key);
        et_buf_puts(b, ": ");
        md_text(b, f->entities[i].value);
        et_buf_putc(b, '\n');
    }
    if (f->cause) {
        et_buf_puts(b, "\n**Cause:** ");
        md_prose(b, f->cause);
        et_buf_putc(b, '\n');
    }
    md_remediation(b, f);
    md_list(b, "References", f->references, f->nreferences);
    md_list(b, "Notes", f->notes, f->nnotes);
    md_evidence(b, r, f);
    bool any = false;
    for (size_t i = 0; i < r->nfindings && depth < MAX_DEPTH; i++) {
        const et_finding *s = &r->findings[i];
        if (s == f || !s->explained_by || !f->id || strcmp(s->explained_by, f->id) || !et_report_is_nested(r, s))
            continue;
        if (!any) {
            et_buf_puts(b, "\n**Symptoms explained by ");
            md_text(b, f->id);
            et_buf_puts(b, ":**\n");
        }
        any = true;
        md_finding(b, r, s, depth + 1);
    }
}

static void md_findings(et_buf *b, const et_report *r)
{
    et_buf_puts(b, "## Findings\n");
    if (!r->nfindings) et_buf_puts(b, "\nNo findings.\n");
    for (size_t i = 0; i < r->nfindings; i++)
        if (!et_report_is_nested(r, &r->findings[i])) md_finding(b, r, &r->findings[i], 0);
    et_buf_putc(b, '\n');
}

static void md_gaps(et_buf *b, const et_report *r, FILE *f, int *rc)
{
    et_buf_puts(b, "## Gaps\n\n");
    if (!r->ngaps) et_buf_puts(b, "None found.\n");
    for (size_t i = 0; i < r->ngaps; i++) {
        et_buf_puts(b, "- **");
        md_text(b, r->gaps[i].kind);
        et_buf_puts(b, "**: ");
        md_text(b, r->gaps[i].message);
        et_buf_putc(b, '\n');
        et_buf_spill(b, f, rc);
    }
    if (r->nlooked_at) et_buf_puts(b, "\nLooked for:\n\n");
    for (size_t i = 0; i < r->nlooked_at; i++) {
        et_buf_puts(b, "- ");
        md_text(b, r->looked_at[i]);
        et_buf_putc(b, '\n');
    }
    et_buf_putc(b, '\n');
}

static void md_joined(et_buf *b, char **v, size_t n, size_t total)
{
    for (size_t i = 0; i < n; i++) {
        if (i) et_buf_puts(b, "; ");
        md_text(b, v[i]);
    }
    if (total > n) et_buf_printf(b, " (+%zu more)", total - n);
    if (!n && !total) et_buf_puts(b, "–");
}

static void md_input(et_buf *b, const et_report *r, const et_input *in)
{
    char size[32], t1[64], t2[64];
    et_report_format_size(in->size, size);
    et_report_format_time(r, in->first_time, t1);
    et_report_format_time(r, in->last_time, t2);
    et_buf_puts(b, "| ");
    md_text(b, in->path);
    et_buf_printf(b, " | %s | %s | %" PRIu64, size, in->sha256[0] ? in->sha256 : "–", in->records);
    if (in->recovered || in->skipped) et_buf_printf(b, " (%" PRIu64 " recovered, %" PRIu64 " skipped)", in->recovered, in->skipped);
    et_buf_printf(b, " | %s – %s | ", t1, t2);
    md_joined(b, in->hosts, in->nhosts, in->nhosts);
    if (in->hosts_more) et_buf_puts(b, "; and more (not listed)");
    et_buf_puts(b, " | ");
    md_joined(b, in->channels, in->nchannels, in->nchannels);
    if (in->channels_more) et_buf_puts(b, "; and more (not listed)");
    et_buf_puts(b, " | ");
    if (in->unreadable) et_buf_puts(b, "**unreadable**: ");
    md_joined(b, in->problems, in->nproblems, in->nproblems_total);
    et_buf_puts(b, " |\n");
}

static void md_archives(et_buf *b, const et_report *r, FILE *f, int *rc)
{
    if (!r->narchives) return;
    et_buf_puts(b, "Archives, as received (their EVTX files are the inputs named `ARCHIVE!member` below):\n\n"
                   "| Archive | Size | SHA-256 | Held |\n|---|---:|---|---|\n");
    for (size_t i = 0; i < r->narchives; i++) {
        const et_archive *a = &r->archives[i];
        char size[32], held[96];
        et_report_format_size(a->size, size);
        et_report_archive_counts(a, held, sizeof held);
        et_buf_puts(b, "| ");
        md_text(b, a->path);
        et_buf_printf(b, " | %s | %s | %s |\n", size, a->sha256[0] ? a->sha256 : "–", held);
        et_buf_spill(b, f, rc);
    }
    et_buf_puts(b, "\n");
}

static void md_skipped(et_buf *b, const et_report *r, FILE *f, int *rc)
{
    if (!r->nskipped_total) return;
    char caption[128];
    et_report_skipped_caption(r, caption, sizeof caption);
    et_buf_printf(b, "\n%s:\n\n| Path | Why |\n|---|---|\n", caption);
    for (size_t i = 0; i < r->nskipped; i++) {
        et_buf_puts(b, "| ");
        md_text(b, r->skipped[i].path);
        et_buf_puts(b, " | ");
        md_text(b, r->skipped[i].reason);
        et_buf_puts(b, " |\n");
        et_buf_spill(b, f, rc);
    }
}

static void md_inputs(et_buf *b, const et_report *r, FILE *f, int *rc)
{
    et_buf_puts(b, "## Inputs\n\n");
    if (!r->ninputs && !r->narchives && !r->nskipped_total) { et_buf_puts(b, "None.\n"); return; }
    if (r->unhashed) et_buf_puts(b, "Not hashed (`--hash none`): the SHA-256 column is empty.\n\n");
    md_archives(b, r, f, rc);
    if (!r->ninputs) et_buf_puts(b, "No EVTX file was read.\n");
    else
        et_buf_puts(b, "| Name | Size | SHA-256 | Records | Time range | Hosts | Channels | Problems |\n"
                       "|---|---:|---|---:|---|---|---|---|\n");
    for (size_t i = 0; i < r->ninputs; i++) {
        md_input(b, r, &r->inputs[i]);
        et_buf_spill(b, f, rc);
    }
    md_skipped(b, r, f, rc);
}

int et_report_write_markdown(const et_report *r, FILE *f)
{
    et_buf b = {0};
    et_buf_puts(&b, "# evtriage report\n\nGenerated ");
    md_text(&b, r->generated_at ? r->generated_at : "-");
    et_buf_puts(&b, " by evtriage ");
    md_text(&b, r->tool_version ? r->tool_version : "");
    et_buf_puts(&b, ". Times are shown in ");
    md_text(&b, r->tz && et_report_tz_valid(r->tz) ? r->tz : "UTC");
    et_buf_puts(&b, " (the JSON report and the timeline keep UTC).\n\n");
    md_summary(&b, r);
    md_findings(&b, r);
    int rc = et_buf_flush(&b, f);
    md_gaps(&b, r, f, &rc);
    md_inputs(&b, r, f, &rc);
    if (et_buf_flush(&b, f)) rc = -1;
    et_buf_free(&b);
    return rc;
}
