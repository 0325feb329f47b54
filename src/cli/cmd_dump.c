/* cmd_dump.c: `evtriage dump`: every record of the given files as JSON Lines or CSV. */
#include "cli/cli.h"
#include "core/outbuf.h"
#include "core/timeutil.h"
#include "input/inputs.h"
#include "input/scan.h"
#include "output/csv.h"
#include "output/event_json.h"
#include "reader/evtx_reader.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *default_columns =
    "file,record_id,timestamp,event_id,qualifiers,version,level,task,opcode,keywords,provider,"
    "provider_guid,channel,computer,user_sid,process_id,thread_id,recovered,fields";

typedef struct dump_ctx {
    int csv;
    bool terminal;            /* stdout is a terminal: CSV cells cleaned of control characters */
    int count_only;           /* --format count: decode everything, print the total */
    unsigned long long count;
    char **cols;
    int ncols;
    cli_window window;
    int problems;
    int write_error;
} dump_ctx;

/* What one unit (a range of chunks) produced, delivered in order. */
typedef struct dump_unit {
    const dump_ctx *ctx;
    unsigned long long count;
    et_buf out;
    et_buf err;
} dump_unit;

static void dump_usage(FILE *f)
{
    fprintf(f,
            "usage: evtriage dump [OPTIONS] PATH...\n\n"
            "Prints every record of the EVTX files given as one JSON object per line, recovered\n"
            "records included and flagged. PATH is a file, a directory (walked recursively) or an\n"
            "archive (.zip, .tar, .tar.gz, .tar.xz, .7z, .cab; one level of nesting) or a compressed file\n"
            "(Security.evtx.gz, .xz, .bz2, .zst, .lz4), read in place.\n"
            "EVTX files are recognised by their signature; other files are listed as skipped.\n"
            "PATH '-' is standard input.\n"
            "Output is identical whatever -j is.\n\n"
            "options:\n"
            "  --format FORMAT      jsonl (default), csv, or count (decode every record, print\n"
            "                       only how many: the reader alone, for benchmarks)\n"
            "  --fields a,b,c       CSV columns: top-level keys or event field names\n"
            "                       (default: every top-level key, fields as one JSON cell);\n"
            "                       a value starting with = + - @ gets a ' in front (no formula\n"
            "                       runs in a spreadsheet: docs/output.md)\n"
            CLI_WINDOW_HELP
            "  -j, --jobs N         threads (default: one per core)\n"
            "  -q, --quiet          no progress line (shown only when stderr is a terminal\n"
            "                       and stdout is not)\n"
            CLI_LIMIT_HELP
            "  -h, --help           this help\n\n"
            "Problems go to stderr as 'PATH: message' or 'PATH: record N: message'.\n"
            "exit codes: 0 all read, 1 something unreadable or skipped, 2 usage error\n");
}

static void *unit_new(void *vctx)
{
    dump_unit *u = calloc(1, sizeof *u);
    if (!u) abort();
    u->ctx = vctx;
    return u;
}

static void unit_event(void *vu, const et_event *ev)
{
    dump_unit *u = vu;
    const dump_ctx *ctx = u->ctx;
    if (!cli_window_holds(&ctx->window, ev->timestamp)) return;
    if (ctx->count_only) {
        u->count++;
        return;
    }
    if (!ctx->csv) {
        et_event_to_json(&u->out, ev);
    } else {
        for (int i = 0; i < ctx->ncols; i++) {
            if (i) et_buf_putc(&u->out, ',');
            et_event_column(&u->out, ev, ctx->cols[i], ctx->terminal);
        }
    }
    et_buf_putc(&u->out, '\n');
}

static void unit_problem(void *vu, const char *msg)
{
    dump_unit *u = vu;
    et_buf_puts(&u->err, msg);
    et_buf_putc(&u->err, '\n');
}

static void unit_done(void *vctx, void *vu, const et_scan_file *f)
{
    dump_ctx *ctx = vctx;
    dump_unit *u = vu;
    ctx->count += u->count;
    if (et_buf_flush(&u->out, stdout) != 0) ctx->write_error = 1;
    if (u->err.len) {
        cli_file_problems(f->display, u->err.data);
        ctx->problems++;
    }
    et_buf_free(&u->out);
    et_buf_free(&u->err);
    free(u);
}

/* A damaged member is read up to the damage: said after its records (a member read while it
 * inflated is known damaged only then), and exit 1. */
