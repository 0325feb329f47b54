/* cmd_rules.c: `evtriage rules lint` (every problem as file:line:column) and `evtriage rules test`
 * (runs the rules' own `tests:`). */
#include "cli/cli.h"
#include "rules/rules.h"
#include "synth/replay.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lint_ctx { int errors, warnings; bool quiet_warnings; } lint_ctx;

static void rules_usage(FILE *f)
{
    fprintf(f,
            "usage: evtriage rules lint [--strict] [--mapping FILE] PATH...\n"
            "       evtriage rules test [--mapping FILE] [-v] PATH...\n\n"
            "PATH is a rule file or a directory walked for *.yml / *.yaml.\n\n"
            "lint   checks every rule document and prints each problem as\n"
            "       'file:line:column: error|warning: message' (unknown or misspelt keys, bad\n"
            "       modifiers, regexes, conditions, unknown rule references, unmapped fields...),\n"
            "       every problem of each rule; past 100 errors or 100 warnings in a file, one\n"
            "       line says how many more. --strict makes warnings errors. Exit 1 when there\n"
            "       is an error.\n"
            "test   runs the `tests:` of every rule against the whole set and prints PASS/FAIL per\n"
            "       test (-v: passes too). Exit 1 on a failing test or a rule error.\n\n"
            "options:\n"
            "  --mapping FILE   logsource and field mapping (default: built-in rules/sigma-mapping.yaml)\n"
            "  --strict         lint: warnings count as errors\n"
            "  -v, --verbose    test: print passing tests too\n"
            "  -h, --help       this help\n");
}

static void print_diag(const et_diag *d, void *vctx)
{
    lint_ctx *l = vctx;
    bool err = d->level == ET_DIAG_ERROR;
    if (d->more_errors || d->more_warnings) {   /* past a file's cap: counted, said in one line */
        l->errors += d->more_errors;
        l->warnings += d->more_warnings;
    } else if (err) {
        l->errors++;
    } else {
        l->warnings++;
    }
    if (!err && l->quiet_warnings) return;
    const char *lvl = err ? "error" : "warning";
    if (d->line) printf("%s:%d:%d: %s: %s\n", d->file, d->line, d->col, lvl, d->message);
    else printf("%s: %s: %s\n", d->file, lvl, d->message);
}

static void print_test(const et_test_result *r, void *vctx)
{
    bool verbose = *(bool *)vctx;
    if (r->passed && !verbose) return;
    printf("%s %s:%d: %s: %s%s%s\n", r->passed ? "PASS" : "FAIL", r->file, r->line,
           r->rule->id ? r->rule->id : r->rule->title, r->name, r->passed ? "" : ": ", r->passed ? "" : r->message);
}

static int run(const char *sub, int argc, char **argv)
{
    static const struct option opts[] = {{"mapping", required_argument, 0, 'm'}, {"strict", no_argument, 0, 's'},
                                         {"verbose", no_argument, 0, 'v'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    et_rules_options ro = {0};
    bool verbose = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'm': ro.mapping = optarg; break;
        case 's': ro.strict = true; break;
        case 'v': verbose = true; break;
        case 'h': rules_usage(stdout); return ET_EXIT_OK;
        default: rules_usage(stderr); return ET_EXIT_USAGE;
        }
    }
    if (optind >= argc) { rules_usage(stderr); return ET_EXIT_USAGE; }
    bool lint = !strcmp(sub, "lint");
    lint_ctx l = {.quiet_warnings = !lint};
    int nerr = 0;
    et_ruleset *rs = et_rules_load(argv + optind, argc - optind, &ro, print_diag, &l, &nerr);
    if (!rs) return ET_EXIT_PROBLEM;
    size_t nrules = et_ruleset_count(rs);
    if (lint) {
        fprintf(stderr, "evtriage: rules lint: %zu rule(s) compiled, %d error(s), %d warning(s)\n", nrules,
                l.errors, l.warnings);
        et_ruleset_free(rs);
        return l.errors ? ET_EXIT_PROBLEM : ET_EXIT_OK;
    }
    size_t ntests = 0;
    int failed = et_rules_run_tests(rs, print_test, &verbose, &ntests, sy_replay, NULL);
    printf("%zu passed, %d failed\n", ntests - (size_t)failed, failed);
    if (!ntests) fprintf(stderr, "evtriage: rules test: no rule has `tests:`\n");
    et_ruleset_free(rs);
    return failed || l.errors ? ET_EXIT_PROBLEM : ET_EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2) { rules_usage(stderr); return ET_EXIT_USAGE; }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        rules_usage(stdout);
        return ET_EXIT_OK;
    }
    if (strcmp(argv[1], "lint") && strcmp(argv[1], "test")) {
        cli_error("rules: unknown subcommand '%s' (lint or test)", argv[1]);
        return ET_EXIT_USAGE;
    }
    return run(argv[1], argc - 1, argv + 1);
}
