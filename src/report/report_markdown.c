/* report_markdown.c: the report as Markdown: summary, ranked findings (symptoms nested under their
 * root cause), remediation as PowerShell code blocks, evidence tables, gaps, inputs. */
#include "report/report.h"
#include "core/termtext.h"
#include "core/outbuf.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 3

/* Appends one valid UTF-8 character (U+FFFD for bad bytes, a space for a C1 control, which
 * some terminals read as an escape) at *p, or returns false for ASCII. */
static bool put_utf8(et_buf *b, const unsigned char **p)
{
    if (**p < 0x80) return false;
    size_t n = et_utf8_len(*p);
    if (!n) { et_buf_puts(b, "\xEF\xBF\xBD"); (*p)++; return true; }
    if (n == 2 && (*p)[0] == 0xC2 && (*p)[1] < 0xA0) { et_buf_putc(b, ' '); *p += 2; return true; }   /* C1 */
    et_buf_put(b, (const char *)*p, n);
    *p += n;
    return true;
}

/* Is the ASCII character at p (in s) read as markup? Emphasis, links, images, raw HTML, tables,
 * strikethrough, entities, math: always. GitHub's autolinks: the : of :// and the . after www.
 * Lists, headings and thematic breaks: - + = and "1." at the start of the text. A backslash
 * before any ASCII punctuation is always a literal, so escaping more is safe. */
static bool md_special(const unsigned char *s, const unsigned char *p)
{
    unsigned char c = *p;
    if (strchr("\\`*_[]<>|&~#$", c)) return true;   /* ! ( ) make an image or a link only after [ ] */
    if (c == ':' && p[1] == '/' && p[2] == '/') return true;
    if (c == '.' && p - s >= 3 && !strncasecmp((const char *)p - 3, "www", 3)) return true;
    if (p == s && strchr("-+=", c)) return true;
    if (c == '.' || c == ')') {   /* "12." or "12)" opening the text: an ordered list */
        const unsigned char *q = s;
        while (q < p && *q >= '0' && *q <= '9') q++;
        return q == p && p > s;
    }
    return false;
}

/* Untrusted text inline (also table cells): one line, every markup character escaped. This is
 * the one escaper of text that came from an input; md_prose uses it outside code spans. (An
 * e-mail address still shows as a mailto: link in GitHub's renderer, whatever is escaped.) */
static void md_text(et_buf *b, const char *s)
{
    const unsigned char *start = (const unsigned char *)(s ? s : ""), *p = start;
    while (*p) {
        if (put_utf8(b, &p)) continue;
        if (*p < 0x20 || *p == 0x7F) { et_buf_putc(b, ' '); p++; continue; }
        if (md_special(start, p)) et_buf_putc(b, '\\');
        et_buf_putc(b, (char)*p++);
    }
}

/* A code span holding s[0..n) literally: fenced by more backticks than any run inside it. */
static void md_code_span(et_buf *b, const char *s, size_t n)
{
    size_t fence = 1;
    for (size_t i = 0; i < n;) {
        size_t run = 0;
        while (i + run < n && s[i + run] == '`') run++;
        if (run >= fence) fence = run + 1;
        i += run ? run : 1;
    }
    for (size_t i = 0; i < fence; i++) et_buf_putc(b, '`');
    if (n && (s[0] == '`' || s[n - 1] == '`' || s[0] == ' ')) et_buf_putc(b, ' ');
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        if (*p >= 0x80) {
            size_t k = et_utf8_len(p);
            if (!k || p + k > end) { et_buf_puts(b, "\xEF\xBF\xBD"); p++; continue; }
            et_buf_put(b, (const char *)p, k);
            p += k;
            continue;
        }
        et_buf_putc(b, *p < 0x20 || *p == 0x7F ? ' ' : (char)*p);
        p++;
    }
    if (n && (s[0] == '`' || s[n - 1] == '`' || s[0] == ' ')) et_buf_putc(b, ' ');
    for (size_t i = 0; i < fence; i++) et_buf_putc(b, '`');
}

/* Rule-written prose, its values filled in: `code spans` the rule wrote stay code spans (a value
 * cannot open or close one: template.c); everything else is escaped as md_text does. */
static void md_prose(et_buf *b, const char *s)
{
    const char *p = s ? s : "";
    while (*p) {
        size_t run = strcspn(p, "`");
        char *part = strndup(p, run);
        if (!part) abort();
        md_text(b, part);
        free(part);
        p += run;
        if (!*p) break;
        const char *end = strchr(p + 1, '`');
        if (!end) { md_text(b, p); break; }
        md_code_span(b, p + 1, (size_t)(end - p - 1));
        p = end + 1;
    }
}

/* A fenced block of language lang holding cmds, indented by indent spaces: the fence is longer
 * than any run of backticks inside, so nothing in the commands can close it. */
