/* report_terminal.c: the report for a support engineer's terminal: ranked findings, root cause ->
 * symptoms tree, what to run, gaps, inputs; ANSI colour on request; lines kept to 100 columns. */
#include "report/report.h"
#include "core/termtext.h"
#include "core/outbuf.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 100
#define MAX_DEPTH 3
#define MAX_EVIDENCE_SHOWN 3
#define MAX_FIX_FINDINGS 5
#define MAX_FULL_FINDINGS 20
/* A batch of thousands of inputs stays readable on a terminal: beyond these, the terminal
 * says how many more there are and where they all are (the files list everything). */
#define MAX_GAPS_PER_KIND 10
#define MAX_INPUTS_LISTED 100
#define MAX_SKIPPED_SHOWN 10
#define FILES_HAVE_ALL "--json, --report-md and --report-html list every one"

typedef struct term { et_buf *b; bool colour; } term;

static const char *const sev_colour[] = {"2", "36", "33", "1;31", "1;97;41"};

static void paint(term *t, const char *code, const char *text)
{
    if (t->colour) et_buf_printf(t->b, "\x1b[%sm%s\x1b[0m", code, text);
    else et_buf_puts(t->b, text);
}

/* Writes s word-wrapped: the first line continues at column col, later lines start at indent. */
static void wrap(term *t, const char *s, size_t col, size_t indent)
{
    et_buf c = {0};
    et_term_clean(&c, s);
    const char *p = c.data ? c.data : "";
    bool first = true;
    while (*p) {
        while (*p == ' ') p++;
        size_t wlen = strcspn(p, " ");
        if (!wlen) break;
        size_t wcols = et_term_columns(p, wlen);
        if (!first && col + 1 + wcols > WIDTH) {
            et_buf_printf(t->b, "\n%*s", (int)indent, "");
            col = indent;
        } else if (!first) {
            et_buf_putc(t->b, ' ');
            col++;
        }
        et_buf_put(t->b, p, wlen);
        col += wcols;
        p += wlen;
        first = false;
    }
    et_buf_putc(t->b, '\n');
    et_buf_free(&c);
}

/* One line cut to fit WIDTH columns from column col. */
static void line_cut(term *t, const char *s, size_t col)
{
    et_buf c = {0};
    et_term_clean(&c, s);
    const char *p = c.data ? c.data : "";
    size_t len = strlen(p), n = et_term_head(p, len, col < WIDTH - 1 ? WIDTH - 1 - col : 0, NULL);
    et_buf_put(t->b, p, n);
    if (n < len) et_buf_puts(t->b, "\xE2\x80\xA6");
    et_buf_putc(t->b, '\n');
    et_buf_free(&c);
}

static void heading(term *t, const char *text)
{
    et_buf_putc(t->b, '\n');
    paint(t, "1;4", text);
    et_buf_putc(t->b, '\n');
}

static void t_summary(term *t, const et_report *r)
{
    size_t c[5], roots = 0;
    et_report_severity_counts(r, c);
    for (size_t i = 0; i < r->nfindings; i++) roots += r->findings[i].root_cause;
    paint(t, "1", "evtriage report");
    et_buf_printf(t->b, " · evtriage %s · times in %s\n", r->tool_version ? r->tool_version : "",
                  r->tz && et_report_tz_valid(r->tz) ? r->tz : "UTC");
    et_buf_printf(t->b, "%zu finding(s)", r->nfindings);
    const char *sep = ": ";
    for (int s = ET_SEV_CRITICAL; s >= ET_SEV_INFO; s--)
        if (c[s]) { et_buf_printf(t->b, "%s%zu %s", sep, c[s], et_severity_name((et_severity)s)); sep = ", "; }
    et_buf_printf(t->b, " · %zu root cause(s)\n", roots);
    int64_t first, last;
    char t1[64], t2[64];
    et_report_time_span(r, &first, &last);
    et_report_format_time(r, first, t1);
    et_report_format_time(r, last, t2);
    et_buf_printf(t->b, "Time range: %s -> %s\n", t1, t2);
    const char **hosts;
    size_t nh = et_report_hosts(r, &hosts);
    et_buf hl = {0};
    bool more = et_report_hosts_more(r);
    et_buf_printf(&hl, more ? "Hosts (%zu listed, and more: not all are listed):" : "Hosts (%zu):", nh);
    for (size_t i = 0; i < nh; i++) et_buf_printf(&hl, "%s %s", i ? "," : "", hosts[i]);
    if (!nh) et_buf_puts(&hl, " none seen");
    wrap(t, hl.data, 0, 2);
    et_buf_free(&hl);
    free(hosts);
    et_buf_printf(t->b, "Read %" PRIu64 " event(s) from %zu input(s) with %zu rule(s)\n", r->events_read, r->ninputs,
                  r->nrules);
}

