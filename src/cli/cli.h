/* cli.h: the subcommands and what they share (exit codes, diagnostics). */
#ifndef EVTRIAGE_CLI_H
#define EVTRIAGE_CLI_H

/* Exit codes, documented in README.md. */
enum {
    ET_EXIT_OK = 0,       /* everything read, nothing to report */
    ET_EXIT_PROBLEM = 1,  /* some input unreadable or skipped (the rest was processed) */
    ET_EXIT_USAGE = 2,    /* bad command line */
};

int cmd_dump(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_hunt(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_analyze(int argc, char **argv);

#include "input/inputs.h"
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

/* Long options shared by every command that reads inputs (archive limits). */
#define CLI_LIMIT_OPTIONS                                             \
    {"max-total-bytes", required_argument, 0, 1001},                  \
    {"max-member-bytes", required_argument, 0, 1002},                 \
    {"max-ratio", required_argument, 0, 1003},                        \
    {"max-members", required_argument, 0, 1004},                      \
    {"max-depth", required_argument, 0, 1005}
#define CLI_LIMIT_HELP                                                                      \
    "  --max-total-bytes N  archive limit: expanded bytes per archive (default 16G)\n"    \
    "  --max-member-bytes N archive limit: one member, or a pipe given (default 4G)\n"    \
    "  --max-ratio R        archive limit: expanded/compressed ratio (default 200)\n"     \
    "  --max-members N      archive limit: members per archive (default 100000)\n"        \
    "  --max-depth N        archive limit: nesting depth (default 1)\n"
/* Applies option c (1001..1005) to limits; returns 1 if handled, 0 if not a limit
 * option, -1 on a bad value (message printed). Sizes take K/M/G suffixes. */
int cli_limit_option(int c, const char *arg, et_input_limits *limits);

/* A count or size: digits and an optional K/M/G/T suffix (powers of 1024); no sign, no
 * overflow. 0, or -1 when s is not one. */
int cli_parse_count(const char *s, unsigned long long *out);

/* -j N: threads, 1 to CLI_MAX_JOBS; 0, or -1 on a bad value (message printed, naming cmd). */
enum { CLI_MAX_JOBS = 1024 };
int cli_jobs_option(const char *cmd, const char *arg, int *jobs);

/* --from / --to: the window of record times a command reads (both ends inclusive; FILETIME
 * ticks, UTC). Records outside it are passed over, as if absent. */
typedef struct cli_window { int64_t from, to; bool has_from, has_to; } cli_window;
#define CLI_WINDOW_OPTIONS {"from", required_argument, 0, 1010}, {"to", required_argument, 0, 1011}
#define CLI_WINDOW_HELP                                                                     \
    "  --from TIME          only records written at or after TIME (ISO 8601, UTC unless offset)\n" \
    "  --to TIME            only records written at or before TIME\n"
/* Applies option c (1010, 1011) to w: 1 if handled, 0 if not a window option, -1 on a bad time
 * (message printed, naming cmd). */
int cli_window_option(const char *cmd, int c, const char *arg, cli_window *w);
/* 0, or -1 when --from is after --to (message printed): no record could be read. */
int cli_window_check(const char *cmd, const cli_window *w);
static inline bool cli_window_holds(const cli_window *w, int64_t t)
{
    return (!w->has_from || t >= w->from) && (!w->has_to || t <= w->to);
}

/* A problem of a file on stderr, "display: message" (stdout flushed first, so the two keep their
 * order on a terminal); _problems: each of the newline-separated lines (cut up) so. */
void cli_file_problem(const char *display, const char *msg);
void cli_file_problems(const char *display, char *lines);

/* `evtriage --version`: the program, its rule packs and its libraries (version.c). */
void cli_print_version(FILE *f);

/* Prints "evtriage: " + message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
