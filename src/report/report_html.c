/* report_html.c: the report as one self-contained HTML page (inline CSS, a tiny copy-button script,
 * inline SVG timeline; nothing loaded from the network). */
#include "report/report.h"
#include "core/termtext.h"
#include "core/outbuf.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 3

static const char css[] =
    ":root{--fg:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;--accent:#2f5d8a;"
    "--critical:#9b1c1c;--high:#d9480f;--medium:#e0a800;--low:#2b6cb0;--info:#7b8794}\n"
    "*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);"
    "font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "header.top{background:#243b53;color:#fff;padding:18px 32px}header.top h1{margin:0;font-size:22px}"
    "header.top p{margin:4px 0 0;color:#bcccdc}\n"
    "nav{background:#334e68;padding:6px 32px}nav a{color:#d9e2ec;margin-right:18px;text-decoration:none}"
    "nav a:hover{color:#fff}\n"
    "main{max-width:1200px;margin:0 auto;padding:8px 32px 40px}section{margin-top:28px}"
    "h2{font-size:18px;border-bottom:2px solid var(--line);padding-bottom:4px}h4{margin:14px 0 6px;font-size:13px;"
    "text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}.card{background:var(--card);border:1px solid var(--line);"
    "border-radius:6px;padding:10px 16px;flex:1 1 180px}.card .k{color:var(--muted);font-size:12px}"
    ".card .v{font-size:18px;font-weight:600}.card .small{font-size:13px;font-weight:400;white-space:nowrap}"
    ".card .list{font-size:13px;font-weight:400;max-height:7.5em;overflow-y:auto}\n"
    ".badge{display:inline-block;border-radius:4px;padding:1px 8px;color:#fff;font-size:12px;font-weight:600;"
    "text-transform:uppercase;vertical-align:middle}\n"
    ".badge.sev-critical{background:var(--critical)}.badge.sev-high{background:var(--high)}"
    ".badge.sev-medium{background:var(--medium);color:#1f2933}.badge.sev-low{background:var(--low)}"
    ".badge.sev-info{background:var(--info)}.badge.root{background:#243b53}.badge.resolved{background:#2f855a}"
    "p.resolved{color:#2f855a;font-weight:600}\n"
    "article.finding{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--info);"
    "border-radius:6px;padding:12px 18px;margin:14px 0}\n"
    "article.finding[data-severity=critical]{border-left-color:var(--critical)}"
    "article.finding[data-severity=high]{border-left-color:var(--high)}"
    "article.finding[data-severity=medium]{border-left-color:var(--medium)}"
    "article.finding[data-severity=low]{border-left-color:var(--low)}\n"
    "article.finding h3{display:inline;font-size:16px;margin:0 6px}.fid{color:var(--muted);font-size:12px}"
    ".meta{color:var(--muted);margin:4px 0}.message{font-size:15px}\n"
    ".symptoms{margin-top:12px;padding-left:14px;border-left:2px dashed var(--line)}"
    ".symptoms article.finding{background:#fbfcfe}\n"
    "dl.entities{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}"
    "dl.entities dt{color:var(--muted)}dl.entities dd{margin:0;font-family:ui-monospace,Consolas,monospace}\n"
    "code{font-family:ui-monospace,'Cascadia Mono',Consolas,monospace;font-size:12.5px;background:#eef2f7;"
    "padding:1px 4px;border-radius:3px}\n"
    ".cmd{position:relative;margin:6px 0}.cmd pre{background:#102a43;color:#e6edf3;padding:10px 70px 10px 12px;"
    "border-radius:5px;overflow-x:auto;margin:0}.cmd pre code{background:none;color:inherit;padding:0}\n"
    "button.copy{position:absolute;top:6px;right:6px;font-size:12px;padding:2px 10px;border-radius:4px;"
    "border:1px solid #627d98;background:#243b53;color:#fff;cursor:pointer}button.copy:hover{background:#334e68}\n"
    "table{border-collapse:collapse;width:100%;background:var(--card);font-size:13px}"
    "th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eef2f7}td.num{text-align:right;white-space:nowrap}td.time{white-space:nowrap}"
    "td.hash{font-family:ui-monospace,Consolas,monospace;font-size:11px;word-break:break-all;min-width:120px}\n"
    "details.evidence summary{cursor:pointer;color:var(--accent);margin:8px 0}.muted{color:var(--muted)}"
    "details.evidence{overflow-x:auto}td{overflow-wrap:anywhere}"
    ".recovered{color:var(--high);font-size:11px}\n"
    "p.not-runnable{color:var(--high);margin:4px 0}ul.gaps li{margin:4px 0}.gap-kind{display:inline-block;min-width:130px;font-weight:600}\n"
    "#timeline{width:100%;height:auto;background:var(--card);border:1px solid var(--line);border-radius:6px}"
    "#timeline .lane-bg{fill:transparent}#timeline .lane-bg.odd{fill:#3e6a9a;fill-opacity:.07}"
    "#timeline .grid{stroke:#d9e2ec;stroke-dasharray:3 3}#timeline .tick{font-size:11px;fill:#616e7c}"
    "#timeline .host{font-size:12px;fill:#1f2933;font-weight:600}#timeline .mark{opacity:.85}"
    "#timeline .mark:hover{stroke:#000;stroke-width:1;opacity:1}\n"
    ".sev-critical{fill:var(--critical)}.sev-high{fill:var(--high)}.sev-medium{fill:var(--medium)}"
    ".sev-low{fill:var(--low)}.sev-info{fill:var(--info)}\n"
    ".legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;"
    "margin-right:4px}.sw-critical{background:var(--critical)}.sw-high{background:var(--high)}"
    ".sw-medium{background:var(--medium)}.sw-low{background:var(--low)}.sw-info{background:var(--info)}\nfooter{color:var(--muted);font-size:12px;text-align:center;padding:20px}\n";

/* The page runs only this script and these styles: the Content-Security-Policy names them by
 * their SHA-256 (base64), so no other script runs, whatever text reaches the page. Regenerate
 * after editing either (test_report checks they agree):
 *   python3 -c 'import hashlib,base64,sys;print(base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())' */
#define CSS_SHA256 "eYLLKeaSashVw67kRxHnMBX/FhOMW0W2uXEetyYfdBQ="
#define SCRIPT_SHA256 "AS7XPBVt5drPkw/DNCdYv4UDjedF5uCfyXrETwxGQzw="

static const char script[] =
    "document.querySelectorAll('button.copy').forEach(function(b){b.addEventListener('click',function(){"
    "var t=b.parentNode.querySelector('code').textContent;function ok(){b.textContent='copied';"
    "setTimeout(function(){b.textContent='copy';},1500);}"
    "if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(t).then(ok);}else{"
    "var a=document.createElement('textarea');a.value=t;document.body.appendChild(a);a.select();"
    "try{document.execCommand('copy');ok();}catch(e){}document.body.removeChild(a);}});});\n";

void et_report_html_text(et_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = et_utf8_len(p);
        if (!n) { et_buf_puts(b, "\xEF\xBF\xBD"); p++; continue; }
        if (n > 1) { et_buf_put(b, (const char *)p, n); p += n; continue; }
        unsigned char c = *p++;
        switch (c) {
        case '&': et_buf_puts(b, "&amp;"); break;
        case '<': et_buf_puts(b, "&lt;"); break;
        case '>': et_buf_puts(b, "&gt;"); break;
        case '"': et_buf_puts(b, "&quot;"); break;
        case '\'': et_buf_puts(b, "&#39;"); break;
        default: et_buf_putc(b, c < 0x20 && c != '\n' && c != '\t' ? ' ' : c == 0x7F ? ' ' : (char)c);
        }
    }
}

