/* test_rulesdir.c: where the bundled rule packs are looked for (order, what is said when none is
 * found) and the packs' identity hash (which files count, what changes it). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cli/rulesdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[PATH_MAX];

static void path_of(char *out, size_t n, const char *rel) { snprintf(out, n, "%s/%s", root, rel); }

/* mkdir -p root/rel */
static void mkdirs(const char *rel)
{
    char path[PATH_MAX];
    path_of(path, sizeof path, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') { *p = 0; mkdir(path, 0755); *p = '/'; }
    mkdir(path, 0755);
}

static void put(const char *rel, const char *text)
{
    char path[PATH_MAX];
    path_of(path, sizeof path, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "%s/evtriage-rulesdir-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(root));
    mkdirs("inst/bin");
    mkdirs("inst/share/evtriage/rules/packs");
    mkdirs("prefix/rules/packs");
    mkdirs("src/rules/packs");
    mkdirs("build");
    mkdirs("other/bin");
    mkdirs("nopacks/data");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* The places of an installed tree under root, with the build folder root/build. */
static void places(cli_rules_places *p, char bufs[6][PATH_MAX], const char *env, const char *exe_rel)
{
    path_of(bufs[0], PATH_MAX, exe_rel);
    path_of(bufs[1], PATH_MAX, "build");
    path_of(bufs[2], PATH_MAX, "src/rules");
    path_of(bufs[3], PATH_MAX, "prefix/rules");
    *p = (cli_rules_places){.env = env, .exe = bufs[0], .rel = "../share/evtriage/rules", .build_dir = bufs[1],
                            .source = bufs[2], .prefix = bufs[3]};
}

static void expect_found(const cli_rules_places *p, const char *rel, const char *how)
{
    cli_rules_where w;
    char want[PATH_MAX];
    path_of(want, sizeof want, rel);
    assert_int_equal(cli_rules_find_in(p, &w), 0);
    assert_string_equal(w.dir, want);
    assert_string_equal(w.how, how);
}

static void test_beside_the_executable_first(void **state)
{
    (void)state;
    char b[6][PATH_MAX];
    cli_rules_places p;
    places(&p, b, NULL, "inst/bin/evtriage");
    expect_found(&p, "inst/share/evtriage/rules", "beside the executable");
    places(&p, b, "", "inst/bin/evtriage");   /* an empty EVTRIAGE_RULES is not set */
    expect_found(&p, "inst/share/evtriage/rules", "beside the executable");
}

static void test_environment_wins_and_is_not_passed_over(void **state)
{
    (void)state;
    char b[6][PATH_MAX], env[PATH_MAX];
    cli_rules_places p;
    path_of(env, sizeof env, "prefix/rules");
    places(&p, b, env, "inst/bin/evtriage");
    expect_found(&p, "prefix/rules", "EVTRIAGE_RULES");
    /* a wrong setting is said, not replaced by the installed packs */
    path_of(env, sizeof env, "nopacks");
    places(&p, b, env, "inst/bin/evtriage");
    cli_rules_where w;
    assert_int_equal(cli_rules_find_in(&p, &w), -1);
    assert_non_null(strstr(w.looked, env));
    assert_non_null(strstr(w.looked, "(EVTRIAGE_RULES): no packs/ folder in it"));
    assert_null(strstr(w.looked, "beside the executable"));
}

static void test_prefix_after_executable(void **state)
{
    (void)state;
    char b[6][PATH_MAX];
    cli_rules_places p;
    places(&p, b, NULL, "other/bin/evtriage");
    expect_found(&p, "prefix/rules", "the install prefix");
}

/* A binary in its build folder reads its source tree's rules before the install prefix; a
 * binary anywhere else never looks there. */
static void test_build_tree(void **state)
{
    (void)state;
    char b[6][PATH_MAX];
    cli_rules_places p;
    places(&p, b, NULL, "build/evtriage");
    expect_found(&p, "src/rules", "the source tree of this build");
    places(&p, b, NULL, "other/bin/evtriage");
    p.prefix = NULL;
    cli_rules_where w;
    assert_int_equal(cli_rules_find_in(&p, &w), -1);
    assert_null(strstr(w.looked, "source tree"));
}

/* None found: every place, in order, with why not. */
static void test_none_says_every_place_in_order(void **state)
{
    (void)state;
    char b[6][PATH_MAX], want_beside[PATH_MAX], want_prefix[PATH_MAX + 64], want_source[PATH_MAX + 64];
    cli_rules_places p;
    places(&p, b, NULL, "build/evtriage");
    char gone_src[PATH_MAX], gone_prefix[PATH_MAX];
    path_of(gone_src, sizeof gone_src, "src/gone");
    path_of(gone_prefix, sizeof gone_prefix, "nopacks");
    p.source = gone_src;
    p.prefix = gone_prefix;
    cli_rules_where w;
    assert_int_equal(cli_rules_find_in(&p, &w), -1);
    path_of(want_beside, sizeof want_beside, "share/evtriage/rules (beside the executable): no such folder\n");
    snprintf(want_source, sizeof want_source, "  %s (the source tree of this build): no such folder\n", gone_src);
    snprintf(want_prefix, sizeof want_prefix, "  %s (the install prefix): no packs/ folder in it\n", gone_prefix);
    const char *env = strstr(w.looked, "  EVTRIAGE_RULES: not set\n");
    const char *beside = strstr(w.looked, want_beside);
    const char *source = strstr(w.looked, want_source);
    const char *prefix = strstr(w.looked, want_prefix);
    assert_non_null(env);
    assert_non_null(beside);
    assert_non_null(source);
    assert_non_null(prefix);
    assert_true(env < beside && beside < source && source < prefix);
    /* no executable known: said as such, and the prefix still tried */
    p.exe = NULL;
    assert_int_equal(cli_rules_find_in(&p, &w), -1);
    assert_non_null(strstr(w.looked, "beside the executable: its location is unknown"));
    assert_non_null(strstr(w.looked, want_prefix));
}

/* An executable at / : ../share is /share, not //share or a walk above the root. */
static void test_relative_from_the_root(void **state)
{
    (void)state;
    cli_rules_places p = {.exe = "/evtriage", .rel = "../share/evtriage/rules"};
    cli_rules_where w;
    assert_int_equal(cli_rules_find_in(&p, &w), -1);
    assert_non_null(strstr(w.looked, "  /share/evtriage/rules (beside the executable)"));
}

static void hash_of(const char *rel, char hex[65], size_t *n)
{
    char dir[PATH_MAX], why[256] = "";
    path_of(dir, sizeof dir, rel);
    int rc = cli_packs_sha256(dir, hex, n, why, sizeof why);
    if (rc) fprintf(stderr, "%s\n", why);
    assert_int_equal(rc, 0);
    assert_int_equal(strlen(hex), 64);
}

static void test_packs_hash(void **state)
{
    (void)state;
    mkdirs("h/packs/sub");
    mkdirs("h/data");
    put("h/packs/a.yaml", "title: a\n");
    put("h/packs/sub/b.yml", "title: b\n");
    put("h/data/t.yaml", "k: v\n");
    char h1[65], h2[65];
    size_t n;
    hash_of("h", h1, &n);
    assert_int_equal(n, 3);
    put("h/packs/README.txt", "not a rule\n");   /* other files do not count */
    put("h/other.yaml", "outside packs/ and data/\n");
    hash_of("h", h2, &n);
    assert_string_equal(h1, h2);
    assert_int_equal(n, 3);
    hash_of("h/", h2, &n);   /* a trailing slash names the same folder */
    assert_string_equal(h1, h2);
    put("h/data/t.yaml", "k: w\n");   /* one byte of a table changes it */
    hash_of("h", h2, &n);
    assert_string_not_equal(h1, h2);
    put("h/data/t.yaml", "k: v\n");
    hash_of("h", h2, &n);
    assert_string_equal(h1, h2);
    char from[PATH_MAX], to[PATH_MAX];   /* so does a file's name */
    path_of(from, sizeof from, "h/packs/a.yaml");
    path_of(to, sizeof to, "h/packs/c.yaml");
    assert_int_equal(rename(from, to), 0);
    hash_of("h", h2, &n);
    assert_string_not_equal(h1, h2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beside_the_executable_first),
        cmocka_unit_test(test_environment_wins_and_is_not_passed_over),
        cmocka_unit_test(test_prefix_after_executable),
        cmocka_unit_test(test_build_tree),
        cmocka_unit_test(test_none_says_every_place_in_order),
        cmocka_unit_test(test_relative_from_the_root),
        cmocka_unit_test(test_packs_hash),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
