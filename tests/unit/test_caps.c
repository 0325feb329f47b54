/* test_caps.c: every per-host or per-key table of a report is bounded for real, and says what
 * it left out: the timeline's counts by host and rule (report/tlstore.c: the 257th key used to
 * open the table to every later host), the report's host list (report_util.c), the findings
 * one rule and all rules may have, and correlation hits merged by group (analyze/kept.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "analyze/kept.h"
#include "report/report.h"

static char *dup(const char *s) { return s ? strdup(s) : NULL; }

static char *host_name(size_t i)
{
    char b[32];
    snprintf(b, sizeof b, "HOST%04zu", i);
    return strdup(b);
}

static void test_timeline_key_cap(void **state)
{
    (void)state;
    et_tl_store *s = et_tl_store_new_sized(100);
    const size_t hosts = 600, per = 3;
    for (size_t k = 0; k < per; k++)
        for (size_t i = 0; i <= hosts; i++) {   /* i == hosts: no Computer */
            et_timeline_entry e = {.timestamp = (int64_t)(k * 1000 + i), .record_id = k * 1000 + i};
            e.host = i < hosts ? host_name(i) : NULL;
            e.rule = i % 2 ? host_name(i) : NULL;   /* 300 rules */
            et_tl_store_add(s, &e);
        }
    const et_tl_counts *c = et_tl_store_counts(s);
    assert_int_equal(c->entries, (hosts + 1) * per);
    assert_int_equal(c->nhosts, ET_TL_MAX_KEYS);
    size_t listed = 0, empty = 0;
    for (size_t i = 0; i < c->nhosts; i++) {
        listed += c->hosts[i].n;
        if (!c->hosts[i].key[0]) empty = c->hosts[i].n;
        assert_int_equal(c->hosts[i].n, per);   /* each listed host counted whole, never a catch-all */
    }
    assert_int_equal(empty, 0);                 /* "" came last: past the bound */
    assert_int_equal(listed + c->hosts_other, c->entries);
    assert_int_equal(c->hosts_other, (hosts + 1 - ET_TL_MAX_KEYS) * per);
    assert_int_equal(c->nrules, ET_TL_MAX_KEYS);
    assert_int_equal(c->rules_other, (hosts / 2 - ET_TL_MAX_KEYS) * per);
    /* the counts are taken again without the copies: the same bounds */
    size_t dropped;
    assert_true(et_tl_store_drop_copies(s, &dropped));
    assert_int_equal(dropped, 0);
    c = et_tl_store_counts(s);
    assert_int_equal(c->nhosts, ET_TL_MAX_KEYS);
    assert_int_equal(c->hosts_other, (hosts + 1 - ET_TL_MAX_KEYS) * per);
    et_tl_store_free(s);
}

static void test_report_hosts_cap(void **state)
{
    (void)state;
    et_report r = {0};
    et_input in[3] = {0};
    r.inputs = in;
    r.ninputs = 3;
    for (size_t k = 0; k < 3; k++) {
        in[k].nhosts = 40;
        in[k].hosts = calloc(40, sizeof *in[k].hosts);
        for (size_t i = 0; i < 40; i++) in[k].hosts[i] = host_name(i + k * 20);   /* 100 distinct, overlapping */
    }
    const char **h;
    size_t n = et_report_hosts(&r, &h);
    assert_int_equal(n, ET_REPORT_MAX_HOSTS);
    assert_string_equal(h[0], "HOST0000");
    assert_string_equal(h[40], "HOST0040");   /* first seen first, each once */
    assert_true(et_report_hosts_more(&r));
    free(h);
    r.ninputs = 1;   /* 40 hosts: all listed, no "more" */
    assert_int_equal(et_report_hosts(&r, &h), 40);
    assert_false(et_report_hosts_more(&r));
    free(h);
    in[0].hosts_more = true;
    assert_true(et_report_hosts_more(&r));
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < 40; i++) free(in[k].hosts[i]);
        free(in[k].hosts);
    }
}

static kept_match match_on(const et_rule *rule, size_t host, int64_t t)
{
    kept_match m = {.rule = rule};
    m.ev.file = dup("f.evtx");
    m.ev.computer = host_name(host);
    m.ev.channel = dup("System");
    m.ev.timestamp = t;
    m.ev.record_id = (uint64_t)t;
    m.provider = dup("P");
    return m;
}

