/* test_rules_stream.c: correlations streamed through expiring windows. The hits are those of
 * evaluating each group's whole history at once (a brute-force reference here), whether the
 * matches stayed in memory or spilled to disk in many runs; the store gives back exactly what
 * it took, in order; and what the windows hold stays bounded however long the input runs. */
#include "test_rules_helpers.h"
#include "rules/corrstore.h"
#include "rules/corrwin.h"

#define NEV 600

static const char *corr_ec =
    "title: ec\nid: ec\ncorrelation:\n    type: event_count\n    rules: [kms_request]\n"
    "    group-by: [Computer]\n    timespan: 20s\n    condition:\n        gte: 3\n";
static const char *corr_vc =
    "title: vc\nid: vc\ncorrelation:\n    type: value_count\n    rules: [kms_request]\n"
    "    group-by: [Computer]\n    timespan: 60s\n    condition:\n        field: User\n        gte: 3\n";
static const char *corr_tp =
    "title: tp\nid: tp\ncorrelation:\n    type: temporal\n    rules: [kms_request, kms_response]\n"
    "    group-by: [Computer]\n    timespan: 15s\n";
static const char *corr_to =
    "title: to\nid: to\ncorrelation:\n    type: temporal_ordered\n    rules: [kms_request, kms_response]\n"
    "    group-by: [Computer]\n    timespan: 15s\n    skew: 3s\n";
static const char *corr_ab =
    "title: ab\nid: ab\ncorrelation:\n    type: absent\n    rules: [kms_request, kms_response]\n"
    "    group-by: [Computer]\n    timespan: 10s\n    skew: 2s\n";

typedef struct rev { int64_t t; int slot, host, user; } rev;   /* t in seconds, all distinct */
typedef struct sigs { char (*s)[64]; size_t n, cap; } sigs;

static void sig_add(sigs *x, int64_t first, uint64_t count, size_t n, int host)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        x->s = realloc(x->s, x->cap * sizeof *x->s);
        assert_non_null(x->s);
    }
    snprintf(x->s[x->n++], 64, "h%d first=%lld count=%llu n=%zu", host, (long long)first, (unsigned long long)count, n);
}

static int cmp_sig(const void *a, const void *b) { return strcmp(a, b); }

static int64_t t0(void)
{
    int64_t t;
    et_iso_to_filetime("2024-01-01T00:00:00Z", &t);
    return t;
}

static void on_hit(const et_corr_hit *h, void *ctx)
{
    int host = h->ngroup && h->group[0].value ? h->group[0].value[1] - '0' : -1;
    sig_add(ctx, (h->first_time - t0()) / ET_TICKS_PER_SEC, h->count, h->nevents_total, host);
}

/* The events through the scanner and a correlator holding cap matches in memory (fed in a
 * shuffled order); the hits' signatures, sorted. */
static sigs run_stream(const char *corr, const rev *ev, size_t n, size_t cap)
{
    char yaml[8192];
    snprintf(yaml, sizeof yaml, "%s---\n%s", SPP_BASE_RULES, corr);
    et_ruleset *rs = load_ok(yaml);
    et_scanner *sc = et_scanner_new(rs);
    seen s = {.corr = et_correlator_new(rs, cap)};
    for (size_t k = 0; k < n; k++) {
        const rev *e = &ev[(k * 7919) % n];   /* 7919 is prime: a permutation for n not its multiple */
        tev t;
        char user[32], host[8];
        snprintf(user, sizeof user, "User=u%d", e->user);
        snprintf(host, sizeof host, "h%d", e->host);
        mkev(&t, SPP_CH, SPP_PR, e->slot ? 12289 : 12288, e->t, user, NULL);
        t.ev.computer = host;
        et_correlator_observe(s.corr, &t.ev);
        et_scanner_scan(sc, &t.ev, on_m, &s);
        freeev(&t);
    }
    sigs out = {0};
    et_correlator_finish(s.corr, on_hit, &out);
    assert_int_equal(et_correlator_dropped(s.corr), 0);
    et_correlator_free(s.corr);
    et_scanner_free(sc);
    et_ruleset_free(rs);
    qsort(out.s, out.n, sizeof *out.s, cmp_sig);
    return out;
}

/* ---- the reference: each host's whole sorted history at once -------------------------- */

static size_t host_events(const rev *ev, size_t n, int host, int slot, rev *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)   /* ev is in time order */
        if (ev[i].host == host && (slot < 0 || ev[i].slot == slot)) out[k++] = ev[i];
    return k;
}

