/* test_report.c: the report renderers on a hand-built report (JSON, Markdown, HTML, terminal,
 * timeline CSV/JSONL, display times). With EVTRIAGE_REPORT_FIXTURE=PATH it also writes the sample
 * HTML to PATH (and the JSON to PATH.json) for tests/e2e/report_html_chromium.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "report/report.h"
#include "core/sha256.h"
#include "core/termtext.h"
#include "core/timeutil.h"

/* ---- building a sample report ------------------------------------------------------------- */

static char *S(const char *s) { char *p = strdup(s); assert_non_null(p); return p; }

static char **SV(size_t n, ...)
{
    char **v = calloc(n ? n : 1, sizeof *v);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) v[i] = S(va_arg(ap, const char *));
    va_end(ap);
    return v;
}

static int64_t T(const char *iso)
{
    int64_t ft = 0;
    assert_true(et_iso_to_filetime(iso, &ft));
    return ft;
}

static void sample_inputs(et_report *r)
{
    r->ninputs = 2;
    r->inputs = calloc(2, sizeof *r->inputs);
    et_input *a = &r->inputs[0], *b = &r->inputs[1];
    a->path = S("cases/HV01|System.evtx");
    a->size = 1572864;
    memset(a->sha256, 'a', 64);
    a->records = 5120; a->recovered = 3; a->skipped = 1;
    a->first_time = T("2024-05-01T09:58:00Z");
    a->last_time = T("2024-05-01T10:40:00Z");
    a->hosts = SV(1, "HV01.contoso.local"); a->nhosts = 1;
    a->channels = SV(2, "System", "Microsoft-Windows-Hyper-V-VMMS-Admin"); a->nchannels = 2;
    a->problems = SV(1, "chunk 3: bad \"CRC\" <0x1234>"); a->nproblems = 1; a->nproblems_total = 3;
    b->path = S("cases/HV02/Application.evtx");
    b->size = 69632;
    memset(b->sha256, 'b', 64);
    b->records = 800;
    b->first_time = T("2024-05-01T09:59:00Z");
    b->last_time = T("2024-05-01T10:35:00Z");
    b->hosts = SV(1, "HV02"); b->nhosts = 1;
    b->channels = SV(1, "Application"); b->nchannels = 1;
}

static void evidence(et_evidence *e, const char *host, const char *when, uint32_t id, uint64_t rec, const char *msg)
{
    e->file = S(strcmp(host, "HV02") ? "cases/HV01|System.evtx" : "cases/HV02/Application.evtx");
    e->computer = S(host);
    e->channel = S("Microsoft-Windows-Hyper-V-VMMS-Admin");
    e->timestamp = T(when);
    e->event_id = id;
    e->record_id = rec;
    e->message = msg ? S(msg) : NULL;
}

static void sample_root(et_finding *f)
{
    f->id = S("F1");
    f->rule = S("rc-hvr-spn-missing");
    f->title = S("Replica HV02 can't \"authenticate\" <Kerberos> & fails | SPN missing");
    f->message = S("Kerberos to HV02 failed for VM 'SQL01' (0x80090303)\nsecond line");
    f->severity = ET_SEV_CRITICAL;
    f->confidence = S("high");
    f->root_cause = true;
    f->cause = S("The replica's `Hyper-V Replica Service` SPN is not registered, so no ticket can be issued.");
    f->nentities = 3;
    f->entities = calloc(3, sizeof *f->entities);
    f->entities[0] = (et_kv){S("host"), S("HV01.contoso.local")};
    f->entities[1] = (et_kv){S("vm"), S("SQL01")};
    f->entities[2] = (et_kv){S("replica"), S("HV02")};
    f->nremediation = 4;
    f->remediation = calloc(4, sizeof *f->remediation);
    f->remediation[0] = (et_step){S("On HV02 list the SPNs, then let VMMS register them again"), SV(2, "setspn -L HV02",
                                  "Restart-Service vmms"), 2, "powershell", "Windows PowerShell 5.1", S("HV02"), NULL, true, NULL};
    f->remediation[1] = (et_step){NULL, SV(1, "Get-VMReplicationServer"), 1, "powershell", "Windows PowerShell 5.1",
                                  S("HV02"), NULL, true, NULL};
    f->remediation[2] = (et_step){S("Check the DC is reachable from `HV02`."), NULL, 0, "text", "text", NULL, NULL, false, NULL};
    f->remediation[3] = (et_step){S("Only to change the edition"), SV(1, "DISM /online /Set-Edition:ServerDatacenter `x`"), 1,
                                  "cmd", "cmd.exe", NULL, S("the guest must change edition"), false,
                                  S("only if the guest must change edition: the events do not show it")};
    f->references = SV(2, "https://learn.microsoft.com/troubleshoot/hyper-v-replica", "KB2761899");
    f->nreferences = 2;
    f->notes = SV(1, "unconfirmed: the SPN state is not in the logs"); f->nnotes = 1;
    f->nevidence = 2; f->nevidence_total = 7;
    f->evidence = calloc(2, sizeof *f->evidence);
    evidence(&f->evidence[0], "HV01.contoso.local", "2024-05-01T10:00:00.1234567Z", 32000, 4711,
             "Enable replication of 'SQL01' failed: 0x80090303 | \"quoted\"");
    evidence(&f->evidence[1], "HV01.contoso.local", "2024-05-01T10:05:00Z", 29210, 4712, NULL);
    f->evidence[1].recovered = true;
    f->explains = SV(1, "F3"); f->nexplains = 1;
}