/* One rule over 700 hosts: 500 findings, the other 200 hosts' records counted with their time. */
static void test_findings_per_rule(void **state)
{
    (void)state;
    et_rule rules[2] = {{.title = "a", .standalone = true, .index = 0}, {.title = "ctx", .keep_context = true, .index = 1}};
    kept_set k = {0};
    for (size_t i = 0; i < 700; i++)
        for (int j = 0; j < 2; j++) {
            kept_match m = match_on(&rules[0], i, (int64_t)(i * 10 + j));
            kept_add(&k, &m, 1000000);
        }
    assert_int_equal(k.nfinding_groups, KEPT_GROUPS_PER_RULE);
    assert_int_equal(k.over[0].groups, KEPT_GROUPS_PER_RULE);
    assert_int_equal(k.over[0].records, 200 * 2);
    assert_int_equal(k.over[0].first, 5000);
    assert_int_equal(k.over[0].last, 6991);
    assert_int_equal(k.nmatches, KEPT_GROUPS_PER_RULE * 2);
    /* a rule read only as context is not held to one rule's share of findings */
    for (size_t i = 0; i < 700; i++) {
        kept_match m = match_on(&rules[1], i, (int64_t)i);
        kept_add(&k, &m, 1000000);
    }
    assert_int_equal(k.ngroups, KEPT_GROUPS_PER_RULE + 700);
    assert_int_equal(k.over[1].records, 0);
    kept_set_free(&k);
}

/* All rules together: KEPT_MAX_GROUPS findings, then every new host is counted only. */
static void test_findings_in_all(void **state)
{
    (void)state;
    enum { NR = KEPT_MAX_GROUPS / KEPT_GROUPS_PER_RULE + 2 };
    et_rule rules[NR];
    memset(rules, 0, sizeof rules);
    kept_set k = {0};
    for (size_t r = 0; r < NR; r++) {
        rules[r] = (et_rule){.title = "r", .standalone = true, .index = r};
        for (size_t i = 0; i < KEPT_GROUPS_PER_RULE; i++) {
            kept_match m = match_on(&rules[r], i, (int64_t)i);
            kept_add(&k, &m, 1000000);
        }
    }
    assert_int_equal(k.nfinding_groups, KEPT_MAX_GROUPS);
    assert_int_equal(k.over[NR - 1].records + k.over[NR - 2].records, 2 * KEPT_GROUPS_PER_RULE);
    kept_set_free(&k);
}

static kept_hit hit_of(const et_rule *rule, const char *group, int64_t t, size_t events)
{
    kept_hit h = {.rule = rule, .first_time = t, .last_time = t + 5, .count = events, .nevents_total = events};
    h.ngroup = 1;
    h.group = calloc(1, sizeof *h.group);
    h.group[0].key = dup("Computer");
    h.group[0].value = dup(group);
    h.nevents = events;
    h.events = calloc(events, sizeof *h.events);
    for (size_t i = 0; i < events; i++) h.events[i] = match_on(rule, i, t + (int64_t)i);
    return h;
}

/* Hits of one group merge as they come (counts add up, evidence stays bounded and in time
 * order); groups past a rule's share are counted. */
static void test_hits_merged_and_capped(void **state)
{
    (void)state;
    et_rule rule = {.title = "c", .standalone = true, .index = 0};
    kept_set k = {0};
    for (int w = 0; w < 30; w++) {   /* 30 windows of one group, in either case */
        kept_hit h = hit_of(&rule, w % 2 ? "HV01" : "hv01", 1000 - w * 10, 10);
        kept_add_hit(&k, &h);
    }
    assert_int_equal(k.nhits, 1);
    assert_int_equal(k.hits[0].count, 300);
    assert_int_equal(k.hits[0].first_time, 1000 - 29 * 10);
    assert_true(k.hits[0].nevents <= KEPT_PER_GROUP);
    for (size_t i = 1; i < k.hits[0].nevents; i++)
        assert_true(k.hits[0].events[i - 1].ev.timestamp <= k.hits[0].events[i].ev.timestamp);
    for (size_t g = 0; g < KEPT_GROUPS_PER_RULE + 50; g++) {
        char *name = host_name(g + 1);
        kept_hit h = hit_of(&rule, name, 5000 + (int64_t)g, 2);
        free(name);
        kept_add_hit(&k, &h);
    }
    assert_int_equal(k.nhits, KEPT_GROUPS_PER_RULE);
    assert_int_equal(k.over[0].more_hits, 51);
    assert_int_equal(k.over[0].records, 102);
    kept_set_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeline_key_cap), cmocka_unit_test(test_report_hosts_cap),
        cmocka_unit_test(test_findings_per_rule), cmocka_unit_test(test_findings_in_all),
        cmocka_unit_test(test_hits_merged_and_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
