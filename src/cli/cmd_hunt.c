/* cmd_hunt.c: `evtriage hunt`: runs Sigma rules and correlations over EVTX files and prints the
 * matches and correlation hits as a table, JSON Lines or CSV. */
#include "cli/cli.h"
#include "core/outbuf.h"
#include "core/termtext.h"
#include "core/timeutil.h"
#include "input/inputs.h"
#include "input/scan.h"
#include "output/csv.h"
#include "rules/rules.h"
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FMT_TABLE, FMT_JSONL, FMT_CSV };

typedef struct hunt_ctx {
    int format;
    bool terminal;           /* stdout is a terminal: CSV cells cleaned of control characters */
    bool all_matches;
    cli_window window;       /* events outside it are passed over (matched by nothing, counted) */
    const et_ruleset *rs;
    et_correlator *corr;     /* every unit's matches end up here (calling thread) */
    et_buf out;
    int problems, write_error;
    uint64_t events, outside, matches, hits, files;
    /* scanners are per thread of work: a pool units take from and give back */
    pthread_mutex_t lock;
    et_scanner **pool;
    size_t npool, cappool;
    et_giveup *giveups; size_t ngiveups, capgiveups;   /* of the current file: said at its end */
} hunt_ctx;

/* One unit of work (chunks of one file) scanned on a worker thread, delivered in input order. */
typedef struct hunt_unit {
    hunt_ctx *h;
    et_scanner *sc;
    et_correlator *corr;
    et_buf out;
    et_buf err;               /* record- and chunk-level problems, a line each */
    uint64_t events, outside, matches;
} hunt_unit;

static void hunt_usage(FILE *f)
{
    fprintf(f,
            "usage: evtriage hunt --rules PATH [--rules PATH]... [OPTIONS] INPUT...\n\n"
            "Runs Sigma detection and correlation rules over EVTX files (directories are walked, archives\n"
            "read in place, as for dump; '-' is standard input) and prints every match and correlation hit.\n\n"
            "options:\n"
            "  -r, --rules PATH     rule file or directory of *.yml / *.yaml (repeatable)\n"
            "  --mapping FILE       logsource and field mapping (default: the built-in copy of\n"
            "                       rules/sigma-mapping.yaml; also $EVTRIAGE_MAPPING)\n"
            "  --format table|jsonl|csv  output format (default table); in CSV a value starting\n"
            "                       with = + - @ gets a ' in front (docs/output.md)\n"
            "  --all-matches        also print matches of rules that only feed a correlation\n"
            "  --warnings           print rule warnings too (default: rule errors only)\n"
            "  --max-buffer N       matches held in memory for correlations before they spill to a\n"
            "                       temporary file (default 32768)\n"
            CLI_WINDOW_HELP
            "                       (events outside are matched by nothing: a correlation counts\n"
            "                       only the events inside)\n"
            "  --keep-copies        correlations count each copy of a record found in two inputs (the\n"
            "                       same log copied); by default a record counts once. Matches are\n"
            "                       printed per input either way\n"
            "  -j, --jobs N         threads (default: one per core); output is the same for any N\n"
            "  -q, --quiet          no progress line (shown only when stderr is a terminal and\n"
            "                       stdout is not)\n"
            CLI_LIMIT_HELP
            "  -h, --help           this help\n\n"
            "Rule problems go to stderr as 'file:line:column: message'; rules with errors are skipped.\n"
            "exit codes: 0 all read, 1 some input unreadable or damaged (a record, a chunk), some rule\n"
            "            skipped or correlation input lost, 2 usage error or no rule\n");
}

static void put_time(et_buf *b, int64_t ft, bool table)
{
    char iso[32];
    et_filetime_to_iso(ft, iso);
    if (table) { iso[19] = 0; iso[10] = ' '; }
    et_buf_puts(b, iso);
}

static void json_kv(et_buf *b, const char *k, const char *v, bool comma)
{
    if (comma) et_buf_putc(b, ',');
    et_buf_json_str(b, k);
    et_buf_putc(b, ':');
    if (v) et_buf_json_str(b, v);
    else et_buf_puts(b, "null");
}

static void json_values(et_buf *b, const et_value_ref *v, size_t n)
{
    et_buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) json_kv(b, v[i].name, v[i].value, i > 0);
    et_buf_putc(b, '}');
}

/* s in at most width columns, cut with '~' (then padded to width when pad): event data is
 * anyone's text, so control characters (ESC too) are spaces and invalid UTF-8 is U+FFFD. */
