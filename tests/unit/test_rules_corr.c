/* test_rules_corr.c: correlations (event_count, value_count, temporal, temporal_ordered, absent)
 * with their boundaries: exactly at the timespan, input out of order, missing group-by values,
 * clock skew, chained correlations, generate. */
#include "test_rules_helpers.h"


typedef struct hits { int n; uint64_t count[32]; int64_t first[32]; char group[32][128]; size_t nev[32]; char rule[32][64]; } hits;

static void on_hit(const et_corr_hit *h, void *ctx)
{
    hits *x = ctx;
    if (x->n >= 32) return;
    x->count[x->n] = h->count;
    x->first[x->n] = h->first_time;
    x->nev[x->n] = h->nevents_total;
    snprintf(x->rule[x->n], sizeof x->rule[0], "%s", h->rule->id ? h->rule->id : "");
    x->group[x->n][0] = 0;
    for (size_t i = 0; i < h->ngroup; i++)
        snprintf(x->group[x->n] + strlen(x->group[x->n]), 128 - strlen(x->group[x->n]), "%s=%s;", h->group[i].name,
                 h->group[i].value ? h->group[i].value : "");
    x->n++;
}

typedef struct evspec { uint32_t eid; int64_t sec; const char *computer; const char *user; } evspec;

/* Runs the events in the given order (indexes), returns the hits. */
static void run(const char *corr_yaml, const evspec *evs, size_t n, const size_t *order, hits *out)
{
    char yaml[8192];
    snprintf(yaml, sizeof yaml, "%s---\n%s", SPP_BASE_RULES, corr_yaml);
    et_ruleset *rs = load_ok(yaml);
    et_scanner *sc = et_scanner_new(rs);
    seen s = {.corr = et_correlator_new(rs, 0)};
    for (size_t k = 0; k < n; k++) {
        const evspec *e = &evs[order ? order[k] : k];
        tev t;
        char user[64];
        snprintf(user, sizeof user, "User=%s", e->user ? e->user : "");
        mkev(&t, SPP_CH, SPP_PR, e->eid, e->sec, e->user ? user : NULL, NULL);
        t.ev.computer = e->computer;
        et_correlator_observe(s.corr, &t.ev);
        et_scanner_scan(sc, &t.ev, on_m, &s);
        freeev(&t);
    }
    memset(out, 0, sizeof *out);
    et_correlator_finish(s.corr, on_hit, out);
    et_correlator_free(s.corr);
    et_scanner_free(sc);
    et_ruleset_free(rs);
}

static const char *count3 =
    "title: three requests\nid: c3\ncorrelation:\n    type: event_count\n    rules: [kms_request]\n"
    "    group-by: [Computer]\n    timespan: 10s\n    condition:\n        gte: 3\n";

static void test_event_count_boundary(void **state)
{
    (void)state;
    hits h;
    /* third request exactly 10 s after the first: inside */
    evspec at[] = {{12288, 0, "h1", 0}, {12288, 5, "h1", 0}, {12288, 10, "h1", 0}};
    run(count3, at, 3, NULL, &h);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.count[0], 3);
    assert_string_equal(h.group[0], "Computer=h1;");
    /* 11 s: outside */
    evspec over[] = {{12288, 0, "h1", 0}, {12288, 5, "h1", 0}, {12288, 11, "h1", 0}};
    run(count3, over, 3, NULL, &h);
    assert_int_equal(h.n, 0);
    /* groups are separate */
    evspec split[] = {{12288, 0, "h1", 0}, {12288, 1, "h2", 0}, {12288, 2, "h1", 0}};
    run(count3, split, 3, NULL, &h);
    assert_int_equal(h.n, 0);
}

/* The same two requests read from two files (a copied log): by default each record counts once
 * (no third request, no hit, two copies passed over); with copies kept they make four. Another
 * record at the same time (another record id) still counts. */