static void esc(et_buf *b, const char *s) { et_report_html_text(b, s); }

/* Rule prose: escaped, `code` spans become <code>. */
static void prose(et_buf *b, const char *s)
{
    const char *p = s ? s : "";
    bool code = false;
    while (*p) {
        size_t run = strcspn(p, "`");
        char *part = strndup(p, run);
        if (!part) abort();
        esc(b, part);
        free(part);
        p += run;
        if (!*p) break;
        et_buf_puts(b, code ? "</code>" : "<code>");
        code = !code;
        p++;
    }
    if (code) et_buf_puts(b, "</code>");
}

static void html_head(et_buf *b, const et_report *r)
{
    et_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'sha256-" CSS_SHA256 "'; script-src 'sha256-" SCRIPT_SHA256 "'; img-src data:\">\n"
                   "<title>evtriage report</title>\n<style>");
    et_buf_puts(b, css);
    et_buf_puts(b, "</style>\n</head>\n<body>\n<header class=\"top\"><h1>evtriage report</h1><p>Generated ");
    esc(b, r->generated_at ? r->generated_at : "-");
    et_buf_puts(b, " by evtriage ");
    esc(b, r->tool_version);
    et_buf_puts(b, " · times shown in ");
    esc(b, r->tz && et_report_tz_valid(r->tz) ? r->tz : "UTC");
    et_buf_puts(b, "</p></header>\n<nav><a href=\"#summary\">Summary</a><a href=\"#findings\">Findings</a>"
                   "<a href=\"#timeline-section\">Timeline</a><a href=\"#gaps\">Gaps</a>"
                   "<a href=\"#inputs\">Inputs</a></nav>\n<main>\n");
}

