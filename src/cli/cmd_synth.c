/* cmd_synth.c: `evtriage synth`: writes the EVTX files a YAML scenario describes, laid out as a
 * customer's export (HOST/Channel.evtx), or scaled up with noise for benchmarks. */
#include "cli/cli.h"
#include "core/termtext.h"
#include "synth/scenario.h"
#include "synth/sy_values.h"
#include "synth/synth.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void synth_usage(FILE *f)
{
    fprintf(f,
            "usage: evtriage synth [OPTIONS] SCENARIO.yaml -o DIR\n\n"
            "Writes the EVTX files a scenario describes: one file per host and channel, as\n"
            "DIR/HOST/Channel.evtx ('/' in a channel name becomes %%4, as Windows names them).\n"
            "The files are what Windows writes: 64 KiB chunks with CRC32s, string and template\n"
            "tables, records as template instances with typed values. Format: docs/synth.md.\n\n"
            "options:\n"
            "  -o, --output DIR     where to write (created when missing; files are replaced)\n"
            "  --scale N            benchmark mode: every file's events N times, with rising times\n"
            "                       and record ids, mixed with noise from other providers\n"
            "  --noise K            with --scale: noise events per scenario event on System and\n"
            "                       Application files (default 3; 0 for none)\n"
            "  -q, --quiet          do not list the files written\n"
            "  -h, --help           this help\n\n"
            "Scenario problems go to stderr as 'FILE:LINE:COLUMN: message'.\n"
            "exit codes: 0 written, 1 a file could not be written, 2 usage error or bad scenario\n");
}

/* One line each: a value quoted in a message (a name, a time) may hold anything. */
static void print_diag(const char *path, int line, int col, const char *message, void *ctx)
{
    (void)ctx;
    et_buf msg = {0};
    et_term_escape(&msg, message);
    if (line) fprintf(stderr, "%s:%d:%d: %s\n", path, line, col, msg.data ? msg.data : "");
    else fprintf(stderr, "%s: %s\n", path, msg.data ? msg.data : "");
    et_buf_free(&msg);
}

static void print_written(const char *path, uint64_t records, uint64_t bytes, void *ctx)
{
    if (*(int *)ctx) return;
    printf("%s\t%llu records\t%llu bytes\n", path, (unsigned long long)records, (unsigned long long)bytes);
}

int cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"scale", required_argument, 0, 's'},
        {"noise", required_argument, 0, 'n'},  {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *out = NULL;
    sy_write_opts wo = {.scale = 1, .noise = 3};
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        uint64_t v;
        switch (c) {
        case 'o': out = optarg; break;
        case 's':
            if (!sy_parse_int(optarg, 1, 1000000000, NULL, &v)) { cli_error("synth: --scale takes a number from 1"); return ET_EXIT_USAGE; }
            wo.scale = v;
            break;
        case 'n':
            if (!sy_parse_int(optarg, 0, 1000, NULL, &v)) { cli_error("synth: --noise takes a number from 0 to 1000"); return ET_EXIT_USAGE; }
            wo.noise = (unsigned)v;
            break;
        case 'q': quiet = 1; break;
        case 'h': synth_usage(stdout); return ET_EXIT_OK;
        default: synth_usage(stderr); return ET_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !out) {
        cli_error("synth: give one SCENARIO.yaml and -o DIR");
        synth_usage(stderr);
        return ET_EXIT_USAGE;
    }
    int nerrors = 0;
    sy_scenario *s = sy_scenario_load(argv[optind], NULL, print_diag, NULL, &nerrors);
    if (!s) {
        cli_error("synth: %s: %d problem(s); nothing written", argv[optind], nerrors);
        return ET_EXIT_USAGE;
    }
    char err[1024];
    int rc = sy_write(s, out, &wo, print_written, &quiet, err, sizeof err);
    sy_scenario_free(s);
    if (rc < 0) {
        cli_error("synth: %s", err);
        return ET_EXIT_PROBLEM;
    }
    return ET_EXIT_OK;
}