static size_t run_copies(bool keep, int extra_record, hits *out)
{
    char yaml[8192];
    snprintf(yaml, sizeof yaml, "%s---\n%s", SPP_BASE_RULES, count3);
    et_ruleset *rs = load_ok(yaml);
    et_scanner *sc = et_scanner_new(rs);
    seen s = {.corr = et_correlator_new(rs, 0)};
    et_correlator_keep_copies(s.corr, keep);
    const char *files[] = {"b.evtx", "a.evtx"};
    for (int f = 0; f < 2; f++)
        for (int64_t sec = 0; sec < 2 + (f == 1 && extra_record); sec++) {
            tev t;
            mkev(&t, SPP_CH, SPP_PR, 12288, sec, NULL, NULL);
            t.ev.computer = "h1";
            t.ev.file = files[f];
            if (sec == 2) { t.ev.timestamp -= 2 * ET_TICKS_PER_SEC; t.ev.record_id = 99; }   /* at time 0 */
            et_correlator_observe(s.corr, &t.ev);
            et_scanner_scan(sc, &t.ev, on_m, &s);
            freeev(&t);
        }
    memset(out, 0, sizeof *out);
    et_correlator_finish(s.corr, on_hit, out);
    size_t copies = et_correlator_copies(s.corr);
    et_correlator_free(s.corr);
    et_scanner_free(sc);
    et_ruleset_free(rs);
    return copies;
}

static void test_copies(void **state)
{
    (void)state;
    hits h;
    assert_int_equal(run_copies(false, 0, &h), 2);
    assert_int_equal(h.n, 0);
    assert_int_equal(run_copies(true, 0, &h), 0);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.count[0], 4);
    assert_int_equal(run_copies(false, 1, &h), 2);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.count[0], 3);
}

static void test_out_of_order(void **state)
{
    (void)state;
    evspec evs[] = {{12288, 0, "h1", 0}, {12288, 4, "h1", 0}, {12288, 9, "h1", 0}, {12288, 100, "h1", 0},
                    {12288, 101, "h1", 0}, {12288, 102, "h1", 0}, {12288, 500, "h2", 0}};
    size_t fwd[] = {0, 1, 2, 3, 4, 5, 6}, rev[] = {6, 5, 4, 3, 2, 1, 0}, mix[] = {3, 0, 6, 5, 1, 4, 2};
    hits a, b, c;
    run(count3, evs, 7, fwd, &a);
    run(count3, evs, 7, rev, &b);
    run(count3, evs, 7, mix, &c);
    assert_int_equal(a.n, 2);
    assert_int_equal(b.n, a.n);
    assert_int_equal(c.n, a.n);
    for (int i = 0; i < a.n; i++) {
        assert_int_equal(a.first[i], b.first[i]);
        assert_int_equal(a.first[i], c.first[i]);
        assert_int_equal(a.count[i], c.count[i]);
    }
}

static void test_missing_group_field(void **state)
{
    (void)state;
    const char *byuser =
        "title: by user\nid: cu\ncorrelation:\n    type: event_count\n    rules: [kms_request]\n"
        "    group-by: [User]\n    timespan: 1m\n    condition:\n        gte: 2\n";
    hits h;
    /* two events without a User: not grouped together (left out), one with: no hit */
    evspec evs[] = {{12288, 0, "h1", NULL}, {12288, 1, "h1", NULL}, {12288, 2, "h1", "bob"}};
    run(byuser, evs, 3, NULL, &h);
    assert_int_equal(h.n, 0);
    evspec two[] = {{12288, 0, "h1", "bob"}, {12288, 1, "h2", NULL}, {12288, 2, "h3", "bob"}};
    run(byuser, two, 3, NULL, &h);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.group[0], "User=bob;");
    assert_int_equal(h.nev[0], 2);
}