static void ref_event_count(const rev *m, size_t n, int host, sigs *x)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && m[j + 1].t - m[i].t <= 20) j++;
        if (j - i + 1 >= 3) { sig_add(x, m[i].t, j - i + 1, j - i + 1, host); i = j + 1; }
        else i++;
    }
}

static void ref_value_count(const rev *m, size_t n, int host, sigs *x)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && m[j].t - m[i].t <= 60) j++;
        int seen_user[8] = {0}, distinct = 0;
        for (size_t k = i; k < j; k++) distinct += !seen_user[m[k].user]++;
        if (distinct >= 3) { sig_add(x, m[i].t, (uint64_t)distinct, j - i, host); i = j; }
        else i++;
    }
}

static void ref_temporal(const rev *m, size_t n, int host, sigs *x)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && m[j].t - m[i].t <= 15) j++;
        int has[2] = {0};
        for (size_t k = i; k < j; k++) has[m[k].slot] = 1;
        if (has[0] && has[1]) { sig_add(x, m[i].t, 2, j - i, host); i = j; }
        else i++;
    }
}

static void ref_ordered(const rev *m, size_t n, int host, sigs *x)
{
    size_t next_anchor = 0;
    for (size_t i = 0; i < n; i++) {
        if (i < next_anchor || m[i].slot != 0) continue;
        for (size_t q = 0; q < n; q++) {
            if (m[q].slot != 1 || m[q].t < m[i].t - 3 || m[q].t > m[i].t + 15) continue;
            sig_add(x, m[q].t < m[i].t ? m[q].t : m[i].t, 2, 2, host);
            next_anchor = (q > i ? q : i) + 1;
            break;
        }
    }
}

static void ref_absent(const rev *m, size_t n, int host, int64_t end, sigs *x)
{
    for (size_t i = 0; i < n; i++) {
        if (m[i].slot != 0 || end < m[i].t + 10) continue;
        bool answered = false;
        for (size_t q = 0; q < n && !answered; q++)
            answered = m[q].slot == 1 && m[q].t >= m[i].t - 2 && m[q].t <= m[i].t + 10;
        if (!answered) sig_add(x, m[i].t, 1, 1, host);
    }
}

static sigs run_reference(int kind, const rev *ev, size_t n)
{
    sigs out = {0};
    rev m[NEV];
    for (int h = 0; h < 3; h++) {
        size_t k = host_events(ev, n, h, kind <= 1 ? 0 : -1, m);
        switch (kind) {
        case 0: ref_event_count(m, k, h, &out); break;
        case 1: ref_value_count(m, k, h, &out); break;
        case 2: ref_temporal(m, k, h, &out); break;
        case 3: ref_ordered(m, k, h, &out); break;
        case 4: ref_absent(m, k, h, ev[n - 1].t, &out); break;
        }
    }
    qsort(out.s, out.n, sizeof *out.s, cmp_sig);
    return out;
}

static void make_events(rev *ev, size_t n, unsigned seed)
{
    srand(seed);
    for (size_t i = 0; i < n; i++)   /* distinct, increasing times; bursts and gaps */
        ev[i] = (rev){.t = (int64_t)i * 4 + rand() % 4 + (i / 50) * 40, .slot = rand() % 3 == 0,
                      .host = rand() % 3, .user = rand() % 4};
}