static void put_cut(et_buf *b, const char *s, size_t width, bool pad)
{
    et_buf c = {0};
    et_term_clean(&c, s);
    const char *p = c.data ? c.data : "";
    size_t used, n = et_term_head(p, c.len, width, &used);
    if (n < c.len) n = et_term_head(p, c.len, width ? width - 1 : 0, &used);
    et_buf_put(b, p, n);
    if (n < c.len) { et_buf_putc(b, '~'); used++; }
    for (; pad && used < width; used++) et_buf_putc(b, ' ');
    et_buf_free(&c);
}

static void table_cell(et_buf *b, const char *s, int width)
{
    put_cut(b, s, (size_t)width, true);
    et_buf_putc(b, ' ');
}

static void table_fields(et_buf *b, const et_value_ref *v, size_t n, size_t limit)
{
    et_buf all = {0};
    for (size_t i = 0; i < n; i++) et_buf_printf(&all, "%s%s=%s", i ? "  " : "", v[i].name, v[i].value);
    put_cut(b, all.data, limit, false);
    et_buf_free(&all);
}

/* One CSV line: type, rule_id, title, level, time, computer, channel, event_id, file,
 * record_id, fields. cells[] holds the text columns in that order (NULL: empty); the time and
 * the numbers are ours (a correlation hit, ev NULL, has no event id or record id). Every text
 * cell goes through et_csv_cell: quoted, a leading formula character neutralised, and control
 * characters cleaned when clean (stdout is a terminal). */
static void csv_row(et_buf *b, const char *type, const char *const cells[10], int64_t time, const et_event *ev,
                    bool clean)
{
    et_buf_puts(b, type);
    for (int i = 0; i < 10; i++) {
        et_buf_putc(b, ',');
        if (i == 3) put_time(b, time, false);
        else if (i == 6 && ev) et_buf_printf(b, "%u", ev->event_id);
        else if (i == 8 && ev) et_buf_printf(b, "%llu", (unsigned long long)ev->record_id);
        else et_csv_cell(b, cells[i], clean);
    }
    et_buf_putc(b, '\n');
}

static void print_match(int format, bool clean, et_buf *b, const et_match *m)
{
    const et_rule *r = m->rule;
    const et_event *ev = m->event;
    char num[32];
    if (format == FMT_JSONL) {
        et_buf_puts(b, "{\"type\":\"match\"");
        json_kv(b, "rule_id", r->id, true);
        json_kv(b, "title", r->title, true);
        json_kv(b, "level", et_level_name(r->level), true);
        et_buf_puts(b, ",\"time\":\"");
        put_time(b, ev->timestamp, false);
        et_buf_putc(b, '"');
        json_kv(b, "computer", ev->computer, true);
        json_kv(b, "channel", ev->channel, true);
        json_kv(b, "provider", ev->provider, true);
        et_buf_printf(b, ",\"event_id\":%u", ev->event_id);
        json_kv(b, "file", ev->file, true);
        et_buf_printf(b, ",\"record_id\":%llu,\"fields\":", (unsigned long long)ev->record_id);
        json_values(b, m->fields, m->nfields);
        et_buf_puts(b, ",\"extracted\":");
        json_values(b, m->extracted, m->nextracted);
        et_buf_puts(b, "}\n");
    } else if (format == FMT_CSV) {
        et_buf tmp = {0};
        json_values(&tmp, m->fields, m->nfields);
        const char *cells[] = {r->id, r->title, et_level_name(r->level), NULL, ev->computer, ev->channel, NULL,
                               ev->file, NULL, tmp.data};
        csv_row(b, "match", cells, ev->timestamp, ev, clean);
        et_buf_free(&tmp);
    } else {
        put_time(b, ev->timestamp, true);
        et_buf_putc(b, ' ');
        table_cell(b, et_level_name(r->level), 8);
        table_cell(b, r->title, 44);
        table_cell(b, ev->computer, 24);
        snprintf(num, sizeof num, "#%llu", (unsigned long long)ev->record_id);
        const char *base = strrchr(ev->file, '/');
        et_buf tmp = {0};
        et_buf_printf(&tmp, "%s%s", base ? base + 1 : ev->file, num);
        et_buf_putc(&tmp, 0);
        table_cell(b, tmp.data, 28);
        et_buf_free(&tmp);
        table_fields(b, m->fields, m->nfields, 160);
        et_buf_putc(b, '\n');
    }
}