static void test_value_count(void **state)
{
    (void)state;
    const char *vc =
        "title: users\nid: vc\ncorrelation:\n    type: value_count\n    rules: [kms_request]\n"
        "    group-by: [Computer]\n    timespan: 1m\n    condition:\n        field: User\n        gte: 3\n";
    hits h;
    evspec dup[] = {{12288, 0, "h1", "a"}, {12288, 1, "h1", "a"}, {12288, 2, "h1", "b"}, {12288, 3, "h1", "B"}};
    run(vc, dup, 4, NULL, &h);
    assert_int_equal(h.n, 0);     /* values compare case-insensitively: a, b = 2 distinct */
    evspec grp[] = {{12288, 0, "HOST1", "a"}, {12288, 1, "host1", "b"}, {12288, 2, "Host1", "c"}};
    run(vc, grp, 3, NULL, &h);
    assert_int_equal(h.n, 1);     /* and so do group-by values */
}

static void test_value_count_hit(void **state)
{
    (void)state;
    const char *vc =
        "title: users\nid: vc\ncorrelation:\n    type: value_count\n    rules: [kms_request]\n"
        "    group-by: [Computer]\n    timespan: 1m\n    condition:\n        field: User\n        gte: 3\n";
    hits h;
    evspec three[] = {{12288, 0, "h1", "a"}, {12288, 1, "h1", "a"}, {12288, 2, "h1", "b"}, {12288, 60, "h1", "c"}};
    run(vc, three, 4, NULL, &h);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.count[0], 3);
    evspec late[] = {{12288, 0, "h1", "a"}, {12288, 2, "h1", "b"}, {12288, 61, "h1", "c"}};
    run(vc, late, 3, NULL, &h);
    assert_int_equal(h.n, 0);
}

static void test_temporal(void **state)
{
    (void)state;
    const char *tp = "title: both\nid: tp\ncorrelation:\n    type: temporal\n    rules: [kms_request, kms_response]\n"
                     "    group-by: [Computer]\n    timespan: 30s\n";
    hits h;
    evspec any_order[] = {{12289, 0, "h1", 0}, {12288, 30, "h1", 0}};
    run(tp, any_order, 2, NULL, &h);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.count[0], 2);
    evspec apart[] = {{12289, 0, "h1", 0}, {12288, 31, "h1", 0}};
    run(tp, apart, 2, NULL, &h);
    assert_int_equal(h.n, 0);
    evspec other_host[] = {{12289, 0, "h1", 0}, {12288, 1, "h2", 0}};
    run(tp, other_host, 2, NULL, &h);
    assert_int_equal(h.n, 0);
}

static void test_temporal_ordered(void **state)
{
    (void)state;
    const char *to = "title: ordered\nid: to\ncorrelation:\n    type: temporal_ordered\n    rules: [kms_request, kms_response]\n"
                     "    group-by: [Computer]\n    timespan: 30s\n";
    hits h;
    evspec ok[] = {{12288, 0, "h1", 0}, {12289, 30, "h1", 0}};
    size_t rev[] = {1, 0};
    run(to, ok, 2, rev, &h);            /* fed in reverse: order is by time, not input */
    assert_int_equal(h.n, 1);
    evspec wrong[] = {{12289, 0, "h1", 0}, {12288, 5, "h1", 0}};
    run(to, wrong, 2, NULL, &h);
    assert_int_equal(h.n, 0);
    /* with 10 s clock skew tolerance, a response stamped 5 s before the request still counts */
    const char *skew = "title: ordered\nid: to\ncorrelation:\n    type: temporal_ordered\n    rules: [kms_request, kms_response]\n"
                       "    group-by: [Computer]\n    timespan: 30s\n    skew: 10s\n";
    run(skew, wrong, 2, NULL, &h);
    assert_int_equal(h.n, 1);
}

static const char *absent =
    "title: no answer\nid: na\nlevel: medium\ncorrelation:\n    type: absent\n    rules: [kms_request, kms_response]\n"
    "    group-by: [Computer]\n    timespan: 5m\n";

