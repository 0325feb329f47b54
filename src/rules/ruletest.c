/* ruletest.c: the `tests:` extension: events written as field maps, the rules they must and must
 * not fire; parsed with the rule, run by `evtriage rules test`. */
#include "rules/compile.h"
#include "core/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const test_keys[] = {"name", "events", "scenario", "expect", "expect_not", NULL};

static bool ref_list(et_cctx *c, const ynode *n, const char ***out, size_t *nout)
{
    *nout = 0;
    if (!n) return true;
    size_t cnt = n->kind == YN_SEQ ? n->n : 1;
    *out = cc_alloc(c, cnt * sizeof **out);
    for (size_t i = 0; i < cnt; i++) {
        const ynode *it = n->kind == YN_SEQ ? n->items[i] : n;
        if (!yn_str(it)) { cc_error(c, it, "expected a rule id or name"); return false; }
        (*out)[(*nout)++] = it->str;
    }
    return true;
}

static bool check_events(et_cctx *c, const ynode *ev, const ynode *test)
{
    if (!ev || ev->kind != YN_SEQ || !ev->n) { cc_error(c, ev ? ev : test, "a test needs a non-empty 'events' list"); return false; }
    for (size_t i = 0; i < ev->n; i++) {
        const ynode *e = ev->items[i];
        if (e->kind != YN_MAP) { cc_error(c, e, "a test event is a map of field: value"); return false; }
        for (size_t k = 0; k < yn_pairs(e); k++) {
            const ynode *v = yn_val(e, k);
            if (v->kind != YN_SCALAR) { cc_error(c, v, "test event values must be scalars"); return false; }
            int top = et_mapping_toplevel(c->rs->mapping, yn_key(e, k)->str);
            int64_t ft;
            if (top == ACC_TIME && !et_iso_to_filetime(v->str, &ft)) { cc_error(c, v, "bad time '%s' (ISO 8601)", v->str); return false; }
        }
    }
    return true;
}

/* A scenario path relative to the rule file's folder. */
static const char *sc_path(et_cctx *c, const char *p)
{
    if (p[0] == '/') return p;
    const char *slash = strrchr(c->file, '/');
    size_t dir = slash ? (size_t)(slash - c->file) : 1;
    char buf[4096];
    snprintf(buf, sizeof buf, "%.*s/%s", (int)dir, slash ? c->file : ".", p);
    return cc_strdup(c, buf, strlen(buf));
}

/* Each test is checked whatever the ones before gave (every problem is said). */
bool cc_tests(et_cctx *c, const ynode *node)
{
    if (node->kind != YN_SEQ) { cc_error(c, node, "'tests' must be a list"); return false; }
    struct et_rule_impl *im = c->impl;
    im->tests = cc_alloc(c, node->n * sizeof *im->tests);
    bool ok = true;
    for (size_t i = 0; i < node->n; i++) {
        const ynode *t = node->items[i];
        if (t->kind != YN_MAP) { cc_error(c, t, "a test is a map (name, events, expect, expect_not)"); ok = false; continue; }
        cc_check_keys(c, t, test_keys, true, "test");
        et_testcase *tc = &im->tests[im->ntests];
        tc->line = t->line;
        tc->name = yn_str(yn_get(t, "name"));
        if (!tc->name) {
            char buf[32];
            snprintf(buf, sizeof buf, "test %zu", i + 1);
            tc->name = cc_strdup(c, buf, strlen(buf));
        }
        tc->events = yn_get(t, "events");
        const ynode *sc = yn_get(t, "scenario");
        bool one = true;
        if (sc && tc->events) { cc_error(c, sc, "a test has events or a scenario, not both"); one = false; }
        else if (sc && !yn_str(sc)) { cc_error(c, sc, "scenario is a file path"); one = false; }
        else if (sc) tc->scenario = sc_path(c, sc->str);
        else one = check_events(c, tc->events, t);
        one &= ref_list(c, yn_get(t, "expect"), &tc->expect, &tc->nexpect);
        one &= ref_list(c, yn_get(t, "expect_not"), &tc->expect_not, &tc->nexpect_not);
        if (one) im->ntests++;
        else ok = false;
    }
    return ok;
}