static void sample_findings(et_report *r)
{
    r->nfindings = 3;
    r->findings = calloc(3, sizeof *r->findings);
    sample_root(&r->findings[0]);
    et_finding *s = &r->findings[1];
    s->id = S("F3");
    s->rule = S("hvr-enable-failed");
    s->title = S("Enabling replication failed <script>alert(1)</script>");
    s->message = S("bad bytes \xff\xfe here, tab\tand \x1b[31mred\x1b[0m");
    s->severity = ET_SEV_HIGH;
    s->confidence = S("high");
    s->explained_by = S("F1");
    s->nentities = 1;
    s->entities = calloc(1, sizeof *s->entities);
    s->entities[0] = (et_kv){S("host"), S("HV01.contoso.local")};
    s->nevidence = 1; s->nevidence_total = 1;
    s->evidence = calloc(1, sizeof *s->evidence);
    evidence(&s->evidence[0], "HV01.contoso.local", "2024-05-01T10:00:00Z", 32000, 4711, "Enable failed <b>");
    et_finding *o = &r->findings[2];
    o->id = S("F2");
    o->rule = S("vmms-low-disk");
    o->title = S("Low disk space on the replica volume");
    o->severity = ET_SEV_MEDIUM;
    o->confidence = S("medium");
    o->nevidence = 1; o->nevidence_total = 1;
    o->evidence = calloc(1, sizeof *o->evidence);
    evidence(&o->evidence[0], "HV02", "2024-05-01T10:30:00Z", 16050, 99, "Volume D: has 2% free");
}

static void sample_timeline(et_report *r)
{
    r->ntimeline = 40;
    r->timeline = calloc(40, sizeof *r->timeline);
    int64_t t0 = T("2024-05-01T09:58:00Z");
    for (size_t i = 0; i < 40; i++) {
        et_timeline_entry *e = &r->timeline[i];
        bool h1 = i % 3 != 2;
        e->timestamp = t0 + (int64_t)i * 60 * ET_TICKS_PER_SEC + (int64_t)(i % 7) * 13 * ET_TICKS_PER_SEC;
        e->host = S(h1 ? "HV01.contoso.local" : "HV02");
        e->channel = S(h1 ? "Microsoft-Windows-Hyper-V-VMMS-Admin" : "Application");
        e->provider = S(h1 ? "Microsoft-Windows-Hyper-V-VMMS" : "Disk");
        e->event_id = h1 ? 32000 : 16050;
        e->message = S(i == 4 ? "Replication \"failed\", see <details> & retry\nnext line" : "Enable replication failed");
        e->file = S(h1 ? "cases/HV01|System.evtx" : "cases/HV02/Application.evtx");
        e->record_id = 4700 + i;
        e->rule = i % 5 == 3 ? NULL : S(h1 ? "hvr-enable-failed" : "vmms-low-disk");
        e->severity = (et_severity)(i % 5);
        e->recovered = i == 7;
    }
}

static et_report *sample(void)
{
    et_report *r = calloc(1, sizeof *r);
    r->tool_version = S("0.1.0");
    r->generated_at = S("2024-05-02T08:00:00Z");
    r->nrules = 42;
    r->events_read = 5920;
    sample_inputs(r);
    sample_findings(r);
    sample_timeline(r);
    r->ngaps = 2;
    r->gaps = calloc(2, sizeof *r->gaps);
    r->gaps[0] = (et_gap){S("missing-log"), S("No Hyper-V-VMMS-Admin log from HV02 | the replica side is unseen"),
                          S("HV02.contoso.local"), S("Microsoft-Windows-Hyper-V-VMMS-Admin")};
    r->gaps[1] = (et_gap){S("skipped-records"), S("cases/HV01|System.evtx: 1 record skipped"), NULL, NULL};
    return r;
}

/* ---- helpers ------------------------------------------------------------------------------- */

__attribute__((noinline)) static char *render(int (*fn)(const et_report *, FILE *), const et_report *r)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(fn(r, f), 0);
    fclose(f);
    if (getenv("EVTRIAGE_TEST_DUMP")) fputs(out, stderr);   /* to see what a failing check looked at */
    return out;
}

static int write_terminal_plain(const et_report *r, FILE *f) { return et_report_write_terminal(r, f, false); }
static int write_terminal_colour(const et_report *r, FILE *f) { return et_report_write_terminal(r, f, true); }

/* Minimal JSON syntax check (RFC 8259): value parser over the whole text. */
static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p++ != '"') return NULL;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20) return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') { for (int i = 1; i <= 4; i++) if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) return NULL; p += 4; }
            else if (!*p || !strchr("\"\\/bfnrt", *p)) return NULL;
        }
        p++;
    }
    return *p == '"' ? p + 1 : NULL;
}

static const char *json_seq(const char *p, char close, bool object)
{
    p = json_ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
        if (object) {
            p = json_string(json_ws(p));
            if (!p || *(p = json_ws(p)) != ':') return NULL;
            p++;
        }
        p = json_value(p);
        if (!p) return NULL;
        p = json_ws(p);
        if (*p == close) return p + 1;
        if (*p++ != ',') return NULL;
    }
}

static const char *json_value(const char *p)
{
    p = json_ws(p);
    if (*p == '{') return json_seq(p, '}', true);
    if (*p == '[') return json_seq(p, ']', false);
    if (*p == '"') return json_string(p);
    if (!strncmp(p, "true", 4)) return p + 4;
    if (!strncmp(p, "false", 5)) return p + 5;
    if (!strncmp(p, "null", 4)) return p + 4;
    const char *q = p;
    if (*q == '-') q++;
    if (*q < '0' || *q > '9') return NULL;
    while ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-') q++;
    return q;
}