static void card(et_buf *b, const char *k, const char *v_html)
{
    et_buf_printf(b, "<div class=\"card\"><div class=\"k\">%s</div><div class=\"v\">%s</div></div>\n", k, v_html);
}

static void html_summary(et_buf *b, const et_report *r)
{
    size_t c[5], roots = 0;
    et_report_severity_counts(r, c);
    for (size_t i = 0; i < r->nfindings; i++) roots += r->findings[i].root_cause;
    et_buf_puts(b, "<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">\n");
    et_buf v = {0};
    et_buf_printf(&v, "%zu ", r->nfindings);
    for (int s = ET_SEV_CRITICAL; s >= ET_SEV_INFO; s--)
        if (c[s]) et_buf_printf(&v, "<span class=\"badge sev-%s\">%zu %s</span> ", et_severity_name((et_severity)s), c[s],
                                et_severity_name((et_severity)s));
    card(b, "Findings", v.data);
    v.len = 0;
    et_buf_printf(&v, "%zu", roots);
    card(b, "Root causes", v.data);
    v.len = 0;
    const char **hosts;
    size_t nh = et_report_hosts(r, &hosts);
    bool more = et_report_hosts_more(r);
    et_buf_printf(&v, more ? "%zu+<div class=\"list\">" : "%zu<div class=\"list\">", nh);
    for (size_t i = 0; i < nh; i++) { if (i) et_buf_puts(&v, ", "); esc(&v, hosts[i]); }
    if (more) et_buf_puts(&v, ", and more (not all are listed)");
    et_buf_puts(&v, "</div>");
    free(hosts);
    card(b, "Hosts", v.data);
    int64_t first, last;
    char t1[64], t2[64];
    et_report_time_span(r, &first, &last);
    et_report_format_time(r, first, t1);
    et_report_format_time(r, last, t2);
    v.len = 0;
    et_buf_printf(&v, "<div class=\"small\">%s</div><div class=\"small\">%s</div>", t1, t2);
    card(b, "Time range", v.data);
    v.len = 0;
    et_buf_printf(&v, "%zu file(s)<div class=\"small muted\">%" PRIu64 " events · %zu rules</div>", r->ninputs,
                  r->events_read, r->nrules);
    card(b, "Inputs", v.data);
    et_buf_free(&v);
    et_buf_puts(b, "</div></section>\n");
}

/* A step: its text, where it runs, and its commands in a copyable block when they can be pasted
 * as written; otherwise inline code under a line saying why, with no copy button. */
static void html_step(et_buf *b, const et_step *st)
{
    et_buf where = {0};
    et_report_step_where(st, &where);
    et_buf_puts(b, "<li><p>");
    if (st->text) prose(b, st->text);
    if (st->ncommands) {
        et_buf_puts(b, st->text ? " <span class=\"muted\">(" : "<span class=\"muted\">(");
        esc(b, where.data);
        et_buf_puts(b, ")</span>");
    }
    et_buf_puts(b, "</p>");
    et_buf_free(&where);
    if (st->ncommands && st->runnable) {
        et_buf_printf(b, "<div class=\"cmd\"><pre><code class=\"language-%s\">", et_report_shell_fence(st->shell));
        for (size_t k = 0; k < st->ncommands; k++) {
            if (k) et_buf_putc(b, '\n');
            esc(b, st->commands[k]);
        }
        et_buf_puts(b, "</code></pre><button class=\"copy\" type=\"button\">copy</button></div>");
    } else if (st->ncommands) {
        et_buf_puts(b, "<p class=\"not-runnable\">Not to paste as written: ");
        esc(b, st->why);
        et_buf_puts(b, "</p>");
        for (size_t k = 0; k < st->ncommands; k++) {
            et_buf_puts(b, "<p><code>");
            esc(b, st->commands[k]);
            et_buf_puts(b, "</code></p>");
        }
    }
    et_buf_puts(b, "</li>\n");
}

static void html_remediation(et_buf *b, const et_finding *f)
{
    if (!f->nremediation) return;
    et_buf_puts(b, "<div class=\"remediation\"><h4>Remediation</h4><ol>\n");
    for (size_t i = 0; i < f->nremediation; i++) html_step(b, &f->remediation[i]);
    et_buf_puts(b, "</ol></div>\n");
}

static bool is_url(const char *s) { return !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7); }