/* Every rule a test names must exist (checked once all files are read). */
bool cc_tests_refs(et_cctx *c, et_rule *r)
{
    struct et_rule_impl *im = r->impl;
    for (size_t i = 0; i < im->ntests; i++) {
        const et_testcase *tc = &im->tests[i];
        for (size_t k = 0; k < tc->nexpect + tc->nexpect_not; k++) {
            const char *ref = k < tc->nexpect ? tc->expect[k] : tc->expect_not[k - tc->nexpect];
            if (!et_ruleset_find(c->rs, ref)) {
                cc_error_at(c, tc->line, 0, "test '%s': unknown rule reference '%s'", tc->name, ref);
                return false;
            }
        }
    }
    return true;
}

/* ---- running ------------------------------------------------------------------------- */

typedef struct fired { const et_rule **r; size_t n, cap; } fired;

static void mark(fired *f, const et_rule *r)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->r[i] == r) return;
    if (f->n == f->cap) { f->cap = f->cap ? f->cap * 2 : 16; f->r = realloc(f->r, f->cap * sizeof *f->r); }
    f->r[f->n++] = r;
}

typedef struct runctx { fired f; et_correlator *corr; } runctx;

static void on_match(const et_match *m, void *vctx)
{
    runctx *rc = vctx;
    mark(&rc->f, m->rule);
    et_correlator_add(rc->corr, m);
}

static void on_hit(const et_corr_hit *h, void *vctx) { mark(&((runctx *)vctx)->f, h->rule); }

/* Builds an event from a field map: top-level names set the System values, the rest are fields. */
static void build_event(const et_ruleset *rs, const ynode *map, size_t idx, const char *file, et_event *ev, et_field *fields)
{
    memset(ev, 0, sizeof *ev);
    ev->file = file;
    ev->record_id = idx + 1;
    et_iso_to_filetime("2024-01-01T00:00:00Z", &ev->timestamp);
    ev->timestamp += (int64_t)idx * ET_TICKS_PER_SEC;
    ev->fields = fields;
    for (size_t k = 0; k < yn_pairs(map); k++) {
        const char *name = yn_key(map, k)->str, *v = yn_val(map, k)->str;
        switch (et_mapping_toplevel(rs->mapping, name)) {
        case ACC_EVENT_ID: ev->event_id = (uint32_t)strtoul(v, NULL, 10); break;
        case ACC_CHANNEL: ev->channel = v; break;
        case ACC_PROVIDER: ev->provider = v; break;
        case ACC_PROVIDER_GUID: ev->provider_guid = v; break;
        case ACC_COMPUTER: ev->computer = v; break;
        case ACC_USER_SID: ev->user_sid = v; break;
        case ACC_TIME: et_iso_to_filetime(v, &ev->timestamp); break;
        case ACC_RECORD_ID: ev->record_id = strtoull(v, NULL, 10); break;
        case ACC_LEVEL: ev->has_level = true; ev->level = (uint8_t)atoi(v); break;
        case ACC_TASK: ev->has_task = true; ev->task = (uint16_t)atoi(v); break;
        case ACC_OPCODE: ev->has_opcode = true; ev->opcode = (uint8_t)atoi(v); break;
        case ACC_VERSION: ev->has_version = true; ev->version = (uint8_t)atoi(v); break;
        case ACC_QUALIFIERS: ev->has_qualifiers = true; ev->qualifiers = (uint16_t)atoi(v); break;
        case ACC_KEYWORDS: ev->has_keywords = true; ev->keywords = strtoull(v, NULL, 0); break;
        case ACC_PROCESS_ID: ev->has_process_id = true; ev->process_id = (uint32_t)strtoul(v, NULL, 10); break;
        case ACC_THREAD_ID: ev->has_thread_id = true; ev->thread_id = (uint32_t)strtoul(v, NULL, 10); break;
        default: fields[ev->nfields++] = (et_field){name, v};
        }
    }
}