static void sev_tag(term *t, et_severity s)
{
    char tag[16];
    const char *name = et_severity_name(s);
    size_t i = 0;
    for (; name[i] && i < 10; i++) tag[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    tag[i] = 0;
    et_buf_putc(t->b, '[');
    paint(t, sev_colour[(unsigned)s <= ET_SEV_CRITICAL ? s : 0], tag);
    et_buf_putc(t->b, ']');
}

static void t_evidence(term *t, const et_report *r, const et_finding *f, size_t ind)
{
    size_t total = f->nevidence_total > f->nevidence ? f->nevidence_total : f->nevidence;
    for (size_t i = 0; i < f->nevidence && i < MAX_EVIDENCE_SHOWN; i++) {
        const et_evidence *e = &f->evidence[i];
        char tm[64];
        et_report_format_time(r, e->timestamp, tm);
        et_buf line = {0};
        et_buf_printf(&line, "%s  %s  %s/%" PRIu32 "  #%" PRIu64 "%s", tm, e->computer ? e->computer : "-",
                      e->channel ? e->channel : "-", e->event_id, e->record_id, e->recovered ? " (recovered)" : "");
        et_buf_printf(t->b, "%*s", (int)ind, "");
        wrap(t, line.data, ind, ind + 4);
        if (e->message && *e->message) {
            et_buf_printf(t->b, "%*s", (int)ind + 4, "");
            wrap(t, e->message, ind + 4, ind + 4);
        }
        et_buf_free(&line);
    }
    if (total > MAX_EVIDENCE_SHOWN) et_buf_printf(t->b, "%*s... %zu event(s) in all\n", (int)ind, "", total);
}

static void t_finding(term *t, const et_report *r, const et_finding *f, int depth)
{
    size_t ind = (size_t)depth * 4;
    et_buf_printf(t->b, "\n%*s%s", (int)ind, "", depth ? "└─ " : "");
    sev_tag(t, f->severity);
    et_buf_putc(t->b, ' ');
    et_buf line = {0};
    et_buf_printf(&line, "%s %s", f->id ? f->id : "?", f->title ? f->title : f->rule ? f->rule : "");
    if (f->root_cause) et_buf_puts(&line, " [root cause]");
    if (f->resolved) {
        char when[64];
        et_report_format_time(r, f->resolution.timestamp, when);
        et_buf_printf(&line, " [resolved %s]", when);
    }
    size_t col = ind + (depth ? 3 : 0) + strlen(et_severity_name(f->severity)) + 3;
    size_t body = ind + (depth ? 3 : 0) + 2;
    wrap(t, line.data, col, body);
    line.len = 0;
    et_buf_printf(&line, "rule %s · confidence %s", f->rule_name ? f->rule_name : f->rule ? f->rule : "-",
                  f->confidence ? f->confidence : "-");
    for (size_t i = 0; i < f->nentities; i++)
        et_buf_printf(&line, " · %s=%s", f->entities[i].key ? f->entities[i].key : "",
                      f->entities[i].value ? f->entities[i].value : "");
    et_buf_printf(t->b, "%*s", (int)body, "");
    wrap(t, line.data, body, body);
    et_buf_free(&line);
    if (f->message) { et_buf_printf(t->b, "%*s", (int)body, ""); wrap(t, f->message, body, body); }
    if (f->cause) { et_buf_printf(t->b, "%*scause: ", (int)body, ""); wrap(t, f->cause, body + 7, body + 7); }
    for (size_t i = 0; i < f->nnotes; i++) { et_buf_printf(t->b, "%*snote: ", (int)body, ""); wrap(t, f->notes[i], body + 6, body + 6); }
    t_evidence(t, r, f, body);
    for (size_t i = 0; i < r->nfindings && depth < MAX_DEPTH; i++) {
        const et_finding *s = &r->findings[i];
        if (s != f && s->explained_by && f->id && !strcmp(s->explained_by, f->id) && et_report_is_nested(r, s))
            t_finding(t, r, s, depth + 1);
    }
}

/* One line for a finding past the first MAX_FULL_FINDINGS. */
static void t_brief(term *t, const et_finding *f)
{
    sev_tag(t, f->severity);
    et_buf line = {0};
    size_t total = f->nevidence_total > f->nevidence ? f->nevidence_total : f->nevidence;
    et_buf_printf(&line, " %s %s · %zu event(s)", f->id ? f->id : "?", f->title ? f->title : f->rule ? f->rule : "",
                  total);
    if (f->nentities && f->entities[0].value) et_buf_printf(&line, " · %s", f->entities[0].value);
    if (f->nexplains) et_buf_printf(&line, " · explains %zu", f->nexplains);
    line_cut(t, line.data, strlen(et_severity_name(f->severity)) + 2);
    et_buf_free(&line);
}

static void t_findings(term *t, const et_report *r)
{
    heading(t, "FINDINGS (most important first; symptoms under their root cause)");
    if (!r->nfindings) et_buf_puts(t->b, "No findings.\n");
    size_t shown = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const et_finding *f = &r->findings[i];
        if (et_report_is_nested(r, f)) continue;
        if (shown++ < MAX_FULL_FINDINGS) { t_finding(t, r, f, 0); continue; }
        if (shown == MAX_FULL_FINDINGS + 1) et_buf_puts(t->b, "\nMore findings (see the Markdown/HTML report):\n");
        t_brief(t, f);
    }
}