static void html_list(et_buf *b, const char *cls, const char *title, char **v, size_t n)
{
    if (!n) return;
    et_buf_printf(b, "<div class=\"%s\"><h4>%s</h4><ul>\n", cls, title);
    for (size_t i = 0; i < n; i++) {
        et_buf_puts(b, "<li>");
        if (v[i] && is_url(v[i]) && !strpbrk(v[i], " \"'<>")) {
            et_buf_puts(b, "<a href=\"");
            esc(b, v[i]);
            et_buf_puts(b, "\" rel=\"noreferrer\">");
            esc(b, v[i]);
            et_buf_puts(b, "</a>");
        } else prose(b, v[i]);
        et_buf_puts(b, "</li>\n");
    }
    et_buf_puts(b, "</ul></div>\n");
}

static void html_evidence(et_buf *b, const et_report *r, const et_finding *f)
{
    if (!f->nevidence) return;
    size_t total = f->nevidence_total > f->nevidence ? f->nevidence_total : f->nevidence;
    et_buf_printf(b, "<details class=\"evidence\" open><summary>Evidence: %zu of %zu event(s)</summary>\n"
                     "<table><thead><tr><th>Time</th><th>Host</th><th>Channel</th><th>Event ID</th><th>Record ID</th>"
                     "<th>File</th><th>Message</th></tr></thead><tbody>\n", f->nevidence, total);
    for (size_t i = 0; i < f->nevidence; i++) {
        const et_evidence *e = &f->evidence[i];
        char t[64];
        et_report_format_time(r, e->timestamp, t);
        et_buf_printf(b, "<tr><td class=\"time\">%s</td><td>", t);
        esc(b, e->computer);
        et_buf_puts(b, "</td><td>");
        esc(b, e->channel);
        et_buf_printf(b, "</td><td class=\"num\">%" PRIu32 "</td><td class=\"num\">%" PRIu64 "%s</td><td>", e->event_id,
                      e->record_id, e->recovered ? " <span class=\"recovered\">recovered</span>" : "");
        esc(b, e->file);
        et_buf_puts(b, "</td><td>");
        esc(b, e->message);
        et_buf_puts(b, "</td></tr>\n");
    }
    et_buf_puts(b, "</tbody></table></details>\n");
}

