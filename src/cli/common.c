/* common.c: helpers shared by the subcommands. */
#include "cli/cli.h"
#include "core/outbuf.h"
#include "core/termtext.h"
#include "core/timeutil.h"
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_file_problem(const char *display, const char *msg)
{
    fflush(stdout);
    et_term_say(display, msg);
}

void cli_file_problems(const char *display, char *lines)
{
    char *save = NULL;
    for (char *line = strtok_r(lines, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        cli_file_problem(display, line);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("evtriage: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_jobs_option(const char *cmd, const char *arg, int *jobs)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || errno || v < 1 || v > CLI_MAX_JOBS) {
        cli_error("%s: -j wants a number of threads from 1 to %d, got '%s'", cmd, CLI_MAX_JOBS, arg);
        return -1;
    }
    *jobs = (int)v;
    return 0;
}

int cli_parse_count(const char *s, unsigned long long *out)
{
    if (*s < '0' || *s > '9') return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return -1;
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    }
    if (*end || (shift && v > ULLONG_MAX >> shift)) return -1;
    *out = v << shift;
    return 0;
}

int cli_limit_option(int c, const char *arg, et_input_limits *l)
{
    unsigned long long v;
    if (c < 1001 || c > 1005) return 0;
    if (c == 1003) {
        char *end;
        double r = strtod(arg, &end);
        if (*end || r <= 1) { cli_error("--max-ratio: expected a number above 1, got '%s'", arg); return -1; }
        l->max_ratio = r;
        return 1;
    }
    static const char *const names[] = {"max-total-bytes", "max-member-bytes", "max-ratio", "max-members", "max-depth"};
    if (cli_parse_count(arg, &v) != 0 || (c == 1005 && v > INT_MAX)) {
        cli_error("--%s: expected a whole number (K, M, G or T after it for sizes), got '%s'", names[c - 1001], arg);
        return -1;
    }
    if (c == 1001) l->max_total_bytes = v;
    else if (c == 1002) l->max_member_bytes = v;
    else if (c == 1004) l->max_members = v;
    else l->max_depth = (int)v;
    return 1;
}

int cli_window_option(const char *cmd, int c, const char *arg, cli_window *w)
{
    if (c != 1010 && c != 1011) return 0;
    const char *name = c == 1010 ? "--from" : "--to";
    if (!et_iso_to_filetime(arg, c == 1010 ? &w->from : &w->to)) {
        cli_error("%s: bad %s time '%s' (ISO 8601: 2025-11-18T07:00:00Z, or with an offset)", cmd, name, arg);
        return -1;
    }
    if (c == 1010) w->has_from = true;
    else w->has_to = true;
    return 1;
}

int cli_window_check(const char *cmd, const cli_window *w)
{
    if (!w->has_from || !w->has_to || w->from <= w->to) return 0;
    cli_error("%s: --from is after --to: no record could be read", cmd);
    return -1;
}