static void assert_json(const char *s)
{
    const char *end = json_value(s);
    assert_non_null(end);
    assert_int_equal(*json_ws(end), 0);
}

static void assert_valid_utf8(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = et_utf8_len(p);
        assert_true(n > 0);
        p += n;
    }
}

static const char *find(const char *hay, const char *needle)
{
    const char *p = strstr(hay, needle);
    if (!p) fail_msg("not found: %s", needle);
    return p;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_severity(void **state)
{
    (void)state;
    et_severity s;
    assert_string_equal(et_severity_name(ET_SEV_CRITICAL), "critical");
    assert_string_equal(et_severity_name(ET_SEV_INFO), "info");
    assert_int_equal(et_severity_parse("informational", &s), 0);
    assert_int_equal(s, ET_SEV_INFO);
    assert_int_equal(et_severity_parse("HIGH", &s), 0);
    assert_int_equal(s, ET_SEV_HIGH);
    assert_int_equal(et_severity_parse("bogus", &s), -1);
    assert_int_equal(et_severity_parse(NULL, &s), -1);
}

static void test_format_time(void **state)
{
    (void)state;
    et_report r = {0};
    char out[64];
    int64_t ft = T("2024-05-01T10:00:00.1234567Z");
    et_report_format_time(&r, ft, out);
    assert_string_equal(out, "2024-05-01 10:00:00.123 UTC");
    setenv("TZ", "Asia/Tokyo", 1);
    r.tz = "Europe/Berlin";
    et_report_format_time(&r, ft, out);
    assert_string_equal(out, "2024-05-01 12:00:00.123 CEST");
    assert_string_equal(getenv("TZ"), "Asia/Tokyo");
    r.tz = "America/New_York";
    et_report_format_time(&r, T("2024-01-15T12:00:00Z"), out);
    assert_string_equal(out, "2024-01-15 07:00:00.000 EST");
    unsetenv("TZ");
    r.tz = "+05:30";
    et_report_format_time(&r, ft, out);
    assert_string_equal(out, "2024-05-01 15:30:00.123 +05:30");
    r.tz = "-0800";
    et_report_format_time(&r, ft, out);
    assert_string_equal(out, "2024-05-01 02:00:00.123 -08:00");
    assert_null(getenv("TZ"));
    r.tz = "UTC";
    et_report_format_time(&r, ft, out);
    assert_string_equal(out, "2024-05-01 10:00:00.123 UTC");
    r.tz = "Not/A_Zone";
    assert_false(et_report_tz_valid(r.tz));
    et_report_format_time(&r, ft, out);
    assert_string_equal(out, "2024-05-01 10:00:00.123 UTC");
    assert_true(et_report_tz_valid("Europe/Berlin"));
    assert_true(et_report_tz_valid("+02:00"));
    assert_false(et_report_tz_valid("../../etc/passwd"));
    et_report_format_time(&r, 0, out);
    assert_string_equal(out, "-");
}

static void test_json(void **state)
{
    (void)state;
    et_report *r = sample();
    char *s = render(et_report_write_json, r);
    assert_json(s);
    assert_valid_utf8(s);
    assert_true(!strncmp(s, "{\"schema\":\"evtriage-report/1\"", 29));
    const char *keys[] = {"\"tool\":{\"name\":\"evtriage\",\"version\":\"0.1.0\"", "\"generated_at\":\"2024-05-02T08:00:00Z\"",
                          "\"inputs\":[", "\"findings\":[", "\"gaps\":[", "\"timeline_summary\":{\"entries\":40",
                          "\"sha256\":\"aaaa", "\"problems_total\":3", "\"root_cause\":true",
                          "\"entities\":{\"host\":\"HV01.contoso.local\",\"vm\":\"SQL01\",\"replica\":\"HV02\"}",
                          "\"timestamp\":\"2024-05-01T10:00:00.1234567Z\"", "\"evidence_total\":7",
                          "\"explained_by\":\"F1\"", "\"recovered\":true",
                          "\\\"authenticate\\\" <Kerberos> & fails | SPN", "0x80090303)\\nsecond line",
                          "bad bytes \xEF\xBF\xBD\xEF\xBF\xBD here, tab\\tand \\u001b[31mred",
                          "\"first_time\":\"2024-05-01T09:58:00.0000000Z\"", NULL};
    for (int i = 0; keys[i]; i++) find(s, keys[i]);
    find(s, "\"explains\":[\"F3\"]");
    /* ranked order kept: F1, F3, F2 */
    assert_true(find(s, "\"id\":\"F1\"") < find(s, "\"id\":\"F3\""));
    assert_true(find(s, "\"id\":\"F3\"") < find(s, "\"id\":\"F2\""));
    free(s);
    et_report empty = {0};
    s = render(et_report_write_json, &empty);
    assert_json(s);
    free(s);
    et_report_free(r);
}

static void test_markdown(void **state)
{
    (void)state;
    et_report *r = sample();
    char *s = render(et_report_write_markdown, r);
    assert_valid_utf8(s);
    const char *f1 = find(s, "\n### F1 · critical · ");
    const char *sym = find(s, "**Symptoms explained by F1:**");
    const char *f3 = find(s, "\n#### F3 · high · ");
    const char *f2 = find(s, "\n### F2 · medium · ");
    assert_true(f1 < sym && sym < f3 && f3 < f2);
    assert_null(strstr(s, "\n### F3")); /* not also at top level */
    find(s, "1. On HV02 list the SPNs, then let VMMS register them again *(Windows PowerShell 5.1, on HV02)*\n\n"
            "   ```powershell\n   setspn -L HV02\n   Restart-Service vmms\n   ```\n");
    find(s, "```powershell\n   Get-VMReplicationServer\n");
    find(s, "3. Check the DC is reachable from `HV02`.\n");
    /* a step whose condition the events do not show: a code span under why, never a block */
    find(s, "4. Only to change the edition *(cmd.exe)*\n\n   Not to paste as written: only if the guest must change "
            "edition: the events do not show it\n\n   `` DISM /online /Set-Edition:ServerDatacenter `x` ``\n");
    assert_null(strstr(s, "```bat"));
    find(s, "- <https://learn.microsoft.com/troubleshoot/hyper-v-replica>\n");
    find(s, "## Logs to collect next\n");
    find(s, "```powershell\n  wevtutil epl 'Microsoft-Windows-Hyper-V-VMMS-Admin' 'HV02_Microsoft-Windows-Hyper-V-VMMS-Admin.evtx' "
            "/ow:true\n  ```\n");
    find(s, "- unconfirmed: the SPN state is not in the logs");
    find(s, "| Time | Host | Channel | Event ID | Record ID | File | Message |");
    find(s, "| 2024-05-01 10:00:00.123 UTC | HV01.contoso.local | Microsoft-Windows-Hyper-V-VMMS-Admin | 32000 | 4711 | "
            "cases/HV01\\|System.evtx | Enable replication of 'SQL01' failed: 0x80090303 \\| \"quoted\" |");
    find(s, "4712 (recovered)");
    find(s, "can't \"authenticate\" \\<Kerberos\\> \\& fails \\| SPN missing");
    find(s, "\\<script\\>alert(1)\\</script\\>");
    assert_null(strstr(s, "<script>"));
    find(s, "## Gaps\n\n- **missing-log**: No Hyper-V-VMMS-Admin log from HV02 \\| the replica side is unseen");
    find(s, "| Name | Size | SHA-256 | Records | Time range | Hosts | Channels | Problems |");
    find(s, "| cases/HV01\\|System.evtx | 1.5 MiB | aaaa");
    find(s, "chunk 3: bad \"CRC\" \\<0x1234\\> (+2 more)");
    find(s, "| Findings | 3: **1 critical**, **1 high**, 1 medium |");
    find(s, "| Hosts | HV01.contoso.local, HV02 |");
    find(s, "| Time range | 2024-05-01 09:58:00.000 UTC – 2024-05-01 10:40:00.000 UTC |");
    assert_null(strchr(s, '\x1b'));
    free(s);
    et_report_free(r);
}

static void test_html(void **state)
{
    (void)state;
    et_report *r = sample();
    char *s = render(et_report_write_html, r);
    assert_valid_utf8(s);
    assert_null(strstr(s, "<script>alert"));
    find(s, "Enabling replication failed &lt;script&gt;alert(1)&lt;/script&gt;");
    find(s, "can&#39;t &quot;authenticate&quot; &lt;Kerberos&gt; &amp; fails | SPN missing");
    assert_int_equal(count(s, "<script"), 1);
    assert_null(strstr(s, "<link"));
    assert_null(strstr(s, " src="));
    assert_null(strstr(s, "@import"));
    find(s, "<section id=\"findings\">");
    find(s, "<section id=\"inputs\">");
    const char *f1 = find(s, "<article class=\"finding\" id=\"finding-F1\" data-id=\"F1\" data-rule=\"rc-hvr-spn-missing\" "
                             "data-severity=\"critical\">");
    const char *f3 = find(s, "data-rule=\"hvr-enable-failed\" data-severity=\"high\">");
    const char *f2 = find(s, "data-rule=\"vmms-low-disk\" data-severity=\"medium\">");
    const char *sym = find(s, "<div class=\"symptoms\">");
    assert_true(f1 < sym && sym < f3 && f3 < f2);
    assert_int_equal(count(s, "<article class=\"finding\""), 3);
    find(s, "<pre><code class=\"language-powershell\">setspn -L HV02\nRestart-Service vmms</code></pre>"
            "<button class=\"copy\" type=\"button\">copy</button>");
    find(s, "<p class=\"not-runnable\">Not to paste as written: only if the guest must change edition: the events do "
            "not show it</p><p><code>DISM /online /Set-Edition:ServerDatacenter `x`</code></p></li>");
    assert_int_equal(count(s, "<button class=\"copy\""), 4);   /* two steps, a gap's command, the script */
    assert_null(strstr(s, "unsafe-inline"));
    find(s, "script-src 'sha256-");
    find(s, "<svg id=\"timeline\"");
    find(s, "<g class=\"lane\" data-host=\"HV01.contoso.local\">");
    find(s, "<g class=\"lane\" data-host=\"HV02\">");
    assert_int_equal(count(s, "<g class=\"lane\""), 2);
    find(s, "<rect class=\"mark sev-critical\"");
    find(s, "Replication &quot;failed&quot;, see &lt;details&gt; &amp; retry");
    find(s, "<td>cases/HV01|System.evtx</td><td class=\"num\">1.5 MiB</td><td class=\"hash\">aaaa");
    find(s, "chunk 3: bad &quot;CRC&quot; &lt;0x1234&gt;<br>(+2 more)");
    find(s, "bad bytes \xEF\xBF\xBD\xEF\xBF\xBD here");
    assert_null(strchr(s, '\x1b'));
    const char *path = getenv("EVTRIAGE_REPORT_FIXTURE");
    if (path && *path) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(et_report_write_html(r, f), 0);
        assert_int_equal(fclose(f), 0);
        char json[4096];
        snprintf(json, sizeof json, "%s.json", path);
        f = fopen(json, "w");
        assert_non_null(f);
        assert_int_equal(et_report_write_json(r, f), 0);
        assert_int_equal(fclose(f), 0);
    }
    free(s);
    et_report_free(r);
}