static void html_finding_head(et_buf *b, const et_report *r, const et_finding *f)
{
    const char *sev = et_severity_name(f->severity);
    et_buf_puts(b, "<article class=\"finding\" id=\"finding-");
    esc(b, f->id);
    et_buf_puts(b, "\" data-id=\"");
    esc(b, f->id);
    et_buf_puts(b, "\" data-rule=\"");
    esc(b, f->rule);
    et_buf_printf(b, "\" data-severity=\"%s\">\n<header><span class=\"badge sev-%s\">%s</span>", sev, sev, sev);
    if (f->root_cause) et_buf_puts(b, " <span class=\"badge root\">root cause</span>");
    if (f->resolved) et_buf_puts(b, " <span class=\"badge resolved\">resolved</span>");
    et_buf_puts(b, "<h3>");
    esc(b, f->title ? f->title : f->rule);
    et_buf_puts(b, "</h3><span class=\"fid\">");
    esc(b, f->id);
    et_buf_puts(b, "</span></header>\n<p class=\"meta\">rule <code>");
    esc(b, f->rule_name ? f->rule_name : f->rule);
    et_buf_puts(b, "</code> · confidence ");
    esc(b, f->confidence ? f->confidence : "unknown");
    size_t total = f->nevidence_total > f->nevidence ? f->nevidence_total : f->nevidence;
    et_buf_printf(b, " · %zu event(s)</p>\n", total);
    if (f->resolved) {
        char text[1200];
        et_report_resolution_text(r, f, text, sizeof text);
        et_buf_puts(b, "<p class=\"resolved\">");
        esc(b, text);
        et_buf_puts(b, "</p>\n");
    }
    if (f->message) { et_buf_puts(b, "<p class=\"message\">"); esc(b, f->message); et_buf_puts(b, "</p>\n"); }
}

static void html_finding(et_buf *b, const et_report *r, const et_finding *f, int depth)
{
    html_finding_head(b, r, f);
    if (f->nentities) et_buf_puts(b, "<dl class=\"entities\">");
    for (size_t i = 0; i < f->nentities; i++) {
        et_buf_puts(b, "<dt>");
        esc(b, f->entities[i].key);
        et_buf_puts(b, "</dt><dd>");
        esc(b, f->entities[i].value);
        et_buf_puts(b, "</dd>");
    }
    if (f->nentities) et_buf_puts(b, "</dl>\n");
    if (f->cause) { et_buf_puts(b, "<div class=\"cause\"><h4>Cause</h4><p>"); prose(b, f->cause); et_buf_puts(b, "</p></div>\n"); }
    html_remediation(b, f);
    html_list(b, "notes", "Notes", f->notes, f->nnotes);
    html_list(b, "references", "References", f->references, f->nreferences);
    html_evidence(b, r, f);
    bool any = false;
    for (size_t i = 0; i < r->nfindings && depth < MAX_DEPTH; i++) {
        const et_finding *s = &r->findings[i];
        if (s == f || !s->explained_by || !f->id || strcmp(s->explained_by, f->id) || !et_report_is_nested(r, s))
            continue;
        if (!any) et_buf_puts(b, "<div class=\"symptoms\"><h4>Symptoms this explains</h4>\n");
        any = true;
        html_finding(b, r, s, depth + 1);
    }
    if (any) et_buf_puts(b, "</div>\n");
    et_buf_puts(b, "</article>\n");
}

static void html_findings(et_buf *b, const et_report *r)
{
    et_buf_puts(b, "<section id=\"findings\"><h2>Findings</h2>\n");
    if (!r->nfindings) et_buf_puts(b, "<p class=\"muted\">No findings.</p>\n");
    for (size_t i = 0; i < r->nfindings; i++)
        if (!et_report_is_nested(r, &r->findings[i])) html_finding(b, r, &r->findings[i], 0);
    et_buf_puts(b, "</section>\n");
}

static void html_timeline(et_buf *b, const et_report *r)
{
    et_buf_puts(b, "<section id=\"timeline-section\"><h2>Timeline</h2>\n<p class=\"legend muted\">");
    for (int s = ET_SEV_CRITICAL; s >= ET_SEV_INFO; s--)
        et_buf_printf(b, "<span><i class=\"sw-%s\"></i>%s</span>", et_severity_name((et_severity)s),
                      et_severity_name((et_severity)s));
    et_buf_printf(b, " · %zu event(s)", r->ntimeline);
    if (r->ntimeline_dropped) et_buf_printf(b, ", %zu more not kept", r->ntimeline_dropped);
    et_buf_puts(b, " · hover a mark for its message</p>\n");
    et_report_html_timeline(b, r);
    et_buf_puts(b, "</section>\n");
}