static const char *absent_at_end =
    "title: no answer\nid: na\nlevel: medium\ncorrelation:\n    type: absent\n    rules: [kms_request, kms_response]\n"
    "    group-by: [Computer]\n    timespan: 5m\n    at_end: absent\n";

static void test_absent(void **state)
{
    (void)state;
    hits h;
    /* request at 0 answered at 1 s; request at 100 never answered; the log goes on past 400 s */
    evspec evs[] = {{12288, 0, "h1", 0}, {12289, 1, "h1", 0}, {12288, 100, "h1", 0}, {1, 500, "h1", 0}};
    run(absent, evs, 4, NULL, &h);
    assert_int_equal(h.n, 1);
    int64_t t100;
    et_iso_to_filetime("2024-01-01T00:01:40Z", &t100);
    assert_int_equal(h.first[0], t100);
    /* answer exactly 5 min later: answered */
    evspec edge[] = {{12288, 0, "h1", 0}, {12289, 300, "h1", 0}, {1, 900, "h1", 0}};
    run(absent, edge, 3, NULL, &h);
    assert_int_equal(h.n, 0);
    /* answer 301 s later: too late */
    evspec late[] = {{12288, 0, "h1", 0}, {12289, 301, "h1", 0}};
    run(absent, late, 2, NULL, &h);
    assert_int_equal(h.n, 1);
    /* the input ends 10 s after the request: undecided, no hit */
    evspec cut[] = {{12288, 0, "h1", 0}, {1, 10, "h1", 0}};
    run(absent, cut, 2, NULL, &h);
    assert_int_equal(h.n, 0);
    /* an answer on another computer does not count */
    evspec other[] = {{12288, 0, "h1", 0}, {12289, 1, "h2", 0}, {1, 900, "h1", 0}};
    run(absent, other, 3, NULL, &h);
    assert_int_equal(h.n, 1);
    /* at_end: absent: the input ending before the wait is over counts as no answer (an answer
     * that would come before or with the request cannot be hidden by the log's end) */
    run(absent_at_end, cut, 2, NULL, &h);
    assert_int_equal(h.n, 1);
    evspec cut_answered[] = {{12289, 0, "h1", 0}, {12288, 5, "h1", 0}};
    run(absent_at_end, cut_answered, 2, NULL, &h);
    assert_int_equal(h.n, 1);   /* the answer came before the request, outside [t, t + 5 min] */
}

static void test_chain_and_generate(void **state)
{
    (void)state;
    /* three requests, then (within a minute) a response: temporal_ordered over a correlation */
    const char *chain =
        "title: three requests\nid: c3\nname: many_requests\ncorrelation:\n    type: event_count\n    rules: [kms_request]\n"
        "    group-by: [Computer]\n    timespan: 10s\n    condition:\n        gte: 3\n"
        "---\n"
        "title: many then answer\nid: ch\ncorrelation:\n    type: temporal_ordered\n    rules: [many_requests, kms_response]\n"
        "    group-by: [Computer]\n    timespan: 1m\n";
    hits h;
    evspec evs[] = {{12288, 0, "h1", 0}, {12288, 1, "h1", 0}, {12288, 2, "h1", 0}, {12289, 30, "h1", 0}};
    run(chain, evs, 4, NULL, &h);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.rule[0], "c3");
    assert_string_equal(h.rule[1], "ch");
    /* generate: referenced rules stay standalone only with generate: true */
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s---\n%s", SPP_BASE_RULES, count3);
    et_ruleset *rs = load_ok(yaml);
    assert_false(et_ruleset_find(rs, "req")->standalone);
    assert_true(et_ruleset_find(rs, "resp")->standalone);
    assert_true(et_rule_feeds_correlation(et_ruleset_find(rs, "req")));
    et_ruleset_free(rs);
    snprintf(yaml, sizeof yaml, "%s---\n%s    generate: true\n", SPP_BASE_RULES, count3);
    rs = load_ok(yaml);
    assert_true(et_ruleset_find(rs, "req")->standalone);
    et_ruleset_free(rs);
}