/* The Content-Security-Policy names the page's one style block and one script by their SHA-256:
 * the hashes must be those of what the page holds (scripts/html-csp-hashes.py rewrites them). */
static void b64(const unsigned char *d, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = 0;
}

static void check_csp_hash(const char *page, const char *open, const char *close, const char *directive)
{
    const char *a = find(page, open) + strlen(open), *b = strstr(a, close);
    assert_non_null(b);
    et_sha256 h;
    et_sha256_init(&h);
    et_sha256_update(&h, a, (size_t)(b - a));
    char hex[65];
    assert_int_equal(et_sha256_hex(&h, hex), 0);
    unsigned char raw[32];
    for (int i = 0; i < 32; i++) { unsigned x; sscanf(hex + 2 * i, "%2x", &x); raw[i] = (unsigned char)x; }
    char want[128], enc[64];
    b64(raw, 32, enc);
    snprintf(want, sizeof want, "%s 'sha256-%s'", directive, enc);
    if (!strstr(page, want)) fail_msg("the CSP does not name %s (run scripts/html-csp-hashes.py)", want);
}

static void test_html_csp(void **state)
{
    (void)state;
    et_report *r = sample();
    char *s = render(et_report_write_html, r);
    check_csp_hash(s, "<style>", "</style>", "style-src");
    check_csp_hash(s, "<script>", "</script>", "script-src");
    assert_int_equal(count(s, "<style"), 1);
    assert_null(strstr(s, " style="));
    free(s);
    et_report_free(r);
}