static void on_match(const et_match *m, void *vu)
{
    hunt_unit *u = vu;
    et_correlator_add(u->corr, m);
    if (!m->rule->standalone && !u->h->all_matches) return;
    u->matches++;
    print_match(u->h->format, u->h->terminal, &u->out, m);
}

static void print_hit_json(et_buf *b, const et_corr_hit *x)
{
    et_buf_puts(b, "{\"type\":\"correlation\"");
    json_kv(b, "rule_id", x->rule->id, true);
    json_kv(b, "title", x->rule->title, true);
    json_kv(b, "level", et_level_name(x->rule->level), true);
    json_kv(b, "correlation", et_corr_type_name(x->rule->corr_type), true);
    et_buf_puts(b, ",\"first_time\":\"");
    put_time(b, x->first_time, false);
    et_buf_puts(b, "\",\"last_time\":\"");
    put_time(b, x->last_time, false);
    et_buf_printf(b, "\",\"count\":%llu,\"group\":", (unsigned long long)x->count);
    json_values(b, x->group, x->ngroup);
    et_buf_printf(b, ",\"events_total\":%zu,\"events\":[", x->nevents_total);
    for (size_t i = 0; i < x->nevents; i++) {
        const et_evref *e = &x->events[i];
        et_buf_puts(b, i ? ",{" : "{");
        json_kv(b, "rule_id", e->rule->id, false);
        json_kv(b, "file", e->file, true);
        et_buf_printf(b, ",\"record_id\":%llu,\"time\":\"", (unsigned long long)e->record_id);
        put_time(b, e->timestamp, false);
        et_buf_putc(b, '"');
        json_kv(b, "computer", e->computer, true);
        et_buf_puts(b, ",\"values\":");
        json_values(b, e->values, e->nvalues);
        et_buf_putc(b, '}');
    }
    et_buf_puts(b, "]}\n");
}

static void on_hit(const et_corr_hit *x, void *vctx)
{
    hunt_ctx *h = vctx;
    et_buf *b = &h->out;
    h->hits++;
    if (h->format == FMT_JSONL) {
        print_hit_json(b, x);
    } else if (h->format == FMT_CSV) {
        et_buf tmp = {0};
        et_buf_printf(&tmp, "{\"correlation\":\"%s\",\"count\":%llu,\"group\":", et_corr_type_name(x->rule->corr_type),
                      (unsigned long long)x->count);
        json_values(&tmp, x->group, x->ngroup);
        et_buf_puts(&tmp, "}");
        const char *cells[] = {x->rule->id, x->rule->title, et_level_name(x->rule->level), NULL,
                               x->nevents ? x->events[0].computer : NULL, NULL, NULL,
                               x->nevents ? x->events[0].file : NULL, NULL, tmp.data};
        csv_row(b, "correlation", cells, x->first_time, NULL, h->terminal);
        et_buf_free(&tmp);
    } else {
        put_time(b, x->first_time, true);
        et_buf_putc(b, ' ');
        table_cell(b, et_level_name(x->rule->level), 8);
        table_cell(b, x->rule->title, 44);
        table_cell(b, x->nevents ? x->events[0].computer : "", 24);
        char what[64];
        snprintf(what, sizeof what, "%s x%llu", et_corr_type_name(x->rule->corr_type), (unsigned long long)x->count);
        table_cell(b, what, 28);
        table_fields(b, x->group, x->ngroup, 160);
        et_buf_putc(b, '\n');
    }
}

static void *unit_new(void *vctx)
{
    hunt_ctx *h = vctx;
    hunt_unit *u = calloc(1, sizeof *u);
    if (!u) abort();
    u->h = h;
    pthread_mutex_lock(&h->lock);
    u->sc = h->npool ? h->pool[--h->npool] : NULL;
    pthread_mutex_unlock(&h->lock);
    if (!u->sc) u->sc = et_scanner_new(h->rs);
    u->corr = et_correlator_new(h->rs, 0);
    return u;
}

static void unit_event(void *vu, const et_event *ev)
{
    hunt_unit *u = vu;
    u->events++;
    if (!cli_window_holds(&u->h->window, ev->timestamp)) {
        u->outside++;
        return;
    }
    et_correlator_observe(u->corr, ev);
    et_scanner_scan(u->sc, ev, on_match, u);
}

static void unit_problem(void *vu, const char *msg)
{
    hunt_unit *u = vu;
    et_buf_puts(&u->err, msg);
    et_buf_putc(&u->err, '\n');
}