/* A block to copy: the only place a copy button goes. */
static void html_block(et_buf *b, const char *lang, const char *text)
{
    et_buf_printf(b, "<div class=\"cmd\"><pre><code class=\"language-%s\">", lang);
    esc(b, text);
    et_buf_puts(b, "</code></pre><button class=\"copy\" type=\"button\">copy</button></div>");
}

/* Under a gap that names a log: the command that exports it on its host. */
static void html_collect(et_buf *b, const et_gap *g)
{
    et_buf cmd = {0};
    char host[16];
    if (et_report_collect_command(g, &cmd, host)) {
        et_buf_puts(b, "<p class=\"muted\">To collect it, on ");
        if (host[0]) esc(b, host);
        else et_buf_puts(b, "that host");
        et_buf_puts(b, " (Windows PowerShell 5.1):</p>");
        html_block(b, "powershell", cmd.data);
    }
    et_buf_free(&cmd);
}

static void html_gaps(et_buf *b, const et_report *r, FILE *f, int *rc)
{
    et_buf_puts(b, "<section id=\"gaps\"><h2>Gaps</h2>\n");
    if (!r->ngaps) et_buf_puts(b, "<p class=\"muted\">None found.</p>\n");
    else et_buf_puts(b, "<ul class=\"gaps\">\n");
    for (size_t i = 0; i < r->ngaps; i++) {
        et_buf_puts(b, "<li class=\"gap\" data-kind=\"");
        esc(b, r->gaps[i].kind);
        et_buf_puts(b, "\"><span class=\"gap-kind\">");
        esc(b, r->gaps[i].kind);
        et_buf_puts(b, "</span> ");
        esc(b, r->gaps[i].message);
        html_collect(b, &r->gaps[i]);
        et_buf_puts(b, "</li>\n");
        et_buf_spill(b, f, rc);
    }
    if (r->ngaps) et_buf_puts(b, "</ul>\n");
    et_buf script = {0};
    if (et_report_collect_script(r, &script)) {
        et_buf_puts(b, "<h3 id=\"collect\">Logs to collect next</h3><p>One Windows PowerShell 5.1 script for every log "
                       "above that the upload lacks; run it elevated on each host it names, and send back the zip it "
                       "writes.</p>\n");
        html_block(b, "powershell", script.data);
    }
    et_buf_free(&script);
    et_buf_puts(b, "</section>\n");
}

static void joined(et_buf *b, char **v, size_t n, size_t total, const char *sep)
{
    for (size_t i = 0; i < n; i++) { if (i) et_buf_puts(b, sep); esc(b, v[i]); }
    if (total > n) et_buf_printf(b, "%s(+%zu more)", n ? sep : "", total - n);
    if (!n && !total) et_buf_puts(b, "<span class=\"muted\">–</span>");
}

static void html_input(et_buf *b, const et_report *r, const et_input *in)
{
    char size[32], t1[64], t2[64];
    et_report_format_size(in->size, size);
    et_report_format_time(r, in->first_time, t1);
    et_report_format_time(r, in->last_time, t2);
    et_buf_puts(b, "<tr><td>");
    esc(b, in->path);
    et_buf_printf(b, "</td><td class=\"num\">%s</td><td class=\"hash\">%s</td><td class=\"num\">%" PRIu64, size,
                  in->sha256[0] ? in->sha256 : "–", in->records);
    if (in->recovered || in->skipped)
        et_buf_printf(b, "<br><span class=\"muted\">%" PRIu64 " recovered, %" PRIu64 " skipped</span>", in->recovered,
                      in->skipped);
    et_buf_printf(b, "</td><td class=\"time\">%s<br>%s</td><td>", t1, t2);
    joined(b, in->hosts, in->nhosts, in->nhosts, "<br>");
    if (in->hosts_more) et_buf_puts(b, "<br>and more (not listed)");
    et_buf_puts(b, "</td><td>");
    joined(b, in->channels, in->nchannels, in->nchannels, "<br>");
    if (in->channels_more) et_buf_puts(b, "<br>and more (not listed)");
    et_buf_puts(b, "</td><td>");
    if (in->unreadable) et_buf_puts(b, "<strong>unreadable</strong><br>");
    joined(b, in->problems, in->nproblems, in->nproblems_total, "<br>");
    et_buf_puts(b, "</td></tr>\n");
}