static void test_aliases(void **state)
{
    (void)state;
    /* request grouped by User, response by its own field Account: an alias joins them */
    const char *al =
        "title: joined\nid: al\ncorrelation:\n    type: temporal\n    rules: [kms_request, kms_response]\n"
        "    aliases:\n        who:\n            kms_request: User\n            kms_response: Account\n"
        "    group-by: [who]\n    timespan: 1m\n";
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s---\n%s", SPP_BASE_RULES, al);
    et_ruleset *rs = load_ok(yaml);
    et_scanner *sc = et_scanner_new(rs);
    seen s = {.corr = et_correlator_new(rs, 0)};
    tev a, b;
    mkev(&a, SPP_CH, SPP_PR, 12288, 0, "User=bob", NULL);
    mkev(&b, SPP_CH, SPP_PR, 12289, 5, "Account=bob", NULL);
    et_scanner_scan(sc, &a.ev, on_m, &s);
    et_scanner_scan(sc, &b.ev, on_m, &s);
    hits h = {0};
    et_correlator_finish(s.corr, on_hit, &h);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.group[0], "who=bob;");
    freeev(&a);
    freeev(&b);
    et_correlator_free(s.corr);
    et_scanner_free(sc);
    et_ruleset_free(rs);
}

typedef struct rendered { char title[256]; } rendered;

static const char *hit_lookup(const char *name, void *ctx)
{
    static char buf[64];
    return et_hit_value(ctx, name, buf);
}

static void render_hit(const et_corr_hit *h, void *ctx)
{
    rendered *r = ctx;
    et_buf b = {0};
    assert_non_null(h->rule->rca);
    et_template_render(&b, h->rule->rca->title, hit_lookup, (void *)h, NULL);
    et_buf_putc(&b, 0);
    snprintf(r->title, sizeof r->title, "%s", b.data);
    et_buf_free(&b);
}

static void test_rca_render(void **state)
{
    (void)state;
    /* the report stage fills rca templates from the hit: group values, evidence values, count */
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "title: request\nid: req\nname: kms_request\nlogsource:\n    product: windows\n    service: security-spp\n"
             "extract:\n    kms: {field: Data, split: ', ', index: 2}\n"
             "detection:\n    s:\n        EventID: 12288\n    condition: s\n---\n%s"
             "rca:\n    title: '{Computer}: {count} request(s) to {kms} since {first_time}, {nope}'\n"
             "    explains: [req]\n", count3);
    et_ruleset *rs = load_ok(yaml);
    const et_rule *c3 = et_ruleset_find(rs, "c3");
    assert_int_equal(c3->rca->nexplains, 1);
    assert_ptr_equal(c3->rca->explains[0], et_ruleset_find(rs, "req"));
    et_scanner *sc = et_scanner_new(rs);
    seen s = {.corr = et_correlator_new(rs, 0)};
    for (int i = 0; i < 3; i++) {
        tev t;
        mkev(&t, SPP_CH, SPP_PR, 12288, i, "Data=0x0, 0x0, kms.example.com:1688, cmid", NULL);
        t.ev.computer = "vm1";
        et_scanner_scan(sc, &t.ev, on_m, &s);
        freeev(&t);
    }
    rendered r = {{0}};
    assert_int_equal(et_correlator_finish(s.corr, render_hit, &r), 1);
    assert_string_equal(r.title, "vm1: 3 request(s) to kms.example.com:1688 since 2024-01-01T00:00:00.0000000Z, <nope>");
    et_correlator_free(s.corr);
    et_scanner_free(sc);
    et_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_count_boundary), cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_missing_group_field),  cmocka_unit_test(test_value_count),
        cmocka_unit_test(test_value_count_hit),      cmocka_unit_test(test_temporal),
        cmocka_unit_test(test_temporal_ordered),     cmocka_unit_test(test_absent),
        cmocka_unit_test(test_chain_and_generate),   cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_rca_render),           cmocka_unit_test(test_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
