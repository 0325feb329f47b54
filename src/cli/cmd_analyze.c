/* cmd_analyze.c: `evtriage analyze`: the support-triage command: rule packs over every input,
 * one ranked root-cause report on the terminal, and Markdown, HTML, JSON and timeline files. */
#include "analyze/analysis.h"
#include "cli/cli.h"
#include "cli/outfiles.h"
#include "cli/rulesdir.h"
#include "core/pool.h"
#include "core/wholefile.h"
#include "report/report.h"
#include "rules/rules.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct analyze_args {
    const char *md, *html, *json, *timeline, *tz;
    char **rules; int nrules;
    bool all, colour_never, quiet, no_hash, keep_copies;
    int jobs;
    int fail_on;              /* -1: never */
    et_input_limits limits;
} analyze_args;

static void analyze_usage(FILE *f)
{
    fprintf(f,
            "usage: evtriage analyze [OPTIONS] PATH...\n\n"
            "Reads every EVTX file under PATH (files, directories, archives, compressed files), matches\n"
            "the rule packs, correlates across files and hosts, and prints a ranked root-cause report:\n"
            "what failed, why, the records that prove it, and the fix with commands filled in from the\n"
            "events.\n"
            "PATH '-' is standard input (an EVTX file or an archive). A report FILE '-' is standard\n"
            "output (one of them; the terminal report is then left out).\n\n"
            "options:\n"
            "  --rules PATH         rule file or directory (repeatable; default: the bundled packs)\n"
            "  --report-md FILE     write the report as Markdown\n"
            "  --report-html FILE   write the report as one self-contained HTML file\n"
            "  --json FILE          write the report as JSON (schema: docs/report.md)\n"
            "  --timeline FILE      write the timeline: CSV for Timesketch, or JSON Lines if FILE ends in .jsonl\n"
            "  --all                the timeline holds every event, not only matched ones\n"
            "  --tz ZONE            show times in ZONE (e.g. Europe/Berlin, +02:00); stored times stay UTC\n"
            "  --fail-on LEVEL      exit 3 when a finding reaches LEVEL (info, low, medium, high, critical)\n"
            "  --hash ALGO          sha256 (default: every input hashed, the forensic record) or none\n"
            "                       (batch runs whose inputs are hashed elsewhere: about a quarter less\n"
            "                       time; the report says the inputs were not hashed)\n"
            "  --keep-copies        a record found in two inputs (the same log copied, or exported\n"
            "                       twice) counts once per copy; by default it counts once, listed\n"
            "                       under the first input by name (the report names the copies)\n"
            "  -j, --jobs N         threads (default: one per core)\n"
            "  --no-color           no colour even on a terminal (also: NO_COLOR set)\n"
            "  -q, --quiet          no terminal report and no progress line (files only)\n"
            CLI_LIMIT_HELP
            "  -h, --help           this help\n\n"
            "exit codes: 0 done, 1 some input unreadable or skipped (the rest analyzed),\n"
            "            2 usage or rule error, 3 a finding reached --fail-on\n");
}

/* The bundled packs' folder (cli/rulesdir.h); NULL when none was found: then an analyze without
 * --rules says every place looked, and one with --rules runs without the error-code table. */
static const char *bundled_rules(cli_rules_where *w, bool needed)
{
    if (cli_rules_find(w) == 0) return w->dir;
    if (!needed) return NULL;
    cli_error("analyze: no rule packs found (a folder holding packs/ and data/); looked in, in order:");
    fputs(w->looked, stderr);
    cli_error("analyze: give --rules PATH, or set EVTRIAGE_RULES to such a folder");
    return NULL;
}

static void print_diag(const et_diag *d, void *ctx)
{
    (void)ctx;
    if (d->line) fprintf(stderr, "%s:%d:%d: %s: %s\n", d->file, d->line, d->col,
                         d->level == ET_DIAG_ERROR ? "error" : "warning", d->message);
    else fprintf(stderr, "%s: %s: %s\n", d->file, d->level == ET_DIAG_ERROR ? "error" : "warning", d->message);
}

/* path "-" is standard output (then the terminal report is not printed). A file is written
 * whole or not at all: an earlier report there stays as it was until the new one is complete. */