static void test_html_zone(void **state)
{
    (void)state;
    et_report *r = sample();
    r->tz = S("Europe/Berlin");
    char *s = render(et_report_write_html, r);
    find(s, "times shown in Europe/Berlin");
    find(s, "<td class=\"time\">2024-05-01 12:00:00.123 CEST</td>");
    free(s);
    s = render(et_report_write_markdown, r);
    find(s, "| 2024-05-01 12:00:00.123 CEST | HV01.contoso.local |");
    free(s);
    s = render(et_report_write_json, r); /* stored times stay UTC */
    find(s, "\"timestamp\":\"2024-05-01T10:00:00.1234567Z\"");
    free(s);
    et_report_free(r);
}

static void test_terminal(void **state)
{
    (void)state;
    et_report *r = sample();
    char *s = render(write_terminal_plain, r);
    assert_valid_utf8(s);
    assert_null(strchr(s, '\x1b'));
    const char *f1 = find(s, "[CRITICAL] F1 Replica HV02");
    const char *f3 = find(s, "    └─ [HIGH] F3 Enabling replication failed");
    const char *f2 = find(s, "\n[MEDIUM] F2 Low disk space");
    assert_true(f1 < f3 && f3 < f2);
    find(s, "WHAT TO DO");
    find(s, "  1. On HV02 list the SPNs, then let VMMS register them again\n     [Windows PowerShell 5.1, on HV02]\n"
            "     PS> setspn -L HV02\n     PS> Restart-Service vmms\n");
    find(s, "  4. Only to change the edition\n     [cmd.exe]\n     (not to paste as written: only if the guest must change "
            "edition: the events do not show it)\n       DISM /online");
    assert_null(strstr(s, "> DISM"));
    /* a missing log: the command that collects it on its host, and the script for all of them */
    find(s, "    to collect it, on HV02:\n      PS> wevtutil epl 'Microsoft-Windows-Hyper-V-VMMS-Admin' "
            "'HV02_Microsoft-Windows-Hyper-V-VMMS-Admin.evtx' /ow:true\n");
    find(s, "LOGS TO COLLECT NEXT");
    find(s, "      'HV02' = @('Microsoft-Windows-Hyper-V-VMMS-Admin')\n");
    find(s, "- missing-log: No Hyper-V-VMMS-Admin log from HV02 | the replica side is unseen");
    find(s, "INPUTS");
    find(s, "- cases/HV01|System.evtx (1.5 MiB): 5120 record(s)");
    find(s, "    ! chunk 3: bad \"CRC\" <0x1234>");
    for (const char *line = s; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line), cols = 0;
        for (size_t i = 0; i < len; i++) cols += ((unsigned char)line[i] & 0xC0) != 0x80;
        if (cols > 100 && !strstr(line, "PS> ")) fail_msg("line over 100 columns: %.*s", (int)len, line);
        line += len + (nl != NULL);
    }
    free(s);
    s = render(write_terminal_colour, r);
    find(s, "\x1b[");
    assert_null(strstr(s, "\x1b[31mred")); /* the log's own escape sequence is neutralised */
    free(s);
    et_report_free(r);
}

/* A batch of many inputs: the terminal lists those with problems and says how many more there
 * are; a kind of gap shows ten, then how many more (the files keep everything). */