/* One remediation step: its text, then the commands after the shell's prompt when they can be
 * pasted as written; else under a line saying why, without a prompt. */
static void t_step(term *t, const et_step *st, size_t n)
{
    et_buf_printf(t->b, "  %zu. ", n);
    et_buf head = {0};
    et_report_step_where(st, &head);
    if (st->text) wrap(t, st->text, 5, 5);
    else if (st->ncommands) wrap(t, head.data, 5, 5);
    if (st->ncommands && st->text) {
        et_buf_puts(t->b, "     ");
        et_buf line = {0};
        et_buf_printf(&line, "[%s]", head.data);
        wrap(t, line.data, 5, 6);
        et_buf_free(&line);
    }
    if (st->ncommands && !st->runnable) {
        et_buf line = {0};
        et_buf_printf(&line, "(not to paste as written: %s)", st->why ? st->why : "");
        et_buf_puts(t->b, "     ");
        wrap(t, line.data, 5, 6);
        et_buf_free(&line);
    }
    for (size_t k = 0; k < st->ncommands; k++) {
        et_buf c = {0};
        et_term_clean(&c, st->commands[k]);
        et_buf_puts(t->b, "     ");
        if (st->runnable) {
            paint(t, "32", et_report_shell_prompt(st->shell));
            paint(t, "1", c.data ? c.data : "");
        } else {
            et_buf_puts(t->b, "  ");
            et_buf_puts(t->b, c.data ? c.data : "");
        }
        et_buf_putc(t->b, '\n');
        et_buf_free(&c);
    }
    et_buf_free(&head);
}

static void t_fix(term *t, const et_finding *f)
{
    et_buf_putc(t->b, '\n');
    sev_tag(t, f->severity);
    et_buf_putc(t->b, ' ');
    et_buf line = {0};
    et_buf_printf(&line, "%s %s", f->id ? f->id : "?", f->title ? f->title : f->rule ? f->rule : "");
    wrap(t, line.data, strlen(et_severity_name(f->severity)) + 3, 2);
    et_buf_free(&line);
    for (size_t i = 0; i < f->nremediation; i++) t_step(t, &f->remediation[i], i + 1);
}

static void t_fixes(term *t, const et_report *r)
{
    size_t shown = 0;
    for (size_t i = 0; i < r->nfindings && shown < MAX_FIX_FINDINGS; i++) {
        const et_finding *f = &r->findings[i];
        if (!f->nremediation || et_report_is_nested(r, f)) continue;
        if (!shown++) heading(t, "WHAT TO DO");
        t_fix(t, f);
    }
}