static void html_archives(et_buf *b, const et_report *r, FILE *f, int *rc)
{
    if (!r->narchives) return;
    et_buf_puts(b, "<p>Archives, as received (their EVTX files are the inputs named <code>ARCHIVE!member</code> "
                   "below):</p>\n<table><thead><tr><th>Archive</th><th>Size</th><th>SHA-256</th><th>Held</th></tr>"
                   "</thead><tbody>\n");
    for (size_t i = 0; i < r->narchives; i++) {
        const et_archive *a = &r->archives[i];
        char size[32], held[96];
        et_report_format_size(a->size, size);
        et_report_archive_counts(a, held, sizeof held);
        et_buf_puts(b, "<tr><td>");
        esc(b, a->path);
        et_buf_printf(b, "</td><td class=\"num\">%s</td><td class=\"hash\">%s</td><td>%s</td></tr>\n", size,
                      a->sha256[0] ? a->sha256 : "–", held);
        et_buf_spill(b, f, rc);
    }
    et_buf_puts(b, "</tbody></table>\n");
}

static void html_skipped(et_buf *b, const et_report *r, FILE *f, int *rc)
{
    if (!r->nskipped_total) return;
    char caption[128];
    et_report_skipped_caption(r, caption, sizeof caption);
    et_buf_printf(b, "<details id=\"skipped\"><summary>%s</summary>\n<table><thead><tr><th>Path</th><th>Why</th>"
                     "</tr></thead><tbody>\n", caption);
    for (size_t i = 0; i < r->nskipped; i++) {
        et_buf_puts(b, "<tr><td>");
        esc(b, r->skipped[i].path);
        et_buf_puts(b, "</td><td>");
        esc(b, r->skipped[i].reason);
        et_buf_puts(b, "</td></tr>\n");
        et_buf_spill(b, f, rc);
    }
    et_buf_puts(b, "</tbody></table></details>\n");
}

static void html_inputs(et_buf *b, const et_report *r, FILE *f, int *rc)
{
    et_buf_puts(b, "<section id=\"inputs\"><h2>Inputs</h2>\n");
    if (r->unhashed) et_buf_puts(b, "<p>Not hashed (<code>--hash none</code>): the SHA-256 column is empty.</p>\n");
    html_archives(b, r, f, rc);
    et_buf_puts(b, "<table><thead><tr><th>Name</th><th>Size</th>"
                   "<th>SHA-256</th><th>Records</th><th>Time range</th><th>Hosts</th><th>Channels</th>"
                   "<th>Problems</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < r->ninputs; i++) {
        html_input(b, r, &r->inputs[i]);
        et_buf_spill(b, f, rc);
    }
    et_buf_puts(b, "</tbody></table>\n");
    html_skipped(b, r, f, rc);
    et_buf_puts(b, "</section>\n");
}

int et_report_write_html(const et_report *r, FILE *f)
{
    et_buf b = {0};
    html_head(&b, r);
    html_summary(&b, r);
    html_findings(&b, r);
    int rc = et_buf_flush(&b, f);
    html_timeline(&b, r);
    if (et_buf_flush(&b, f)) rc = -1;
    html_gaps(&b, r, f, &rc);
    html_inputs(&b, r, f, &rc);
    et_buf_puts(&b, "</main>\n<footer>evtriage ");
    esc(&b, r->tool_version);
    et_buf_puts(&b, " · self-contained report: no external resources</footer>\n<script>");
    et_buf_puts(&b, script);
    et_buf_puts(&b, "</script>\n</body>\n</html>\n");
    if (et_buf_flush(&b, f)) rc = -1;
    et_buf_free(&b);
    return rc;
}
