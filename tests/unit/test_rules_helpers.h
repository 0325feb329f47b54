/* test_rules_helpers.h: shared helpers of the rule engine's unit tests: load rules from YAML text,
 * build events, collect matches, hits and diagnostics. */
#ifndef TEST_RULES_HELPERS_H
#define TEST_RULES_HELPERS_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/timeutil.h"
#include "rules/rules.h"

/* The two detection rules the correlation tests build on: KMS requests (12288) and responses
 * (12289) in the Security-SPP log. */
#define SPP_CH "Application"
#define SPP_PR "Microsoft-Windows-Security-SPP"
#define SPP_BASE_RULES \
    "title: request\nid: req\nname: kms_request\nlogsource:\n    product: windows\n    service: security-spp\n" \
    "detection:\n    s:\n        EventID: 12288\n    condition: s\n" \
    "---\n" \
    "title: response\nid: resp\nname: kms_response\nlogsource:\n    product: windows\n    service: security-spp\n" \
    "detection:\n    s:\n        EventID: 12289\n    condition: s\n"

typedef struct diags { char msg[64][600]; int n, errors; } diags;

static inline void collect_diag(const et_diag *d, void *ctx)
{
    diags *g = ctx;
    if (d->level == ET_DIAG_ERROR) g->errors++;
    if (g->n < 64)
        snprintf(g->msg[g->n++], sizeof g->msg[0], "%d:%d: %s: %s", d->line, d->col,
                 d->level == ET_DIAG_ERROR ? "error" : "warning", d->message);
}

/* True when some diagnostic contains all of the given text. */
static inline int has_diag(const diags *g, const char *text)
{
    for (int i = 0; i < g->n; i++)
        if (strstr(g->msg[i], text)) return 1;
    return 0;
}

static inline void dump_diags(const diags *g)
{
    for (int i = 0; i < g->n; i++) fprintf(stderr, "  diag: %s\n", g->msg[i]);
}

/* Writes yaml to a temporary file and loads it; diagnostics go to *g. */
static inline et_ruleset *load_rules(const char *yaml, diags *g)
{
    char path[] = "/tmp/evtriage-rules-XXXXXX.yml";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    memset(g, 0, sizeof *g);
    char *paths[] = {path};
    int nerr = 0;
    et_ruleset *rs = et_rules_load(paths, 1, NULL, collect_diag, g, &nerr);
    unlink(path);
    return rs;
}

/* Loads yaml that must compile without errors. */
static inline et_ruleset *load_ok(const char *yaml)
{
    diags g;
    et_ruleset *rs = load_rules(yaml, &g);
    if (!rs || g.errors) dump_diags(&g);
    assert_non_null(rs);
    assert_int_equal(g.errors, 0);
    return rs;
}

typedef struct tev {
    et_event ev;
    et_field f[16];
} tev;

/* Event with time seconds after 2024-01-01T00:00:00Z and "name=value" fields (NULL-terminated). */
static inline void mkev(tev *t, const char *channel, const char *provider, uint32_t eid, int64_t seconds, ...)
{
    memset(t, 0, sizeof *t);
    t->ev.file = "test.evtx";
    t->ev.channel = channel;
    t->ev.provider = provider;
    t->ev.event_id = eid;
    t->ev.computer = "host1.example.com";
    et_iso_to_filetime("2024-01-01T00:00:00Z", &t->ev.timestamp);
    t->ev.timestamp += seconds * ET_TICKS_PER_SEC;
    t->ev.record_id = (uint64_t)seconds + 1;
    t->ev.fields = t->f;
    va_list ap;
    va_start(ap, seconds);
    for (const char *kv; (kv = va_arg(ap, const char *)) && t->ev.nfields < 16;) {
        const char *eq = strchr(kv, '=');
        char *name = strndup(kv, (size_t)(eq - kv));
        t->f[t->ev.nfields++] = (et_field){name, eq + 1};
    }
    va_end(ap);
}

static inline void freeev(tev *t)
{
    for (size_t i = 0; i < t->ev.nfields; i++) free((char *)t->f[i].name);
}

typedef struct seen {
    const char *ids[64];
    int n;
    char fields[2048];
    et_correlator *corr;
} seen;

static inline void on_m(const et_match *m, void *ctx)
{
    seen *s = ctx;
    if (s->n < 64) s->ids[s->n++] = m->rule->id;
    size_t len = strlen(s->fields);
    for (size_t i = 0; i < m->nextracted; i++)
        len += (size_t)snprintf(s->fields + len, sizeof s->fields - len, "%s=%s;", m->extracted[i].name, m->extracted[i].value);
    if (s->corr) et_correlator_add(s->corr, m);
}

/* Number of rules matching the event. */
static inline int scan1(const et_ruleset *rs, const et_event *ev, seen *out)
{
    seen local = {0};
    seen *s = out ? out : &local;
    et_scanner *sc = et_scanner_new(rs);
    int n = et_scanner_scan(sc, ev, on_m, s);
    et_scanner_free(sc);
    return n;
}

#endif
