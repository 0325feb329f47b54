/* fuzz_report.c: hostile event values through the reports. The input's bytes become a finding's
 * title, message, cause and step text, a value of its command, an evidence record's host and
 * message, and a gap's host; every report format is rendered, and each must hold them as text:
 * the HTML as many elements ('<') as the same report with plain values, the Markdown every
 * markup character of the title escaped and as many fenced blocks, the terminal and the JSON no
 * control character from them. */
#include "fuzz.h"
#include "report/report.h"
#include "rules/rules.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The input cut at 0xFF bytes into up to n NUL-terminated parts (missing ones empty). */
static void split(const uint8_t *data, size_t size, char **parts, size_t n)
{
    size_t start = 0, k = 0;
    for (size_t i = 0; i <= size && k < n; i++)
        if (i == size || data[i] == 0xFF) {
            parts[k] = strndup((const char *)data + start, i - start);
            if (!parts[k]) abort();
            k++;
            start = i + 1;
        }
    for (; k < n; k++) parts[k] = strdup("");
}

static char *dup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

static const char *value_of(const char *name, void *ctx)
{
    (void)name;
    return ctx;
}

/* A rule's prose template filled with v, as the findings builder fills it. */
static char *prose(const char *tmpl, const char *v)
{
    et_buf b = {0};
    et_template_render(&b, tmpl, value_of, (void *)v, NULL);
    char *s = dup(b.data);
    et_buf_free(&b);
    return s;
}

/* A report of one finding holding the parts (or "A" for each, plain). */
static et_report *build(char **p, bool plain)
{
    const char *v[6];
    for (int i = 0; i < 6; i++) v[i] = plain && *p[i] ? "A" : p[i];   /* an empty value stays empty: it shows nothing */
    et_report *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->tool_version = dup("0");
    r->nfindings = 1;
    r->findings = calloc(1, sizeof *r->findings);
    et_finding *f = &r->findings[0];
    f->id = dup("F1");
    f->rule = dup("r");
    f->title = prose("Live migration of '{v}' failed", v[0]);   /* texts come from templates */
    f->message = prose("{v}", v[1]);
    f->cause = prose("`code` and {v}", v[2]);
    f->confidence = dup("low");
    f->severity = ET_SEV_HIGH;
    f->root_cause = true;
    f->nremediation = 1;
    f->remediation = calloc(1, sizeof *f->remediation);
    et_step *st = &f->remediation[0];
    st->text = prose("On {v}, `setspn -L`", v[3]);
    st->shell = "powershell";
    st->shell_label = "Windows PowerShell 5.1";
    et_buf cmd = {0};
    st->runnable = et_command_render(&cmd, "Move-VM -Name '{vm}' -DestinationHost {dest}", ET_SHELL_POWERSHELL, value_of,
                                     (void *)v[4], NULL);
    st->commands = calloc(1, sizeof *st->commands);
    st->commands[0] = dup(cmd.data);
    st->ncommands = 1;
    et_buf_free(&cmd);
    f->nevidence = f->nevidence_total = 1;
    f->evidence = calloc(1, sizeof *f->evidence);
    f->evidence[0] = (et_evidence){dup("a.evtx"), 1, 0, dup(v[5]), dup("System"), 1, dup(v[1]), false};
    r->ngaps = 1;
    r->gaps = calloc(1, sizeof *r->gaps);
    r->gaps[0] = (et_gap){dup("missing-log"), dup(v[5]), dup(v[5]), dup("System")};
    return r;
}

/* The plain report takes the hostile one's shape: the same step runnable or not, the same gap
 * host usable in a command or not. */
static void same_shape(et_report *plain, const et_report *r)
{
    plain->findings[0].remediation[0].runnable = r->findings[0].remediation[0].runnable;
    et_buf cmd = {0};
    char host[16];
    et_report_collect_command(&r->gaps[0], &cmd, host);
    et_buf_free(&cmd);
    if (!host[0]) plain->gaps[0].host[0] = 0;
}

static char *render(int (*fn)(const et_report *, FILE *), const et_report *r)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f || fn(r, f)) abort();
    fclose(f);
    return out;
}

static int terminal(const et_report *r, FILE *f) { return et_report_write_terminal(r, f, false); }

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what)) n++;
    return n;
}

/* Fenced blocks open and close in pairs: nothing from the input opens or closes one. */
static void check_md_fences(const char *md)
{
    size_t open = 0;
    for (const char *line = md; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *q = line;
        while (q < line + len && *q == ' ') q++;
        size_t ticks = 0;
        while (q + ticks < line + len && q[ticks] == '`') ticks++;
        if (!open && ticks >= 3) open = ticks;
        else if (open && ticks >= open && q + ticks == line + len) open = 0;
        line += len + (nl != NULL);
    }
    if (open) abort();
}

/* Every character the title's Markdown could read as markup comes after a backslash. */
static void check_md_title(const char *md)
{
    const char *t = strstr(md, "### F1 · high · Live migration of '");
    if (!t) abort();
    t += strlen("### F1 · high · Live migration of '");
    for (const char *p = t; *p && *p != '\n'; p++) {
        if (*p == '\\') { if (!*++p || *p == '\n') break; continue; }
        if (strchr("`*_[]<>|&~#$", *p)) abort();
    }
}

/* No C0 control but line breaks, no DEL, no C1 control (U+0080-U+009F, which some terminals
 * read as escape sequences). */
static void check_no_controls(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *p[6];
    split(data, size, p, 6);
    et_report *r = build(p, false), *plain = build(p, true);
    same_shape(plain, r);
    char *h = render(et_report_write_html, r), *hp = render(et_report_write_html, plain);
    if (count(h, "<") != count(hp, "<")) {
        if (getenv("FUZZ_REPORT_DEBUG")) fprintf(stderr, "%s\n=====\n%s\n", h, hp);
        abort();
    }
    char *m = render(et_report_write_markdown, r), *mp = render(et_report_write_markdown, plain);
    check_md_title(m);
    check_md_fences(m);
    check_md_fences(mp);
    check_no_controls(m);
    char *t = render(terminal, r);
    check_no_controls(t);
    char *j = render(et_report_write_json, r);
    check_no_controls(j);
    free(h); free(hp); free(m); free(mp); free(t); free(j);
    et_report_free(r);
    et_report_free(plain);
    for (int i = 0; i < 6; i++) free(p[i]);
    return 0;
}
