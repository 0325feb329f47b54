/* fuzz_rules.c: libFuzzer target: arbitrary bytes as a rule YAML file through the rule loader
 * (built-in mapping), then fixed synthetic events through the scanner (its expressions' give-
 * ups worded), a correlator (with a start, as hunt --from), the rules' own tests and the rca
 * templates, so the compiled matching code runs too. Beside it, a
 * differential check of ydoc_many's pieces: the bytes parsed whole and cut at their `---` lines
 * on threads give the same documents, node for node (else abort). */
#include "fuzz.h"
#include "core/outbuf.h"
#include "core/ydoc.h"
#include <stdio.h>
#include "rules/rules.h"
#include <stdlib.h>
#include <string.h>

static volatile size_t sink;

#define SECOND 10000000LL                 /* FILETIME ticks */
#define T0 133589952000000000LL          /* 2024-05-01T00:00:00Z */

static const et_field logon_fields[] = {
    {"TargetUserName", "alice"}, {"TargetDomainName", "CONTOSO"}, {"LogonType", "3"},
    {"IpAddress", "10.1.2.3"}, {"Status", "0xc000006d"}, {"SubStatus", "0xC000006A"},
    {"WorkstationName", "WS01"}, {"ProcessName", "C:\\Windows\\System32\\lsass.exe"}};
static const et_field process_fields[] = {
    {"Image", "C:\\Windows\\System32\\whoami.exe"}, {"CommandLine", "whoami /all -v"},
    {"ParentImage", "C:\\Windows\\explorer.exe"}, {"User", "CONTOSO\\alice"},
    {"Hashes", "SHA256=0123456789ABCDEF"}, {"OriginalFileName", "whoami.exe"},
    {"CurrentDirectory", "C:\\Users\\alice\\"}, {"IntegrityLevel", "Medium"}};
static const et_field spp_request_fields[] = {
    {"Data[0]", "0x80072EE7, 0x00000000, kms.contoso.com:1688, 55c92734-d682-4d71-983e-d6ec3f16059f, "
                "2024/05/01 00:00, 1, 5, 0, ef6cfc9f-8c5d-44ac-9aad-de6a2ea0ae03, 5"}};
static const et_field spp_failure_fields[] = {
    {"Data[0]", "0x803F7001"}, {"Data[1]", "RuleId=31e71c49;Action=AutoActivate;AppId=55c92734;"
                                           "SkuId=ef6cfc9f;NotificationInterval=1440;Trigger=TimerEvent"},
    {"Data[2]", "%%2147942405"}};
static const et_field vmms_fields[] = {
    {"VmName", "SQL01"}, {"VmId", "8E3A2C1D-0000-4000-8000-000000000001"}, {"ErrorCode", "0x80090303"}};
static const et_field service_fields[] = {
    {"param1", "Windows Update"}, {"param2", "stopped"}, {"Binary", "770075006100750073007600"}};

#define EVENT(id, ch, prov, comp, secs, f) \
    {.file = "fuzz.evtx", .record_id = 100 + (secs), .timestamp = T0 + (secs) * SECOND, .event_id = (id), \
     .has_level = true, .level = 4, .has_keywords = true, .keywords = 0x8010000000000000ULL, \
     .provider = (prov), .channel = (ch), .computer = (comp), .user_sid = "S-1-5-18", \
     .nfields = sizeof(f) / sizeof *(f), .fields = (f)}

static const et_event events[] = {
    EVENT(4625, "Security", "Microsoft-Windows-Security-Auditing", "dc1.contoso.com", 0, logon_fields),
    EVENT(4625, "Security", "Microsoft-Windows-Security-Auditing", "dc1.contoso.com", 1, logon_fields),
    EVENT(4625, "Security", "Microsoft-Windows-Security-Auditing", "dc1.contoso.com", 2, logon_fields),
    EVENT(4624, "Security", "Microsoft-Windows-Security-Auditing", "dc1.contoso.com", 3, logon_fields),
    EVENT(4688, "Security", "Microsoft-Windows-Security-Auditing", "ws01.contoso.com", 4, process_fields),
    EVENT(1, "Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", "ws01", 5, process_fields),
    EVENT(12288, "Application", "Microsoft-Windows-Security-SPP", "vm1", 6, spp_request_fields),
    EVENT(8198, "Application", "Microsoft-Windows-Security-SPP", "vm1", 60, spp_failure_fields),
    EVENT(21502, "Microsoft-Windows-Hyper-V-High-Availability-Admin", "Microsoft-Windows-Hyper-V-High-Availability",
          "hv01.contoso.com", 120, vmms_fields),
    EVENT(7036, "System", "Service Control Manager", "vm1", 3600, service_fields),
};

static void quiet(const et_diag *d, void *ctx)
{
    (void)ctx;
    sink += fz_touch_str(d->message) + fz_touch_str(d->file);
}

static const char *match_lookup(const char *name, void *ctx) { return et_match_value(ctx, name); }

static void on_match(const et_match *m, void *ctx)
{
    et_correlator_add(ctx, m);
    for (size_t i = 0; i < m->nfields; i++) sink += fz_touch_str(m->fields[i].value);
    for (size_t i = 0; i < m->nextracted; i++) sink += fz_touch_str(m->extracted[i].value);
    for (size_t i = 0; i < m->rule->nextract; i++) sink += fz_touch_str(et_match_value(m, m->rule->extract_names[i]));
    sink += fz_touch_str(et_match_value(m, "Computer")) + fz_touch_str(et_match_value(m, "EventID"));
    if (m->rule->rca && m->rule->rca->title) {
        et_buf b = {0};
        et_template_render(&b, m->rule->rca->title, match_lookup, (void *)m, NULL);
        sink += b.len;
        et_buf_free(&b);
    }
}