static void test_terminal_many(void **state)
{
    (void)state;
    et_report *r = calloc(1, sizeof *r);
    r->ninputs = 150;
    r->inputs = calloc(r->ninputs, sizeof *r->inputs);
    for (size_t i = 0; i < r->ninputs; i++) {
        char p[64];
        snprintf(p, sizeof p, "batch/host%03zu.evtx", i);
        r->inputs[i].path = S(p);
        r->inputs[i].records = 10;
    }
    r->inputs[7].unreadable = true;
    r->inputs[7].problems = SV(1, "not an EVTX file"); r->inputs[7].nproblems = r->inputs[7].nproblems_total = 1;
    r->inputs[90].skipped = 2;
    r->ngaps = 16;
    r->gaps = calloc(r->ngaps, sizeof *r->gaps);
    for (size_t i = 0; i < 15; i++) {
        char m[64];
        snprintf(m, sizeof m, "batch/host%03zu.evtx: 1 record(s) recovered", i);
        r->gaps[i] = (et_gap){S("recovered-records"), S(m), NULL, NULL};
    }
    r->gaps[15] = (et_gap){S("missing-log"), S("no System log"), NULL, NULL};
    char *s = render(write_terminal_plain, r);
    find(s, "- batch/host007.evtx (0 B): UNREADABLE");
    find(s, "- batch/host090.evtx (0 B): 10 record(s)");
    assert_null(strstr(s, "batch/host008.evtx (0 B)"));
    find(s, "- ... 150 input(s) in all; the 2 with problems are listed above, 148 were read without problems");
    find(s, "- recovered-records: batch/host009.evtx: 1 record(s) recovered\n");
    assert_null(strstr(s, "batch/host010.evtx: 1 record(s) recovered"));
    find(s, "- missing-log: no System log\n");
    find(s, "- recovered-records: ... and 5 more like these (--json, --report-md and --report-html list");
    free(s);
    r->ninputs = 100;   /* up to the bound, every input is listed */
    s = render(write_terminal_plain, r);
    find(s, "- batch/host008.evtx (0 B): 10 record(s)");
    assert_null(strstr(s, "input(s) in all"));
    free(s);
    r->ninputs = 150;
    et_report_free(r);
}

/* Archives as received: listed with their own hash in every report, beside their inputs. */
static void test_archives(void **state)
{
    (void)state;
    et_report *r = sample();
    r->narchives = 2;
    r->archives = calloc(2, sizeof *r->archives);
    r->archives[0] = (et_archive){.path = S("up|load.zip"), .size = 3564225, .members = 228, .inputs = 227, .unreadable = 1};
    memset(r->archives[0].sha256, 'c', 64);
    r->archives[1] = (et_archive){.path = S("up|load.zip!in.zip"), .size = 10, .members = 1};
    char *s = render(et_report_write_json, r);
    assert_json(s);
    find(s, "\"archives\":[\n  {\"path\":\"up|load.zip\",\"size\":3564225,\"sha256\":\"cccc");
    find(s, "\"members\":228,\"inputs\":227,\"unreadable\":1},\n  {\"path\":\"up|load.zip!in.zip\",\"size\":10,"
            "\"sha256\":null,\"members\":1,\"inputs\":0,\"unreadable\":0}]");
    free(s);
    s = render(et_report_write_markdown, r);
    const char *arch = find(s, "| Archive | Size | SHA-256 | Held |");
    find(s, "| up\\|load.zip | 3.4 MiB | cccc");
    find(s, " | 228 member(s), 227 EVTX input(s) (1 unreadable) |\n| up\\|load.zip!in.zip | 10 B | – | 1 member(s), 0 EVTX input(s) |");
    assert_true(find(s, "## Inputs") < arch && arch < find(s, "| Name | Size | SHA-256 | Records"));
    free(s);
    s = render(et_report_write_html, r);
    find(s, "<tr><td>up|load.zip</td><td class=\"num\">3.4 MiB</td><td class=\"hash\">cccc");
    free(s);
    s = render(write_terminal_plain, r);
    find(s, "- archive up|load.zip (3.4 MiB): 228 member(s), 227 EVTX input(s) (1 unreadable); SHA-256\n    cccc");
    find(s, "- archive up|load.zip!in.zip (10 B): 1 member(s), 0 EVTX input(s)\n");
    free(s);
    et_report_free(r);
}

/* Paths passed over: listed (escaped) under the inputs in every format; past the bound the
 * caption says which are listed, and the terminal shows the first few. */
