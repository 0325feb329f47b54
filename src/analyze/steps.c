/* steps.c: a finding's remediation steps filled from the events: prose, commands with every value
 * a literal of the step's shell, the host to run them on, and whether they can be run as written
 * (their condition holds on the events, no value was missing or refused). */
#include "analyze/steps.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_buf(const et_buf *b)
{
    char *s = strdup(b->data ? b->data : "");
    if (!s) abort();
    return s;
}

static char *render_prose(const char *t, et_lookup_fn lookup, void *ctx, et_tpl_gaps *gaps)
{
    if (!t) return NULL;
    et_buf b = {0};
    et_template_render(&b, t, lookup, ctx, gaps);
    char *s = dup_buf(&b);
    et_buf_free(&b);
    return s;
}

/* a and b as numbers or dotted versions ("20348", "10.0.17763.6532"), part by part: -1, 0, 1 in
 * *cmp; false when either is not such a number. */
static bool version_cmp(const char *a, const char *b, int *cmp)
{
    *cmp = 0;
    for (;;) {
        if (*a < '0' || *a > '9' || *b < '0' || *b > '9') return false;
        while (*a == '0' && a[1] >= '0' && a[1] <= '9') a++;   /* leading zeros */
        while (*b == '0' && b[1] >= '0' && b[1] <= '9') b++;
        size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
        if (!*cmp) *cmp = na != nb ? (na < nb ? -1 : 1) : strncmp(a, b, na) < 0 ? -1 : strncmp(a, b, na) > 0;
        a += na;
        b += nb;
        if (!*a && !*b) return true;
        if (*a != '.' || *b != '.') {
            if (!*a && *b == '.') { if (!*cmp) *cmp = -1; return true; }   /* 10.0 < 10.0.1 */
            if (!*b && *a == '.') { if (!*cmp) *cmp = 1; return true; }
            return false;
        }
        a++;
        b++;
    }
}

/* v compared with w's reference value, as w's op says. */
static bool compare_holds(const et_when *w, const char *v, et_lookup_fn lookup, void *ctx)
{
    et_buf ref = {0}, missing = {0};
    et_tpl_gaps g = {.missing = &missing};
    et_template_render(&ref, w->ref, lookup, ctx, &g);
    bool have = !missing.len && ref.len;
    int c = 0;
    bool num = have && version_cmp(v, ref.data, &c);
    if (have && !num && (w->op == ET_WHEN_EQ || w->op == ET_WHEN_NE)) c = strcasecmp(v, ref.data);
    et_buf_free(&ref);
    et_buf_free(&missing);
    if (!have || (!num && w->op != ET_WHEN_EQ && w->op != ET_WHEN_NE)) return false;
    switch (w->op) {
    case ET_WHEN_EQ: return c == 0;
    case ET_WHEN_NE: return c != 0;
    case ET_WHEN_GT: return c > 0;
    case ET_WHEN_GTE: return c >= 0;
    case ET_WHEN_LT: return c < 0;
    case ET_WHEN_LTE: return c <= 0;
    default: return false;
    }
}

bool et_when_holds(const et_when *when, size_t n, et_lookup_fn lookup, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        const et_when *w = &when[i];
        const char *v = lookup(w->name, ctx);
        bool have = v && *v;
        if (w->op != ET_WHEN_IS) {
            if (!have || !compare_holds(w, v, lookup, ctx)) return false;
            continue;
        }
        if (!w->nvalues) {
            if (have != w->present) return false;
            continue;
        }
        bool any = false;
        for (size_t k = 0; have && k < w->nvalues && !any; k++) any = !strcasecmp(v, w->values[k]);
        if (!any) return false;
    }
    return true;
}

static void fill_step(et_step *out, const et_step_tpl *st, et_lookup_fn lookup, void *ctx, et_tpl_gaps *gaps)
{
    memset(out, 0, sizeof *out);
    out->text = render_prose(st->text, lookup, ctx, gaps);
    out->shell = et_shell_name(st->shell);
    out->shell_label = et_shell_label(st->shell);
    out->cond = render_prose(st->cond, lookup, ctx, NULL);
    if (st->on) {
        et_buf h = {0};
        et_tpl_gaps hg = {0};
        et_buf miss = {0};
        hg.missing = &miss;
        et_template_render(&h, st->on, lookup, ctx, &hg);
        if (!miss.len && h.len) out->host = dup_buf(&h);
        et_buf_free(&h);
        et_buf_free(&miss);
    }
    if (!st->nrun) return;
    out->commands = calloc(st->nrun, sizeof *out->commands);
    if (!out->commands) abort();
    et_buf missing = {0}, refused = {0};
    et_tpl_gaps mine = {.missing = &missing, .refused = &refused};
    bool filled = true;
    for (size_t i = 0; i < st->nrun; i++) {
        et_buf c = {0};
        filled &= et_command_render(&c, st->run[i], st->shell, lookup, ctx, &mine);
        out->commands[out->ncommands++] = dup_buf(&c);
        et_buf_free(&c);
    }
    bool holds = et_when_holds(st->when, st->nwhen, lookup, ctx);
    out->runnable = filled && holds;
    et_buf why = {0};
    if (!holds) et_buf_printf(&why, "only if %s: the events do not show it", out->cond ? out->cond : "its condition holds");
    if (missing.len) et_buf_printf(&why, "%snot in the events: %s", why.len ? "; " : "", missing.data);
    if (refused.len)
        et_buf_printf(&why, "%snot put into the command, its value holding %s: %s", why.len ? "; " : "", mine.why,
                      refused.data);
    if (why.len) out->why = dup_buf(&why);
    /* a value refused goes in the finding's notes too; a name missing from a command only in the
     * step's why (an Azure resource group is in no log: the notes would say so of every such step) */
    if (gaps && gaps->refused) et_names_add(gaps->refused, refused.data);
    if (gaps && refused.len && !gaps->why[0]) memcpy(gaps->why, mine.why, sizeof gaps->why);
    et_buf_free(&why);
    et_buf_free(&missing);
    et_buf_free(&refused);
}

void et_steps_fill(et_finding *f, const et_rca *rca, et_lookup_fn lookup, void *ctx, et_tpl_gaps *gaps)
{
    if (!rca || !rca->nremediation) return;
    f->remediation = calloc(rca->nremediation, sizeof *f->remediation);
    if (!f->remediation) abort();
    for (size_t i = 0; i < rca->nremediation; i++) fill_step(&f->remediation[f->nremediation++], &rca->remediation[i], lookup, ctx, gaps);
}