static void t_bullet(term *t, const char *text)
{
    et_buf_puts(t->b, "- ");
    wrap(t, text, 2, 4);
}

/* How many gaps of each kind there are so far: kinds are few (a dozen), gaps may be thousands. */
typedef struct kind_count { const char *kind; size_t n; } kind_count;
#define MAX_KINDS 32

static size_t count_kind(kind_count *k, size_t *nk, const char *kind)
{
    for (size_t i = 0; i < *nk; i++)
        if (!strcmp(k[i].kind, kind)) return ++k[i].n;
    if (*nk == MAX_KINDS) return 1;   /* never: list it */
    k[*nk] = (kind_count){kind, 1};
    return k[(*nk)++].n;
}

/* Under a gap that names a log: the command that exports it on its host. */
static void t_collect(term *t, const et_gap *g)
{
    et_buf cmd = {0}, c = {0};
    char host[16];
    if (et_report_collect_command(g, &cmd, host)) {
        et_buf_printf(t->b, "    to collect it, on %s:\n      ", host[0] ? host : "that host");
        et_term_clean(&c, cmd.data);
        paint(t, "32", "PS> ");
        et_buf_puts(t->b, c.data);
        et_buf_putc(t->b, '\n');
    }
    et_buf_free(&cmd);
    et_buf_free(&c);
}

/* Every log the gaps name, in one script for the customer (also in the files). */
static void t_collect_script(term *t, const et_report *r)
{
    et_buf script = {0}, c = {0};
    if (et_report_collect_script(r, &script)) {
        heading(t, "LOGS TO COLLECT NEXT (Windows PowerShell 5.1, elevated, on each host it names)");
        for (char *p = script.data; *p;) {
            char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            c.len = 0;
            char *line = strndup(p, n);
            if (!line) abort();
            et_term_clean(&c, line);
            free(line);
            et_buf_puts(t->b, "  ");
            et_buf_put(t->b, c.data ? c.data : "", c.len);
            et_buf_putc(t->b, '\n');
            p += n + (nl != NULL);
        }
    }
    et_buf_free(&script);
    et_buf_free(&c);
}

static void t_gaps(term *t, const et_report *r)
{
    heading(t, "GAPS (what these logs cannot show)");
    if (!r->ngaps) et_buf_puts(t->b, "None found.\n");
    et_buf line = {0};
    kind_count kinds[MAX_KINDS];
    size_t nk = 0;
    for (size_t i = 0; i < r->ngaps; i++) {
        const char *kind = r->gaps[i].kind ? r->gaps[i].kind : "";
        if (count_kind(kinds, &nk, kind) > MAX_GAPS_PER_KIND) continue;
        line.len = 0;
        et_buf_printf(&line, "%s: %s", kind, r->gaps[i].message ? r->gaps[i].message : "");
        t_bullet(t, line.data);
        t_collect(t, &r->gaps[i]);
    }
    for (size_t i = 0; i < nk; i++) {   /* then, for each kind over the bound, how many more */
        if (kinds[i].n <= MAX_GAPS_PER_KIND) continue;
        line.len = 0;
        et_buf_printf(&line, "%s: ... and %zu more like these (%s)", kinds[i].kind, kinds[i].n - MAX_GAPS_PER_KIND,
                      FILES_HAVE_ALL);
        t_bullet(t, line.data);
    }
    et_buf_free(&line);
}

static void t_input(term *t, const et_report *r, const et_input *in)
{
    char size[32], t1[64], t2[64];
    et_report_format_size(in->size, size);
    et_report_format_time(r, in->first_time, t1);
    et_report_format_time(r, in->last_time, t2);
    et_buf line = {0};
    et_buf_printf(&line, "%s (%s): ", in->path ? in->path : "?", size);
    if (in->unreadable) et_buf_puts(&line, "UNREADABLE");
    else et_buf_printf(&line, "%" PRIu64 " record(s), %" PRIu64 " recovered, %" PRIu64 " skipped, %s -> %s", in->records,
                       in->recovered, in->skipped, t1, t2);
    for (size_t i = 0; i < in->nhosts; i++) et_buf_printf(&line, "%s%s", i ? ", " : "; hosts: ", in->hosts[i]);
    if (in->hosts_more) et_buf_puts(&line, ", and more (not listed)");
    if (in->channels_more) /* this report lists no channels; the others list the first ones */
        et_buf_printf(&line, "; more than the %zu channels the other reports list", in->nchannels);
    t_bullet(t, line.data);
    size_t total = in->nproblems_total > in->nproblems ? in->nproblems_total : in->nproblems;
    for (size_t i = 0; i < in->nproblems; i++) {
        et_buf_puts(t->b, "    ! ");
        line_cut(t, in->problems[i], 6);
    }
    if (total > in->nproblems) et_buf_printf(t->b, "    ! ... %zu problem(s) in all\n", total);
    et_buf_free(&line);
}