static void md_code(et_buf *b, const char *lang, char **cmds, size_t n, int indent)
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
    et_buf_printf(b, "%s\n", lang);
    for (size_t i = 0; i < n; i++) {
        et_buf_printf(b, "%*s", indent, "");
        const unsigned char *p = (const unsigned char *)cmds[i];
        while (*p) {
            if (put_utf8(b, &p)) continue;
            et_buf_putc(b, *p < 0x20 || *p == 0x7F ? ' ' : (char)*p);
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

/* A reference the rule gives as a plain web address: an autolink <https://...>. */
static bool md_url(const char *s)
{
    return (!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7)) && !strpbrk(s, " <>`\"'\\") &&
           !strpbrk(s, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f");
}

static void md_list(et_buf *b, const char *label, char **v, size_t n)
{
    if (!n) return;
    et_buf_printf(b, "\n**%s:**\n\n", label);
    for (size_t i = 0; i < n; i++) {
        et_buf_puts(b, "- ");
        if (v[i] && md_url(v[i])) et_buf_printf(b, "<%s>", v[i]);
        else md_prose(b, v[i]);
        et_buf_putc(b, '\n');
    }
}

/* A step: its text; where it runs; its commands in a fenced block of its shell when they can be
 * pasted as written, else as code spans under a line saying why (never a block to copy). */
static void md_step(et_buf *b, const et_step *st, size_t n, int indent)
{
    et_buf_printf(b, "%zu. ", n);
    et_buf where = {0};
    et_report_step_where(st, &where);
    if (st->text) md_prose(b, st->text);
    if (st->ncommands) {
        et_buf_puts(b, st->text ? " *(" : "*(");
        md_text(b, where.data);
        et_buf_puts(b, ")*");
    }
    et_buf_putc(b, '\n');
    et_buf_free(&where);
    if (!st->ncommands) return;
    if (st->runnable) {
        md_code(b, et_report_shell_fence(st->shell), st->commands, st->ncommands, indent);
        return;
    }
    et_buf_printf(b, "\n%*sNot to paste as written: ", indent, "");
    md_text(b, st->why);
    et_buf_puts(b, "\n");
    for (size_t k = 0; k < st->ncommands; k++) {
        et_buf_printf(b, "\n%*s", indent, "");
        md_code_span(b, st->commands[k], strlen(st->commands[k]));
        et_buf_puts(b, "\n");
    }
}

static void md_remediation(et_buf *b, const et_finding *f)
{
    if (!f->nremediation) return;
    et_buf_puts(b, "\n**Remediation:**\n\n");
    for (size_t i = 0; i < f->nremediation; i++) {
        const et_step *st = &f->remediation[i];
        md_step(b, st, i + 1, i + 1 >= 10 ? 4 : 3);
        if (st->ncommands && i + 1 < f->nremediation) et_buf_putc(b, '\n');
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

/* Under a gap that names a log: the command that exports it on its host. */
static void md_collect(et_buf *b, const et_gap *g)
{
    et_buf cmd = {0};
    char host[16];
    if (et_report_collect_command(g, &cmd, host)) {
        et_buf_puts(b, host[0] ? "\n  To collect it, on " : "\n  To collect it, on that host");
        md_text(b, host);
        et_buf_puts(b, " (Windows PowerShell 5.1):\n");
        char *one = cmd.data;
        md_code(b, "powershell", &one, 1, 2);
        et_buf_putc(b, '\n');
    }
    et_buf_free(&cmd);
}

/* Every log the gaps name, in one script for the customer to run on each host. */
static void md_collect_script(et_buf *b, const et_report *r)
{
    et_buf script = {0};
    if (et_report_collect_script(r, &script)) {
        et_buf_puts(b, "## Logs to collect next\n\nOne Windows PowerShell 5.1 script for every log above that the upload "
                       "lacks; run it elevated on each host it names, and send back the zip it writes.\n");
        char **lines = NULL;
        size_t n = 0;
        for (char *p = script.data; *p;) {   /* md_code takes the lines one by one */
            char *nl = strchr(p, '\n');
            if (nl) *nl = 0;
            lines = realloc(lines, (n + 1) * sizeof *lines);
            if (!lines) abort();
            lines[n++] = p;
            if (!nl) break;
            p = nl + 1;
        }
        md_code(b, "powershell", lines, n, 0);
        free(lines);
        et_buf_putc(b, '\n');
    }
    et_buf_free(&script);
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
        md_collect(b, &r->gaps[i]);
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
    md_collect_script(&b, r);
    md_inputs(&b, r, f, &rc);
    if (et_buf_flush(&b, f)) rc = -1;
    et_buf_free(&b);
    return rc;
}