static void assert_same(const sigs *a, const sigs *b, const char *what)
{
    if (a->n != b->n) fail_msg("%s: %zu hits, reference %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->s[i], b->s[i])) fail_msg("%s: hit %zu is '%s', reference '%s'", what, i, a->s[i], b->s[i]);
}

static void test_matches_reference(void **state)
{
    (void)state;
    const char *corr[] = {corr_ec, corr_vc, corr_tp, corr_to, corr_ab};
    static rev ev[NEV];
    for (unsigned seed = 1; seed <= 6; seed++) {
        make_events(ev, NEV, seed);
        for (int kind = 0; kind < 5; kind++) {
            sigs want = run_reference(kind, ev, NEV);
            assert_true(want.n > 0);   /* the data exercises every kind */
            sigs mem = run_stream(corr[kind], ev, NEV, 0), disk = run_stream(corr[kind], ev, NEV, 7);
            char what[64];
            snprintf(what, sizeof what, "seed %u kind %d in memory", seed, kind);
            assert_same(&mem, &want, what);
            snprintf(what, sizeof what, "seed %u kind %d spilled", seed, kind);
            assert_same(&disk, &want, what);
            free(want.s);
            free(mem.s);
            free(disk.s);
        }
    }
}

/* A correlation over a correlation, its input spilled in runs of 2: the same as in memory. */
static void test_chain_spilled(void **state)
{
    (void)state;
    const char *chain =
        "title: ec\nid: ec\nname: many_requests\ncorrelation:\n    type: event_count\n    rules: [kms_request]\n"
        "    group-by: [Computer]\n    timespan: 20s\n    condition:\n        gte: 3\n"
        "---\n"
        "title: many then answer\nid: ch\ncorrelation:\n    type: temporal_ordered\n"
        "    rules: [many_requests, kms_response]\n    group-by: [Computer]\n    timespan: 1m\n";
    static rev ev[NEV];
    make_events(ev, NEV, 42);
    sigs mem = run_stream(chain, ev, NEV, 0), disk = run_stream(chain, ev, NEV, 2);
    assert_true(mem.n > 0);
    assert_same(&disk, &mem, "chain spilled");
    free(mem.s);
    free(disk.s);
}

static void test_store_round_trip(void **state)
{
    (void)state;
    cstore *s = cstore_new(100);
    enum { N = 10000 };
    for (int i = 0; i < N; i++) {
        char v[32];
        snprintf(v, sizeof v, "value-%d", i);
        et_value_ref vals[] = {{"User", v}, {"Empty", NULL}};
        int64_t ts = (int64_t)((i * 7919) % N);   /* every time once, out of order */
        cstore_add(s, citem_new((uint32_t)(i % 3), ts, (uint64_t)i, 4624, i % 2 ? "a.evtx" : NULL, "HOST",
                                "Security", vals, 2));
    }
    assert_true(cstore_runs(s) >= N / 100 - 1);
    assert_int_equal(cstore_count(s), N);
    for (int pass = 0; pass < 2; pass++) {   /* read twice: as often as the correlator needs */
        cstore_iter *it = cstore_iter_new(s);
        citem *c, *prev = NULL;
        int n = 0;
        while ((c = cstore_iter_next(it))) {
            if (prev) assert_true(citem_cmp(prev, c) < 0);
            char want[32];
            snprintf(want, sizeof want, "value-%llu", (unsigned long long)c->record_id);
            assert_string_equal(citem_value(c, "User"), want);
            assert_null(citem_value(c, "Empty"));
            assert_string_equal(citem_value(c, "Computer"), "HOST");
            assert_int_equal(c->event_id, 4624);
            if (c->record_id % 2) assert_string_equal(c->file, "a.evtx");
            else assert_null(c->file);
            citem_unref(prev);
            prev = c;
            n++;
        }
        citem_unref(prev);
        assert_int_equal(n, N);
        cstore_iter_free(it);
    }
    assert_int_equal(cstore_lost(s), 0);
    cstore_free(s);
}

static void ignore_hit(void *ctx, const et_rule *r, const cwin_member *m, size_t n, uint64_t count)
{
    (void)r; (void)m; (void)n; (void)count;
    ++*(size_t *)ctx;
}

/* Half a million members over four days: what the windows hold stays what a window can hold. */
static void test_windows_expire(void **state)
{
    (void)state;
    const char *corr[] = {corr_ec, corr_vc, corr_to, corr_ab};
    for (int kind = 0; kind < 4; kind++) {
        char yaml[8192];
        snprintf(yaml, sizeof yaml, "%s---\n%s", SPP_BASE_RULES, corr[kind]);
        et_ruleset *rs = load_ok(yaml);
        const et_rule *r = et_ruleset_rule(rs, 2);
        size_t hits = 0, max_held = 0, max_groups = 0;
        cwin *w = cwin_new(r, ignore_hit, &hits);
        for (uint64_t i = 0; i < 500000; i++) {
            /* five busy hosts, then hosts that each log 50 records and fall quiet */
            char user[32], host[32];
            snprintf(user, sizeof user, "u%llu", (unsigned long long)i);   /* ever new values */
            snprintf(host, sizeof host, "h%llu", (unsigned long long)(i < 250000 ? i % 5 : i / 50));
            et_value_ref v[] = {{"User", user}};
            citem *it = citem_new(0, t0() + (int64_t)i * ET_TICKS_PER_SEC * 7 / 10, i, 12288, "f.evtx", host,
                                  SPP_CH, v, 1);
            cwin_add(w, it, kind >= 2 && i % 4 == 3 ? 1 : 0);
            citem_unref(it);
            if (cwin_held(w) > max_held) max_held = cwin_held(w);
            if (cwin_groups(w) > max_groups) max_groups = cwin_groups(w);
        }
        /* at most a minute of members (value_count's window) plus a sweep's worth; quiet
         * hosts' groups go at the next sweep */
        if (max_held > 5 * 100 + 1100) fail_msg("kind %d held %zu members", kind, max_held);
        if (max_groups > 100) fail_msg("kind %d kept %zu groups", kind, max_groups);
        cwin_finish(w, t0() + 500000LL * ET_TICKS_PER_SEC);
        assert_int_equal(cwin_held(w), 0);
        assert_true(hits > 0);
        cwin_free(w);
        et_ruleset_free(rs);
    }
}

/* A window holding more than the bound: its oldest members go unevaluated and are counted, so
 * memory stays bounded and the loss is known. */
static void test_window_bound(void **state)
{
    (void)state;
    const char *big_window =
        "title: many\nid: many\ncorrelation:\n    type: event_count\n    rules: [kms_request]\n"
        "    group-by: [Computer]\n    timespan: 1h\n    condition:\n        gte: 4000\n";
    char yaml[8192];
    snprintf(yaml, sizeof yaml, "%s---\n%s", SPP_BASE_RULES, big_window);
    et_ruleset *rs = load_ok(yaml);
    for (int bounded = 0; bounded < 2; bounded++) {
        size_t hits = 0, max_held = 0;
        cwin *w = cwin_new(et_ruleset_rule(rs, 2), ignore_hit, &hits);
        if (bounded) cwin_set_max_held(w, 1000);
        for (uint64_t i = 0; i < 5000; i++) {   /* 5,000 requests in 50 minutes, one host */
            citem *it = citem_new(0, t0() + (int64_t)i * ET_TICKS_PER_SEC * 6 / 10, i, 12288, "f.evtx", "h1", SPP_CH,
                                  NULL, 0);
            cwin_add(w, it, 0);
            citem_unref(it);
            if (cwin_held(w) > max_held) max_held = cwin_held(w);
        }
        cwin_finish(w, t0() + 5000LL * ET_TICKS_PER_SEC);
        if (bounded) {
            assert_true(max_held <= 1000);
            assert_int_equal(cwin_overflowed(w), 4000);
            assert_int_equal(hits, 0);   /* undercounted, and said so */
        } else {
            assert_int_equal(max_held, 5000);
            assert_int_equal(cwin_overflowed(w), 0);
            assert_int_equal(hits, 1);
        }
        cwin_free(w);
    }
    et_ruleset_free(rs);
    /* every kind stays within a bound of 50 on a dense stream */
    const char *corr[] = {corr_ec, corr_vc, corr_tp, corr_to, corr_ab};
    for (int kind = 0; kind < 5; kind++) {
        snprintf(yaml, sizeof yaml, "%s---\n%s", SPP_BASE_RULES, corr[kind]);
        rs = load_ok(yaml);
        size_t hits = 0, max_held = 0;
        cwin *w = cwin_new(et_ruleset_rule(rs, 2), ignore_hit, &hits);
        cwin_set_max_held(w, 50);
        for (uint64_t i = 0; i < 3000; i++) {   /* ten a second */
            char user[16];
            snprintf(user, sizeof user, "u%llu", (unsigned long long)(i % 7));
            et_value_ref v[] = {{"User", user}};
            citem *it = citem_new(0, t0() + (int64_t)i * ET_TICKS_PER_SEC / 10, i, 12288, "f.evtx", "h1", SPP_CH, v, 1);
            cwin_add(w, it, kind >= 2 && i % 3 == 2 ? 1 : 0);
            citem_unref(it);
            if (cwin_held(w) > max_held) max_held = cwin_held(w);
        }
        cwin_finish(w, t0() + 3000LL * ET_TICKS_PER_SEC);
        if (max_held > 50) fail_msg("kind %d held %zu", kind, max_held);
        assert_true(cwin_overflowed(w) > 0);
        assert_int_equal(cwin_held(w), 0);
        cwin_free(w);
        et_ruleset_free(rs);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_reference), cmocka_unit_test(test_chain_spilled),
        cmocka_unit_test(test_store_round_trip), cmocka_unit_test(test_windows_expire),
        cmocka_unit_test(test_window_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