static void unit_done(void *vctx, void *vu, const et_scan_file *f)
{
    hunt_ctx *h = vctx;
    hunt_unit *u = vu;
    if (et_buf_flush(&u->out, stdout) != 0) h->write_error = 1;
    if (u->err.len) {   /* as dump says them, and exit 1 */
        cli_file_problems(f->display, u->err.data);
        h->problems++;
    }
    et_correlator_merge(h->corr, u->corr);
    et_scanner_take_giveups(u->sc, &h->giveups, &h->ngiveups, &h->capgiveups);
    h->events += u->events;
    h->outside += u->outside;
    h->matches += u->matches;
    pthread_mutex_lock(&h->lock);
    if (h->npool == h->cappool) {
        h->cappool = h->cappool ? h->cappool * 2 : 16;
        h->pool = realloc(h->pool, h->cappool * sizeof *h->pool);
    }
    h->pool[h->npool++] = u->sc;
    pthread_mutex_unlock(&h->lock);
    et_correlator_free(u->corr);
    et_buf_free(&u->out);
    et_buf_free(&u->err);
    free(u);
}

/* A damaged member is read up to the damage: said once it is read, and exit 1; so are the rules
 * whose regular expressions gave up on the file's events. */
static void file_end(void *vctx, const et_scan_file *f)
{
    hunt_ctx *h = vctx;
    h->files++;
    for (size_t i = 0; i < h->ngiveups; i++) {   /* matches left unknown: exit 1 */
        char msg[ET_GIVEUP_MESSAGE_MAX];
        et_giveup_message(&h->giveups[i], msg, sizeof msg);
        cli_file_problem(f->display, msg);
        h->problems++;
    }
    h->ngiveups = 0;
    if (!f->note) return;
    cli_file_problem(f->display, f->note);
    h->problems++;
}

static void input_problem(void *vctx, const char *display, const char *msg, bool is_skip)
{
    hunt_ctx *h = vctx;
    cli_file_problem(display, msg);
    if (!is_skip) h->problems++;
}

static void on_diag(const et_diag *d, void *ctx)
{
    (void)ctx;
    if (d->line) fprintf(stderr, "%s:%d:%d: %s: %s\n", d->file, d->line, d->col, d->level == ET_DIAG_ERROR ? "error" : "warning", d->message);
    else fprintf(stderr, "%s: %s: %s\n", d->file, d->level == ET_DIAG_ERROR ? "error" : "warning", d->message);
}

static void quiet_diag(const et_diag *d, void *ctx)
{
    if (d->level == ET_DIAG_ERROR) on_diag(d, ctx);
}

static void print_header(hunt_ctx *h)
{
    if (h->format == FMT_CSV)
        et_buf_puts(&h->out, "type,rule_id,title,level,time,computer,channel,event_id,file,record_id,fields\n");
    else if (h->format == FMT_TABLE)
        et_buf_printf(&h->out, "%-19s %-8s %-44s %-24s %-28s %s\n", "TIME (UTC)", "LEVEL", "RULE", "COMPUTER",
                      "FILE#RECORD / HIT", "FIELDS");
}

static void warn_loss(const char *sentence, bool lost, void *ctx)
{
    fprintf(stderr, "evtriage: hunt: warning: %s\n", sentence);
    *(bool *)ctx |= lost;
}