static void test_skipped(void **state)
{
    (void)state;
    et_report *r = sample();
    r->skipped = calloc(ET_REPORT_MAX_SKIPPED, sizeof *r->skipped);
    r->nskipped = r->nskipped_total = 2;
    r->skipped[0] = (et_skip){S("up.zip!notes|<b>.txt"), S("not an EVTX file (no ElfFile signature)")};
    r->skipped[1] = (et_skip){S("case/more"), S("link to a folder, not followed")};
    char *s = render(et_report_write_json, r);
    assert_json(s);
    find(s, "\"skipped_total\":2,\"skipped\":[\n  {\"path\":\"up.zip!notes|<b>.txt\",\"reason\":\"not an EVTX file (no "
            "ElfFile signature)\"},\n  {\"path\":\"case/more\",\"reason\":\"link to a folder, not followed\"}]");
    free(s);
    s = render(et_report_write_markdown, r);
    const char *list = find(s, "2 path(s) passed over, not read as EVTX:\n\n| Path | Why |\n|---|---|\n"
                               "| up.zip!notes\\|\\<b\\>.txt | not an EVTX file (no ElfFile signature) |\n"
                               "| case/more | link to a folder, not followed |\n");
    assert_true(find(s, "| Name | Size | SHA-256 | Records") < list);
    free(s);
    s = render(et_report_write_html, r);
    find(s, "<details id=\"skipped\"><summary>2 path(s) passed over, not read as EVTX</summary>");
    find(s, "<tr><td>up.zip!notes|&lt;b&gt;.txt</td><td>not an EVTX file (no ElfFile signature)</td></tr>");
    free(s);
    s = render(write_terminal_plain, r);
    find(s, "- 2 path(s) passed over, not read as EVTX\n    up.zip!notes|<b>.txt: not an EVTX file (no ElfFile "
            "signature)\n    case/more: link to a folder, not followed\n");
    free(s);
    /* past the bound: the caption says so; the terminal shows ten and says where the rest are */
    for (size_t i = 2; i < ET_REPORT_MAX_SKIPPED; i++) r->skipped[i] = (et_skip){S("x.txt"), S("not an EVTX file")};
    r->nskipped = ET_REPORT_MAX_SKIPPED;
    r->nskipped_total = 123456;
    s = render(et_report_write_json, r);
    find(s, "\"skipped_total\":123456,");
    assert_int_equal(count(s, "\"reason\":"), ET_REPORT_MAX_SKIPPED);
    free(s);
    s = render(write_terminal_plain, r);
    find(s, "- 123456 path(s) passed over, not read as EVTX; the first 1000 met are listed\n");
    find(s, "    ... --json, --report-md and --report-html list 1000\n");
    assert_int_equal(count(s, "x.txt: not an EVTX file\n"), 8);
    free(s);
    et_report_free(r);
}

static void test_timeline_csv(void **state)
{
    (void)state;
    et_report *r = sample();
    char *s = render(et_report_write_timeline_csv, r);
    assert_valid_utf8(s);
    assert_true(!strncmp(s, "datetime,timestamp_desc,message,host,channel,provider,event_id,record_id,file,rule,"
                            "severity,recovered\n", 102));
    find(s, "\n2024-05-01T09:58:00.000000+00:00,Event Recorded,Enable replication failed,HV01.contoso.local,"
            "Microsoft-Windows-Hyper-V-VMMS-Admin,Microsoft-Windows-Hyper-V-VMMS,32000,4700,cases/HV01|System.evtx,"
            "hvr-enable-failed,info,false\n");
    find(s, ",Event Recorded,\"Replication \"\"failed\"\", see <details> & retry next line\",HV01.contoso.local,");
    find(s, ",Disk,16050,4702,cases/HV02/Application.evtx,vmms-low-disk,medium,false\n");
    find(s, ",32000,4703,cases/HV01|System.evtx,,high,false\n"); /* no rule: empty cell */
    find(s, ",32000,4707,cases/HV01|System.evtx,hvr-enable-failed,medium,true\n");
    assert_int_equal(count(s, "\n"), 41);
    free(s);
    s = render(et_report_write_timeline_jsonl, r);
    assert_int_equal(count(s, "\n"), 40);
    for (char *line = s, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = 0;
        assert_json(line);
        find(line, "\"timestamp_desc\":\"Event Recorded\"");
    }
    free(s);
    s = render(et_report_write_timeline_jsonl, r);
    find(s, "{\"datetime\":\"2024-05-01T09:58:00.000000+00:00\",\"timestamp_desc\":\"Event Recorded\","
            "\"message\":\"Enable replication failed\",\"host\":\"HV01.contoso.local\"");
    find(s, "\"rule\":null,\"severity\":\"high\"");
    free(s);
    et_report_free(r);
}

static void test_cycle_and_empty(void **state)
{
    (void)state;
    et_report *r = sample();
    free(r->findings[0].explained_by);
    r->findings[0].explained_by = S("F3"); /* F1 <-> F3: neither nested, both shown once */
    char *s = render(et_report_write_markdown, r);
    assert_int_equal(count(s, "\n### F1 "), 1);
    assert_int_equal(count(s, "\n### F3 "), 1);
    free(s);
    s = render(write_terminal_plain, r);
    assert_int_equal(count(s, "] F1 "), 2); /* findings and what to do */
    assert_int_equal(count(s, "] F3 "), 1);
    free(s);
    s = render(et_report_write_html, r);
    assert_int_equal(count(s, "<article class=\"finding\""), 3);
    free(s);
    et_report_free(r);
    et_report empty = {0};
    int (*all[])(const et_report *, FILE *) = {et_report_write_markdown, et_report_write_html, write_terminal_plain,
                                               et_report_write_timeline_csv, et_report_write_timeline_jsonl};
    for (size_t i = 0; i < 5; i++) free(render(all[i], &empty));
}

/* The spilling timeline store: 50,000 entries in scrambled order (several runs on disk) come
 * back in time order, twice, with their strings intact and the counts right. */
typedef struct tl_check { int64_t last; uint64_t last_rec; char last_host[16]; size_t n; int bad; } tl_check;

static int tl_visit(const et_timeline_entry *e, void *vctx)
{
    tl_check *c = vctx;
    /* order: time, then host, then (same file) record id */
    int host = e->host ? strcmp(e->host, c->last_host) : 0;
    if (c->n && (e->timestamp < c->last || (e->timestamp == c->last && (host < 0 || (!host && e->record_id < c->last_rec)))))
        c->bad++;
    char want[32];
    snprintf(want, sizeof want, "m%llu", (unsigned long long)e->record_id);
    if (!e->message || strcmp(e->message, want) || !e->host || (e->rule && strcmp(e->rule, "r1"))) c->bad++;
    c->last = e->timestamp;
    c->last_rec = e->record_id;
    snprintf(c->last_host, sizeof c->last_host, "%s", e->host ? e->host : "");
    c->n++;
    return 0;
}