static int write_file(const char *path, const et_report *r, int (*fn)(const et_report *, FILE *))
{
    if (!strcmp(path, "-")) {
        int rc = fn(r, stdout);
        if (fflush(stdout) != 0 || ferror(stdout)) rc = -1;
        if (rc) cli_error("analyze: error writing standard output");
        return rc;
    }
    char msg[512];
    et_wholefile *w = et_wholefile_open(path, msg, sizeof msg);
    if (!w) { cli_error("analyze: cannot write %s: %s", path, msg); return -1; }
    if (fn(r, et_wholefile_stream(w)) != 0) {
        int e = errno;
        snprintf(msg, sizeof msg, "%s (%s)", e ? strerror(e) : "write error", et_wholefile_leaves(w));
        et_wholefile_abandon(w);
    } else if (et_wholefile_commit(w, msg, sizeof msg) == 0) {
        return 0;
    }
    cli_error("analyze: error writing %s: %s", path, msg);
    return -1;
}

/* How many of the report files are "-" (standard output). */
static int files_to_stdout(const analyze_args *a)
{
    const char *files[] = {a->md, a->html, a->json, a->timeline};
    int n = 0;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) n += files[i] && !strcmp(files[i], "-");
    return n;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* A report file's option: given once (a second would leave one report unwritten, silently). */
static int set_once(const char **slot, const char *option)
{
    if (*slot) { cli_error("analyze: %s given twice (one file per report)", option); return -1; }
    *slot = optarg;
    return 0;
}

/* The report files against the inputs and each other, before anything is read. */
static int check_report_files(const analyze_args *a, char **inputs, int ninputs)
{
    const cli_outfile outs[] = {{"--report-md", a->md}, {"--report-html", a->html}, {"--json", a->json},
                                {"--timeline", a->timeline}};
    char msg[PATH_MAX * 2 + 200];
    if (cli_outfiles_check(outs, sizeof outs / sizeof *outs, inputs, ninputs, msg, sizeof msg) == 0) return 0;
    cli_error("analyze: %s", msg);
    return -1;
}

static int parse_args(int argc, char **argv, analyze_args *a)
{
    static const struct option opts[] = {
        {"rules", required_argument, 0, 'r'},   {"report-md", required_argument, 0, 'm'},
        {"report-html", required_argument, 0, 'H'}, {"json", required_argument, 0, 'J'},
        {"timeline", required_argument, 0, 'T'}, {"all", no_argument, 0, 'a'},
        {"tz", required_argument, 0, 'z'},      {"fail-on", required_argument, 0, 'F'},
        {"jobs", required_argument, 0, 'j'},    {"no-color", no_argument, 0, 'C'},
        {"no-colour", no_argument, 0, 'C'},     {"quiet", no_argument, 0, 'q'},
        {"hash", required_argument, 0, 'S'},   {"keep-copies", no_argument, 0, 'K'},
        {"help", no_argument, 0, 'h'},          CLI_LIMIT_OPTIONS, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hqj:", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            a->rules = realloc(a->rules, (size_t)(a->nrules + 1) * sizeof *a->rules);
            a->rules[a->nrules++] = optarg;
            break;
        case 'm': if (set_once(&a->md, "--report-md") != 0) return -1; break;
        case 'H': if (set_once(&a->html, "--report-html") != 0) return -1; break;
        case 'J': if (set_once(&a->json, "--json") != 0) return -1; break;
        case 'T': if (set_once(&a->timeline, "--timeline") != 0) return -1; break;
        case 'a': a->all = true; break;
        case 'z':
            if (!et_report_tz_valid(optarg)) { cli_error("analyze: unknown time zone '%s'", optarg); return -1; }
            a->tz = optarg;
            break;
        case 'F': {
            et_severity s;
            if (et_severity_parse(optarg, &s) != 0) { cli_error("analyze: unknown level '%s'", optarg); return -1; }
            a->fail_on = (int)s;
            break;
        }
        case 'j':
            if (cli_jobs_option("analyze", optarg, &a->jobs) != 0) return -1;
            break;
        case 'S':
            if (!strcmp(optarg, "none")) a->no_hash = true;
            else if (!strcmp(optarg, "sha256")) a->no_hash = false;
            else { cli_error("analyze: unknown --hash '%s' (sha256 or none)", optarg); return -1; }
            break;
        case 'K': a->keep_copies = true; break;
        case 'C': a->colour_never = true; break;
        case 'q': a->quiet = true; break;
        case 'h': analyze_usage(stdout); exit(ET_EXIT_OK);
        default: {
            int lr = cli_limit_option(c, optarg, &a->limits);
            if (lr > 0) break;
            if (lr == 0) analyze_usage(stderr);
            return -1;
        }
        }
    }
    if (optind >= argc) { analyze_usage(stderr); return -1; }
    if (files_to_stdout(a) > 1) {
        cli_error("analyze: only one of --report-md, --report-html, --json and --timeline can be '-' (standard output)");
        return -1;
    }
    return check_report_files(a, argv + optind, argc - optind);
}