static bool check(const et_ruleset *rs, const et_testcase *tc, const et_rule *self, const fired *f, char *msg, size_t len)
{
    /* no expect and no expect_not: the test's own rule must fire */
    size_t nwant = tc->nexpect ? tc->nexpect : tc->nexpect_not ? 0 : 1;
    for (size_t k = 0; k < nwant; k++) {
        const et_rule *want = tc->nexpect ? et_ruleset_find(rs, tc->expect[k]) : self;
        bool hit = false;
        for (size_t i = 0; i < f->n && !hit; i++) hit = f->r[i] == want;
        if (!hit) {
            snprintf(msg, len, "expected '%s' to fire, it did not", want ? (want->id ? want->id : want->title) : tc->expect[k]);
            return false;
        }
    }
    for (size_t k = 0; k < tc->nexpect_not; k++) {
        const et_rule *no = et_ruleset_find(rs, tc->expect_not[k]);
        for (size_t i = 0; i < f->n; i++)
            if (f->r[i] == no) {
                snprintf(msg, len, "'%s' fired but must not", no->id ? no->id : no->title);
                return false;
            }
    }
    return true;
}

typedef struct feed { runctx *rc; et_scanner *sc; } feed;

static void feed_event(const et_event *ev, void *vctx)
{
    feed *f = vctx;
    et_correlator_observe(f->rc->corr, ev);
    et_scanner_scan(f->sc, ev, on_match, f->rc);
}

typedef struct runner { et_scenario_fn fn; void *ctx; } runner;

static bool run_one(const et_ruleset *rs, et_scanner *sc, const et_rule *r, const et_testcase *tc, const runner *sr,
                    char *msg, size_t len)
{
    runctx rc = {.corr = et_correlator_new(rs, 0)};
    feed fd = {&rc, sc};
    bool ok = true;
    if (tc->scenario) {
        char err[400] = "";
        if (!sr->fn) { snprintf(msg, len, "scenario tests need a scenario runner"); ok = false; }
        else if (sr->fn(tc->scenario, feed_event, &fd, sr->ctx, err, sizeof err) < 0) {
            snprintf(msg, len, "scenario %s: %s", tc->scenario, err);
            ok = false;
        }
    } else {
        const ynode *evs = tc->events;
        for (size_t i = 0; i < evs->n; i++) {
            et_event ev;
            et_field *fields = calloc(evs->items[i]->n / 2 + 1, sizeof *fields);
            build_event(rs, evs->items[i], i, r->file, &ev, fields);
            feed_event(&ev, &fd);
            free(fields);
        }
    }
    et_correlator_finish(rc.corr, on_hit, &rc);
    if (ok) ok = check(rs, tc, r, &rc.f, msg, len);
    /* an expression that gave up read as no match: a pass would prove nothing */
    et_giveup *gave_up = NULL;
    size_t ngave_up = 0, cap = 0;
    et_scanner_take_giveups(sc, &gave_up, &ngave_up, &cap);
    if (ok && ngave_up) {
        et_giveup_message(&gave_up[0], msg, len);
        ok = false;
    }
    free(gave_up);
    et_correlator_free(rc.corr);
    free(rc.f.r);
    return ok;
}

int et_rules_run_tests(const et_ruleset *rs, et_test_fn fn, void *ctx, size_t *ntests, et_scenario_fn scenario,
                       void *scenario_ctx)
{
    runner sr = {scenario, scenario_ctx};
    int failures = 0;
    size_t total = 0;
    et_scanner *sc = et_scanner_new(rs);
    for (size_t i = 0; i < rs->nrules; i++) {
        const et_rule *r = rs->rules[i];
        for (size_t t = 0; t < r->impl->ntests; t++) {
            const et_testcase *tc = &r->impl->tests[t];
            char msg[ET_GIVEUP_MESSAGE_MAX] = "";   /* the longest failure: a give-up naming its rule file */
            bool ok = run_one(rs, sc, r, tc, &sr, msg, sizeof msg);
            total++;
            if (!ok) failures++;
            et_test_result res = {r, tc->name, r->file, tc->line, ok, ok ? NULL : msg};
            if (fn) fn(&res, ctx);
        }
    }
    et_scanner_free(sc);
    if (ntests) *ntests = total;
    return failures;
}
