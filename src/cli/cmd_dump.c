/* cmd_dump.c: `evtriage dump`: every record of the given files as JSON Lines or CSV. */
#include "cli/cli.h"
#include "core/outbuf.h"
#include "core/timeutil.h"
#include "input/inputs.h"
#include "output/event_json.h"
#include "reader/evtx_reader.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *default_columns =
    "file,record_id,timestamp,event_id,qualifiers,version,level,task,opcode,keywords,provider,"
    "provider_guid,channel,computer,user_sid,process_id,thread_id,recovered,fields";

typedef struct dump_ctx {
    int csv;
    char **cols;
    int ncols;
    int64_t from, to;
    int has_from, has_to;
    int problems;
    et_buf out;
} dump_ctx;

static void dump_usage(FILE *f)
{
    fprintf(f,
            "usage: evtriage dump [OPTIONS] PATH...\n\n"
            "Prints every record of the EVTX files given as one JSON object per line, recovered\n"
            "records included and flagged. PATH is a file, a directory (walked recursively) or an\n"
            "archive (.zip, .tar, .tar.gz, .tar.xz, .7z; one level of nesting), read in place.\n"
            "EVTX files are recognised by their signature; other files are listed as skipped.\n\n"
            "options:\n"
            "  --format jsonl|csv   output format (default jsonl)\n"
            "  --fields a,b,c       CSV columns: top-level keys or event field names\n"
            "                       (default: every top-level key, fields as one JSON cell)\n"
            "  --from TIME          only records written at or after TIME (ISO 8601, UTC unless offset)\n"
            "  --to TIME            only records written at or before TIME\n"
            CLI_LIMIT_HELP
            "  -h, --help           this help\n\n"
            "Problems go to stderr as 'PATH: message' or 'PATH: record N: message'.\n"
            "exit codes: 0 all read, 1 something unreadable or skipped, 2 usage error\n");
}

static void input_problem(const char *display, const char *msg, int is_skip, void *vctx)
{
    dump_ctx *ctx = vctx;
    fprintf(stderr, "%s: %s\n", display, msg);
    if (!is_skip) ctx->problems++;
}

static void emit(dump_ctx *ctx, const et_event *ev)
{
    if (ctx->has_from && ev->timestamp < ctx->from) return;
    if (ctx->has_to && ev->timestamp > ctx->to) return;
    if (!ctx->csv) {
        et_event_to_json(&ctx->out, ev);
    } else {
        for (int i = 0; i < ctx->ncols; i++) {
            if (i) et_buf_putc(&ctx->out, ',');
            et_event_column(&ctx->out, ev, ctx->cols[i]);
        }
    }
    et_buf_putc(&ctx->out, '\n');
    if (ctx->out.len > 1 << 16) et_buf_flush(&ctx->out, stdout);
}

static int dump_file(const char *open_path, const char *path, void *vctx)
{
    dump_ctx *ctx = vctx;
    char err[256];
    et_reader *r = et_reader_open_as(open_path, path, err, sizeof err);
    if (!r) {
        fprintf(stderr, "%s: %s\n", path, err);
        ctx->problems++;
        return 0;
    }
    const et_event *ev;
    int rc;
    while ((rc = et_reader_next(r, &ev)) != ET_READ_END) {
        if (rc == ET_READ_EVENT) emit(ctx, ev);
        else {
            et_buf_flush(&ctx->out, stdout);
            fflush(stdout);
            fprintf(stderr, "%s: %s\n", path, et_reader_problem(r));
            ctx->problems++;
        }
    }
    const et_reader_stats *st = et_reader_get_stats(r);
    if (st->skipped)
        fprintf(stderr, "%s: %llu record(s) skipped, %llu read (%llu recovered)\n", path,
                (unsigned long long)st->skipped, (unsigned long long)st->records,
                (unsigned long long)st->recovered);
    if (st->remnants)
        fprintf(stderr, "%s: note: %llu record fragment(s) in chunk slack space could not be decoded "
                        "(their templates were overwritten)\n", path, (unsigned long long)st->remnants);
    et_reader_close(r);
    return 0;
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
        {"from", required_argument, 0, 'a'},   {"to", required_argument, 0, 'b'},
        {"help", no_argument, 0, 'h'},         CLI_LIMIT_OPTIONS, {0, 0, 0, 0}};
    et_input_limits limits;
    et_input_limits_default(&limits);
    dump_ctx ctx = {0};
    char *fields = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "csv")) ctx.csv = 1;
            else if (strcmp(optarg, "jsonl") && strcmp(optarg, "json")) {
                cli_error("dump: unknown format '%s' (jsonl or csv)", optarg);
                return ET_EXIT_USAGE;
            }
            break;
        case 'F': fields = optarg; break;
        case 'a':
            if (!et_iso_to_filetime(optarg, &ctx.from)) { cli_error("dump: bad --from time '%s'", optarg); return ET_EXIT_USAGE; }
            ctx.has_from = 1;
            break;
        case 'b':
            if (!et_iso_to_filetime(optarg, &ctx.to)) { cli_error("dump: bad --to time '%s'", optarg); return ET_EXIT_USAGE; }
            ctx.has_to = 1;
            break;
        case 'h': dump_usage(stdout); return ET_EXIT_OK;
        default: {
            int lr = cli_limit_option(c, optarg, &limits);
            if (lr > 0) break;
            if (lr == 0) dump_usage(stderr);
            return ET_EXIT_USAGE;
        }
        }
    }
    if (optind >= argc) { dump_usage(stderr); return ET_EXIT_USAGE; }
    if (fields && !ctx.csv) { cli_error("dump: --fields applies to --format csv"); return ET_EXIT_USAGE; }
    char *collist = strdup(fields ? fields : default_columns);
    if (ctx.csv) {
        if (!split_columns(&ctx, collist)) { cli_error("dump: --fields is empty"); free(collist); return ET_EXIT_USAGE; }
        for (int i = 0; i < ctx.ncols; i++) {
            if (i) et_buf_putc(&ctx.out, ',');
            et_buf_csv_str(&ctx.out, ctx.cols[i]);
        }
        et_buf_putc(&ctx.out, '\n');
    }
    et_inputs_walk(argv + optind, argc - optind, &limits, dump_file, input_problem, &ctx);
    int werr = et_buf_flush(&ctx.out, stdout) != 0 || fflush(stdout) != 0;
    et_buf_free(&ctx.out);
    free(ctx.cols);
    free(collist);
    if (werr) { cli_error("dump: cannot write output"); return ET_EXIT_PROBLEM; }
    return ctx.problems ? ET_EXIT_PROBLEM : ET_EXIT_OK;
}