static int write_outputs(const analyze_args *a, const et_report *r)
{
    int rc = 0;
    if (a->md) rc |= write_file(a->md, r, et_report_write_markdown);
    if (a->html) rc |= write_file(a->html, r, et_report_write_html);
    if (a->json) rc |= write_file(a->json, r, et_report_write_json);
    if (a->timeline)
        rc |= write_file(a->timeline, r, ends_with(a->timeline, ".jsonl") || ends_with(a->timeline, ".json")
                                             ? et_report_write_timeline_jsonl
                                             : et_report_write_timeline_csv);
    if (!a->quiet && !files_to_stdout(a)) {
        bool colour = !a->colour_never && !getenv("NO_COLOR") && isatty(STDOUT_FILENO);
        if (et_report_write_terminal(r, stdout, colour) != 0 || fflush(stdout) != 0 || ferror(stdout)) {
            cli_error("analyze: error writing standard output");
            rc = -1;
        }
    }
    return rc;
}

/* The error-code table, parsed with the rules; NULL when the file is missing or broken (said). */
static et_codes *load_codes(const et_ruleset *rs, const char *path)
{
    et_rules_data d;
    if (!rs || !et_ruleset_data(rs, path, &d)) return NULL;
    if (d.error) {
        fprintf(stderr, "%s:%d:%d: %s\n", path, d.line, d.col, d.error);
        return NULL;
    }
    return et_codes_build(d.root);
}

int cmd_analyze(int argc, char **argv)
{
    analyze_args a = {.fail_on = -1};
    et_input_limits_default(&a.limits);
    if (parse_args(argc, argv, &a) != 0) { free(a.rules); return ET_EXIT_USAGE; }
    cli_rules_where where;
    const char *root = bundled_rules(&where, a.nrules == 0);
    if (!root && a.nrules == 0) return ET_EXIT_USAGE;
    char pack_dir[PATH_MAX + 16], codes[PATH_MAX + 32];
    snprintf(pack_dir, sizeof pack_dir, "%s/packs", root ? root : ".");
    snprintf(codes, sizeof codes, "%s/data/error-codes.yaml", root ? root : ".");
    char *defaults[] = {pack_dir};
    int nerr = 0;
    const char *data[] = {codes};   /* parsed with the rule packs */
    et_rules_options ro = {.jobs = a.jobs, .data = data, .ndata = root ? 1 : 0};
    et_ruleset *rs = a.nrules ? et_rules_load(a.rules, a.nrules, &ro, print_diag, NULL, &nerr)
                              : et_rules_load(defaults, 1, &ro, print_diag, NULL, &nerr);
    et_codes *table = root ? load_codes(rs, codes) : NULL;
    if (!rs || nerr) {
        cli_error("analyze: the rules have errors (see above); 'evtriage rules lint' checks them");
        et_codes_free(table);
        et_ruleset_free(rs);
        free(a.rules);
        return ET_EXIT_USAGE;
    }
    et_analysis_opts o = {.all_events = a.all, .jobs = a.jobs, .tz = a.tz, .limits = &a.limits, .no_hash = a.no_hash,
                          .keep_copies = a.keep_copies, .codes = table,
                          .progress = !a.quiet && isatty(STDERR_FILENO)};
    int problems = 0;
    et_report *r = et_analyze(argv + optind, argc - optind, rs, &o, &problems);
    int wrc = write_outputs(&a, r);
    int fail = 0;
    for (size_t i = 0; a.fail_on >= 0 && i < r->nfindings; i++) fail |= (int)r->findings[i].severity >= a.fail_on;
    et_report_free(r);
    et_codes_free(table);
    et_ruleset_free(rs);
    free(a.rules);
    if (wrc) return ET_EXIT_PROBLEM;
    if (problems) return ET_EXIT_PROBLEM;
    return fail ? 3 : ET_EXIT_OK;
}