static void test_timeline_store(void **state)
{
    (void)state;
    et_tl_store *s = et_tl_store_new_sized(500);
    const size_t n = 67000;   /* 133 runs of 500 (and 500 in memory): 64 merge into one, twice */
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        et_timeline_entry e = {0};
        e.timestamp = (int64_t)(x % 1000000);
        e.record_id = i;
        char m[32];
        snprintf(m, sizeof m, "m%zu", i);
        e.message = strdup(m);
        e.host = strdup(i % 3 ? "HV01" : "HV02");
        e.rule = i % 2 ? strdup("r1") : NULL;
        e.severity = (et_severity)(i % 5);
        et_tl_store_add(s, &e);
    }
    for (int pass = 0; pass < 2; pass++) {
        tl_check c = {0};
        et_tl_store_each(s, tl_visit, &c);
        assert_int_equal(c.n, n);
        assert_int_equal(c.bad, 0);
    }
    const et_tl_counts *c = et_tl_store_counts(s);
    assert_int_equal(c->entries, n);
    assert_int_equal(c->by_severity[ET_SEV_CRITICAL], n / 5);
    assert_int_equal(c->nhosts, 2);
    assert_int_equal(c->nrules, 1);
    assert_int_equal(c->rules[0].n, n / 2);
    assert_int_equal(et_tl_store_runs(s), 7);   /* 2 merged, 5 not yet */
    assert_false(et_tl_store_failed(s));
    et_tl_store_free(s);
}

/* Copies of one record (another file, the same time, host, channel, record and event id) are
 * left once, under the first file by name, in memory and spilled; counts follow. A record that
 * differs in any of those stays. */
typedef struct copy_check { size_t n, from_b, bad; int64_t last_ts; uint64_t last_rec; uint32_t last_eid; char last_ch[16]; } copy_check;

static int copy_visit(const et_timeline_entry *e, void *ctx)
{
    copy_check *c = ctx;
    if (c->n && e->timestamp == c->last_ts && e->record_id == c->last_rec && e->event_id == c->last_eid &&
        !strcmp(e->channel, c->last_ch))
        c->bad++;
    snprintf(c->last_ch, sizeof c->last_ch, "%s", e->channel);
    c->from_b += !strcmp(e->file, "b.evtx");
    c->last_ts = e->timestamp;
    c->last_rec = e->record_id;
    c->last_eid = e->event_id;
    c->n++;
    return 0;
}

static void add_copy(et_tl_store *s, size_t i, const char *file, const char *channel, uint32_t eid)
{
    et_timeline_entry e = {.timestamp = (int64_t)(i / 2) * 10, .record_id = i, .event_id = eid,
                           .severity = ET_SEV_HIGH};
    e.host = strdup("HV01");
    e.channel = strdup(channel);
    e.file = strdup(file);
    e.message = strdup("m");
    e.rule = strdup("r1");
    et_tl_store_add(s, &e);
}

static void test_timeline_copies(void **state)
{
    (void)state;
    /* in memory; spilled (runs of 16,384); spilled in 266 runs of 300, merged in levels */
    const size_t sizes[] = {100, 40000, 40000}, runs[] = {0, 0, 300};
    for (size_t k = 0; k < 3; k++) {
        size_t n = sizes[k];
        et_tl_store *s = et_tl_store_new_sized(runs[k]);
        for (size_t i = 0; i < n; i++) add_copy(s, i, "b.evtx", "System", 7);   /* the copy first */
        for (size_t i = 0; i < n; i++) add_copy(s, i, "a.evtx", "System", 7);
        add_copy(s, 0, "c.evtx", "Application", 7);   /* another channel */
        add_copy(s, 1, "c.evtx", "System", 8);        /* another event id */
        assert_int_equal(et_tl_store_counts(s)->entries, 2 * n + 2);
        size_t dropped = 0;
        assert_true(et_tl_store_drop_copies(s, &dropped));
        assert_int_equal(dropped, n);
        const et_tl_counts *c = et_tl_store_counts(s);
        assert_int_equal(c->entries, n + 2);
        assert_int_equal(c->by_severity[ET_SEV_HIGH], n + 2);
        assert_int_equal(c->rules[0].n, n + 2);
        for (int pass = 0; pass < 2; pass++) {
            copy_check cc = {0};
            et_tl_store_each(s, copy_visit, &cc);
            assert_int_equal(cc.n, n + 2);
            assert_int_equal(cc.from_b, 0);
            assert_int_equal(cc.bad, 0);
        }
        assert_true(et_tl_store_drop_copies(s, &dropped));
        assert_int_equal(dropped, 0);   /* nothing left to drop */
        assert_false(et_tl_store_failed(s));
        et_tl_store_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_severity),      cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_markdown),      cmocka_unit_test(test_html),
        cmocka_unit_test(test_html_csp), cmocka_unit_test(test_html_zone),     cmocka_unit_test(test_terminal),
        cmocka_unit_test(test_terminal_many), cmocka_unit_test(test_timeline_copies),
        cmocka_unit_test(test_timeline_csv),  cmocka_unit_test(test_cycle_and_empty),
        cmocka_unit_test(test_timeline_store),  cmocka_unit_test(test_archives),
        cmocka_unit_test(test_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