/* Archives as received: each with its hash (the one line that ties the report to the upload). */
static void t_archives(term *t, const et_report *r)
{
    size_t shown = r->narchives < MAX_INPUTS_LISTED ? r->narchives : MAX_INPUTS_LISTED;
    for (size_t i = 0; i < shown; i++) {
        const et_archive *a = &r->archives[i];
        char size[32], held[96];
        et_report_format_size(a->size, size);
        et_report_archive_counts(a, held, sizeof held);
        et_buf line = {0};
        et_buf_printf(&line, "archive %s (%s): %s", a->path, size, held);
        if (a->sha256[0]) et_buf_printf(&line, "; SHA-256 %s", a->sha256);
        t_bullet(t, line.data);
        et_buf_free(&line);
    }
    if (shown < r->narchives)
        et_buf_printf(t->b, "- ... %zu archive(s) in all (%s)\n", r->narchives, FILES_HAVE_ALL);
}

/* What was passed over: how many, then the first few with why. */
static void t_skipped(term *t, const et_report *r)
{
    if (!r->nskipped_total) return;
    char caption[128];
    et_report_skipped_caption(r, caption, sizeof caption);
    t_bullet(t, caption);
    et_buf line = {0};
    size_t shown = r->nskipped < MAX_SKIPPED_SHOWN ? r->nskipped : MAX_SKIPPED_SHOWN;
    for (size_t i = 0; i < shown; i++) {
        line.len = 0;
        et_buf_printf(&line, "%s: %s", r->skipped[i].path, r->skipped[i].reason);
        et_buf_puts(t->b, "    ");
        line_cut(t, line.data, 4);
    }
    if (shown < r->nskipped) et_buf_printf(t->b, "    ... --json, --report-md and --report-html list %zu\n", r->nskipped);
    et_buf_free(&line);
}

int et_report_write_terminal(const et_report *r, FILE *f, bool colour)
{
    et_buf b = {0};
    term t = {&b, colour};
    t_summary(&t, r);
    t_findings(&t, r);
    int rc = et_buf_flush(&b, f);
    t_fixes(&t, r);
    t_gaps(&t, r);
    t_collect_script(&t, r);
    heading(&t, "INPUTS");
    if (r->unhashed) et_buf_puts(t.b, "(not hashed: --hash none)\n");
    t_archives(&t, r);
    /* many inputs: those with problems (up to the bound), then how many were read cleanly */
    bool all = r->ninputs <= MAX_INPUTS_LISTED;
    size_t listed = 0, troubled = 0;
    for (size_t i = 0; i < r->ninputs; i++) {
        const et_input *in = &r->inputs[i];
        bool trouble = in->unreadable || in->nproblems_total || in->skipped;
        troubled += trouble;
        if (!all && (!trouble || listed == MAX_INPUTS_LISTED)) continue;
        t_input(&t, r, in);
        listed++;
        et_buf_spill(&b, f, &rc);
    }
    if (!all) {
        et_buf line = {0};
        et_buf_printf(&line, "... %zu input(s) in all", r->ninputs);
        if (listed < troubled) et_buf_printf(&line, "; the first %zu of the %zu with problems are listed above", listed, troubled);
        else if (listed) et_buf_printf(&line, "; the %zu with problems are listed above", listed);
        et_buf_printf(&line, ", %zu were read without problems (%s)", r->ninputs - troubled, FILES_HAVE_ALL);
        t_bullet(&t, line.data);
        et_buf_free(&line);
    }
    t_skipped(&t, r);
    if (et_buf_flush(&b, f)) rc = -1;
    et_buf_free(&b);
    return rc;
}