static void file_end(void *vctx, const et_scan_file *f)
{
    dump_ctx *ctx = vctx;
    const et_reader_stats *st = &f->stats;
    char line[160];
    if (f->note) {
        cli_file_problem(f->display, f->note);
        ctx->problems++;
    }
    if (st->skipped) {
        snprintf(line, sizeof line, "%llu record(s) skipped, %llu read (%llu recovered)",
                 (unsigned long long)st->skipped, (unsigned long long)st->records, (unsigned long long)st->recovered);
        cli_file_problem(f->display, line);
    }
    if (st->remnants) {
        snprintf(line, sizeof line, "note: %llu record fragment(s) in chunk slack space could not be decoded "
                 "(overwritten in part by the chunk's later records)", (unsigned long long)st->remnants);
        cli_file_problem(f->display, line);
    }
}

static void input_problem(void *vctx, const char *display, const char *msg, bool is_skip)
{
    dump_ctx *ctx = vctx;
    cli_file_problem(display, msg);
    if (!is_skip) ctx->problems++;
}

static int split_columns(dump_ctx *ctx, char *list)
{
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        ctx->cols = realloc(ctx->cols, (size_t)(ctx->ncols + 1) * sizeof *ctx->cols);
        ctx->cols[ctx->ncols++] = tok;
    }
    return ctx->ncols;
}

int cmd_dump(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, 0, 'f'}, {"fields", required_argument, 0, 'F'},
        CLI_WINDOW_OPTIONS,
        {"jobs", required_argument, 0, 'j'},   {"help", no_argument, 0, 'h'},
        {"quiet", no_argument, 0, 'q'},
        CLI_LIMIT_OPTIONS, {0, 0, 0, 0}};
    int jobs = 0, quiet = 0;
    et_input_limits limits;
    et_input_limits_default(&limits);
    dump_ctx ctx = {0};
    char *fields = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hqj:", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "csv")) ctx.csv = 1;
            else if (!strcmp(optarg, "count")) ctx.count_only = 1;
            else if (strcmp(optarg, "jsonl") && strcmp(optarg, "json")) {
                cli_error("dump: unknown format '%s' (jsonl, csv or count)", optarg);
                return ET_EXIT_USAGE;
            }
            break;
        case 'F': fields = optarg; break;
        case 'j':
            if (cli_jobs_option("dump", optarg, &jobs) != 0) return ET_EXIT_USAGE;
            break;
        case 'q': quiet = 1; break;
        case 'h': dump_usage(stdout); return ET_EXIT_OK;
        default: {
            int wr = cli_window_option("dump", c, optarg, &ctx.window);
            if (wr > 0) break;
            if (wr < 0) return ET_EXIT_USAGE;
            int lr = cli_limit_option(c, optarg, &limits);
            if (lr > 0) break;
            if (lr == 0) dump_usage(stderr);
            return ET_EXIT_USAGE;
        }
        }
    }
    if (optind >= argc) { dump_usage(stderr); return ET_EXIT_USAGE; }
    if (cli_window_check("dump", &ctx.window) != 0) return ET_EXIT_USAGE;
    if (fields && !ctx.csv) { cli_error("dump: --fields applies to --format csv"); return ET_EXIT_USAGE; }
    char *collist = strdup(fields ? fields : default_columns);
    if (ctx.csv) {
        ctx.terminal = isatty(STDOUT_FILENO);
        if (!split_columns(&ctx, collist)) { cli_error("dump: --fields is empty"); free(collist); return ET_EXIT_USAGE; }
        et_buf head = {0};
        for (int i = 0; i < ctx.ncols; i++) {
            if (i) et_buf_putc(&head, ',');
            et_csv_cell(&head, ctx.cols[i], ctx.terminal);
        }
        et_buf_putc(&head, '\n');
        et_buf_flush(&head, stdout);
        et_buf_free(&head);
    }
    et_scan_consumer cons = {.ctx = &ctx, .unit_new = unit_new, .event = unit_event, .problem = unit_problem,
                          .unit_done = unit_done, .file_end = file_end,
                          .input_problem = input_problem};
    /* progress only when it cannot mix with records on the same terminal */
    et_scan_opts so = {.jobs = jobs, .limits = &limits,
                       .progress = !quiet && isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO)};
    et_scan(argv + optind, argc - optind, &so, &cons);
    if (ctx.count_only) printf("%llu\n", ctx.count);
    int werr = ctx.write_error || fflush(stdout) != 0;
    free(ctx.cols);
    free(collist);
    if (werr) { cli_error("dump: cannot write output"); return ET_EXIT_PROBLEM; }
    return ctx.problems ? ET_EXIT_PROBLEM : ET_EXIT_OK;
}