typedef struct hit_ctx { const et_corr_hit *h; char buf[64]; } hit_ctx;

static const char *hit_lookup(const char *name, void *ctx)
{
    hit_ctx *c = ctx;
    return et_hit_value(c->h, name, c->buf);
}

static void on_hit(const et_corr_hit *h, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < h->ngroup; i++) sink += fz_touch_str(h->group[i].value);
    for (size_t i = 0; i < h->nevents; i++) {
        sink += fz_touch_str(h->events[i].file) + fz_touch_str(h->events[i].computer);
        for (size_t k = 0; k < h->events[i].nvalues; k++) sink += fz_touch_str(h->events[i].values[k].value);
    }
    const et_rca *rca = h->rule->rca;
    if (rca && rca->message) {
        hit_ctx c = {.h = h};
        et_buf b = {0};
        et_template_render(&b, rca->message, hit_lookup, &c, NULL);
        sink += b.len;
        et_buf_free(&b);
    }
}

static void on_test(const et_test_result *r, void *ctx)
{
    (void)ctx;
    sink += fz_touch_str(r->name) + fz_touch_str(r->message);
}

/* Scans every synthetic event, correlates the matches, runs the rules' tests. */
static void exercise(const et_ruleset *rs)
{
    et_scanner *s = et_scanner_new(rs);
    et_correlator *c = et_correlator_new(rs, 1000);
    for (size_t i = 0; i < sizeof events / sizeof *events; i++) {
        et_scanner_scan(s, &events[i], on_match, c);
        et_correlator_observe(c, &events[i]);
    }
    et_giveup *gave_up = NULL;   /* expressions that backtrack without end: counted and worded */
    size_t ngave_up = 0, cap = 0;
    et_scanner_take_giveups(s, &gave_up, &ngave_up, &cap);
    for (size_t i = 0; i < ngave_up; i++) {
        char msg[ET_GIVEUP_MESSAGE_MAX];
        et_giveup_message(&gave_up[i], msg, sizeof msg);
        sink += fz_touch_str(msg) + gave_up[i].events;
    }
    free(gave_up);
    et_correlator_set_start(c, T0 + SECOND);   /* as hunt --from: absent near it undecided */
    et_correlator_finish(c, on_hit, NULL);
    sink += et_correlator_dropped(c);
    et_correlator_free(c);
    et_scanner_free(s);
    size_t ntests = 0;
    sink += (size_t)et_rules_run_tests(rs, on_test, NULL, &ntests, NULL, NULL) + ntests;
}

/* Every node of the documents a parse handed over, as text (kind, position, tag, style, value). */
typedef struct flat { et_buf b; size_t ndocs; bool error; } flat;

static void flatten(const ynode *n, et_buf *b)
{
    et_buf_printf(b, "%d %d:%d %d %s|", (int)n->kind, n->line, n->col, n->plain, n->tag ? n->tag : "-");
    if (n->str) et_buf_put(b, n->str, n->len);
    et_buf_printf(b, "|%zu\n", n->n);
    for (size_t i = 0; i < n->n; i++) flatten(n->items[i], b);
}

static void on_parsed(size_t i, const ydoc_parsed *p, void *ctx)
{
    (void)i;
    flat *f = ctx;
    for (size_t k = 0; k < p->ndocs; k++) flatten(p->docs[k], &f->b);
    f->ndocs = p->ndocs;
    f->error = p->error != NULL;
}

/* Whole and in pieces: the same documents before any syntax error, and an error in both or
 * neither (its wording may differ where a quoted scalar runs into a `---` line). */
static void pieces_match(const char *text)
{
    ydoc_source src = {"fuzz", text};
    flat whole = {0}, cut = {0};
    et_arena a = {.block_size = 4096}, b = {.block_size = 4096};
    ydoc_parse_many(&src, 1, 1, &a, on_parsed, &whole);
    ydoc_parse_many(&src, 1, 3, &b, on_parsed, &cut);
    if (whole.error != cut.error || whole.ndocs != cut.ndocs || whole.b.len != cut.b.len ||
        (whole.b.len && memcmp(whole.b.data, cut.b.data, whole.b.len))) {
        fprintf(stderr, "ydoc pieces differ from the whole parse: %zu vs %zu documents, error %d vs %d\n", whole.ndocs,
                cut.ndocs, whole.error, cut.error);
        abort();
    }
    et_buf_free(&whole.b);
    et_buf_free(&cut.b);
    et_arena_free(&a);
    et_arena_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 8192 && !memchr(data, 0, size)) {   /* pieces need 2 x 4 KiB; text ends at a NUL */
        char *text = malloc(size + 1);
        if (!text) abort();
        memcpy(text, data, size);
        text[size] = 0;
        pieces_match(text);
        free(text);
    }
    static fz_file file;
    unsetenv("EVTRIAGE_MAPPING"); /* always the built-in mapping, as `hunt` without --mapping */
    char *path = (char *)fz_file_put(&file, "fuzz_rules.yml", data, size);
    et_rules_options opts = {.mapping = NULL};
    int nerrors = 0;
    et_ruleset *rs = et_rules_load(&path, 1, &opts, quiet, NULL, &nerrors);
    if (!rs) abort(); /* only a broken built-in mapping returns NULL */
    for (size_t i = 0; i < et_ruleset_count(rs); i++) sink += fz_touch_str(et_ruleset_rule(rs, i)->title);
    if (et_ruleset_count(rs)) exercise(rs);
    et_ruleset_free(rs);
    return 0;
}