int cmd_hunt(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rules", required_argument, 0, 'r'}, {"mapping", required_argument, 0, 'm'},
        {"format", required_argument, 0, 'f'}, {"all-matches", no_argument, 0, 'a'},
        {"max-buffer", required_argument, 0, 'b'}, {"warnings", no_argument, 0, 'w'},
        {"jobs", required_argument, 0, 'j'}, {"keep-copies", no_argument, 0, 'K'},
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, CLI_WINDOW_OPTIONS, CLI_LIMIT_OPTIONS, {0, 0, 0, 0}};
    hunt_ctx h = {0};
    char **rpaths = NULL;
    int nr = 0, c, warnings = 0, jobs = 0, quiet = 0;
    bool keep_copies = false;
    size_t cap = 0;
    et_rules_options ro = {0};
    et_input_limits limits;
    et_input_limits_default(&limits);
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:j:hq", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            if (cli_jobs_option("hunt", optarg, &jobs) != 0) { free(rpaths); return ET_EXIT_USAGE; }
            break;
        case 'r': rpaths = realloc(rpaths, (size_t)(nr + 1) * sizeof *rpaths); rpaths[nr++] = optarg; break;
        case 'm': ro.mapping = optarg; break;
        case 'a': h.all_matches = true; break;
        case 'w': warnings = 1; break;
        case 'K': keep_copies = true; break;
        case 'b': {
            unsigned long long v;
            if (cli_parse_count(optarg, &v) != 0 || !v || v > SIZE_MAX) {
                cli_error("hunt: --max-buffer wants a positive number of matches, got '%s'", optarg);
                free(rpaths);
                return ET_EXIT_USAGE;
            }
            cap = (size_t)v;
            break;
        }
        case 'q': quiet = 1; break;
        case 'f':
            if (!strcmp(optarg, "table")) h.format = FMT_TABLE;
            else if (!strcmp(optarg, "jsonl") || !strcmp(optarg, "json")) h.format = FMT_JSONL;
            else if (!strcmp(optarg, "csv")) h.format = FMT_CSV;
            else { cli_error("hunt: unknown format '%s' (table, jsonl or csv)", optarg); free(rpaths); return ET_EXIT_USAGE; }
            break;
        case 'h': hunt_usage(stdout); free(rpaths); return ET_EXIT_OK;
        default: {
            int wr = cli_window_option("hunt", c, optarg, &h.window);
            if (wr > 0) break;
            int lr = wr < 0 ? -1 : cli_limit_option(c, optarg, &limits);
            if (lr > 0) break;
            if (lr == 0) hunt_usage(stderr);
            free(rpaths);
            return ET_EXIT_USAGE;
        }
        }
    }
    if (!nr || optind >= argc) {
        if (!nr) cli_error("hunt: --rules PATH is required");
        hunt_usage(stderr);
        free(rpaths);
        return ET_EXIT_USAGE;
    }
    if (cli_window_check("hunt", &h.window) != 0) { free(rpaths); return ET_EXIT_USAGE; }
    int nerr = 0;
    ro.jobs = jobs;
    et_ruleset *rs = et_rules_load(rpaths, nr, &ro, warnings ? on_diag : quiet_diag, NULL, &nerr);
    free(rpaths);
    if (!rs || !et_ruleset_count(rs)) {
        cli_error("hunt: no usable rule loaded");
        et_ruleset_free(rs);
        return ET_EXIT_USAGE;
    }
    if (nerr) fprintf(stderr, "evtriage: hunt: %d rule error(s): those rules are skipped\n", nerr);
    h.rs = rs;
    h.terminal = isatty(STDOUT_FILENO);
    h.corr = et_correlator_new(rs, cap);
    if (h.window.has_from) et_correlator_set_start(h.corr, h.window.from);   /* nothing before it was observed */
    et_correlator_keep_copies(h.corr, keep_copies);
    pthread_mutex_init(&h.lock, NULL);
    print_header(&h);
    et_buf_flush(&h.out, stdout);
    et_scan_consumer cons = {.ctx = &h, .unit_new = unit_new, .event = unit_event, .problem = unit_problem,
                             .unit_done = unit_done, .file_end = file_end,
                             .input_problem = input_problem};
    /* progress only when it cannot mix with the matches on the same terminal */
    et_scan_opts so = {.jobs = jobs, .limits = &limits,
                       .progress = !quiet && isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO)};
    et_scan(argv + optind, argc - optind, &so, &cons);
    et_correlator_finish(h.corr, on_hit, &h);
    bool lost = false;
    et_correlator_losses(h.corr, warn_loss, &lost);
    int werr = h.write_error || et_buf_flush(&h.out, stdout) != 0 || fflush(stdout) != 0;
    char outside[64] = "";
    if (h.window.has_from || h.window.has_to)
        snprintf(outside, sizeof outside, ", %llu outside --from/--to", (unsigned long long)h.outside);
    fprintf(stderr, "evtriage: hunt: %zu rule(s), %llu event(s)%s in %llu file(s): %llu match(es), %llu correlation hit(s)\n",
            et_ruleset_count(rs), (unsigned long long)h.events, outside, (unsigned long long)h.files,
            (unsigned long long)h.matches, (unsigned long long)h.hits);
    et_buf_free(&h.out);
    for (size_t i = 0; i < h.npool; i++) et_scanner_free(h.pool[i]);
    free(h.pool);
    free(h.giveups);
    pthread_mutex_destroy(&h.lock);
    et_correlator_free(h.corr);
    et_ruleset_free(rs);
    if (werr) { cli_error("hunt: cannot write output"); return ET_EXIT_PROBLEM; }
    return h.problems || nerr || lost ? ET_EXIT_PROBLEM : ET_EXIT_OK;
}
