/* scanner.c: matches one event against the candidate rules of its (channel, provider, event id);
 * per-thread caches make each field lookup and lower-casing happen once per event. */
#include "rules/scan_int.h"
#include "core/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t sbuf_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    size_t off = b->len;
    memcpy(b->p + off, s, n);
    b->p[off + n] = 0;
    b->len += n + 1;
    return off;
}

et_scanner *et_scanner_new(const et_ruleset *rs)
{
    et_scanner *s = calloc(1, sizeof *s);
    s->rs = rs;
    size_t nf = rs->nfnames + 1, nx = rs->max_extract + 1;
    s->fgen = calloc(nf, sizeof *s->fgen);
    s->fval = calloc(nf, sizeof *s->fval);
    s->lgen = calloc(nf, sizeof *s->lgen);
    s->loff = calloc(nf, sizeof *s->loff);
    s->llen = calloc(nf, sizeof *s->llen);
    s->xoff = calloc(nx, sizeof *s->xoff);
    s->xhas = calloc(nx, sizeof *s->xhas);
    s->xval = calloc(nx, sizeof *s->xval);
    s->rgen = calloc(rs->nrules + 1, sizeof *s->rgen);
    s->outf = calloc(rs->max_out + 1, sizeof *s->outf);
    s->outx = calloc(nx, sizeof *s->outx);
    s->md = pcre2_match_data_create((uint32_t)(rs->max_captures ? rs->max_captures : 1), NULL);
    s->mc = pcre2_match_context_create(NULL);
    if (!s->md || !s->mc) abort();
    pcre2_set_match_limit(s->mc, SCAN_RE_MATCH_LIMIT);
    return s;
}

void et_scanner_free(et_scanner *s)
{
    if (!s) return;
    free(s->fgen); free(s->fval); free(s->lgen); free(s->loff); free(s->llen);
    free(s->lbuf.p); free(s->tmp.p); free(s->xbuf.p);
    free(s->xoff); free(s->xhas); free(s->xval); free(s->rgen); free(s->outf); free(s->outx);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mc);
    free(s->giveups);
    free(s);
}

/* The entry of rule r in a give-up list, appended (zeroed but for the rule) when it has none. */
static et_giveup *giveup_of(et_giveup **list, size_t *n, size_t *cap, const et_rule *r)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i].rule == r) return &(*list)[i];
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *list = realloc(*list, *cap * sizeof **list);
        if (!*list) abort();
    }
    (*list)[*n] = (et_giveup){.rule = r};
    return &(*list)[(*n)++];
}

/* The current rule gave up on the current event: counted once per rule and event. */
static void note_giveup(et_scanner *s)
{
    et_giveup *g = giveup_of(&s->giveups, &s->ngiveups, &s->capgiveups, s->rule);
    if (g->events && g->last_gen == s->gen) return;
    if (!g->events) g->first_record = s->ev->record_id;
    g->last_gen = s->gen;
    g->events++;
}

int scan_re(et_scanner *s, const pcre2_code *re, const char *subject, size_t len)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)subject, len, 0, 0, s->md, s->mc);
    if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) return rc;
    note_giveup(s);   /* a limit (match, depth, heap, JIT stack): the answer is unknown */
    return PCRE2_ERROR_NOMATCH;
}

void et_scanner_take_giveups(et_scanner *s, et_giveup **list, size_t *n, size_t *cap)
{
    for (size_t i = 0; i < s->ngiveups; i++) {
        const et_giveup *g = &s->giveups[i];
        et_giveup *to = giveup_of(list, n, cap, g->rule);
        if (!to->events) to->first_record = g->first_record;   /* the earliest call's */
        to->events += g->events;
    }
    s->ngiveups = 0;
}

void et_giveup_message(const et_giveup *g, char *buf, size_t len)
{
    const et_rule *r = g->rule;
    snprintf(buf, len, "rule '%s' (%s:%d): its regular expression gave up on %llu event(s) (first: record %llu) "
             "after %d match steps, and read them as not matching (a nested quantifier such as (a|aa)+ can "
             "backtrack without end)",
             r->id ? r->id : r->title, r->file, r->line, (unsigned long long)g->events,
             (unsigned long long)g->first_record, SCAN_RE_MATCH_LIMIT);
}

const char *et_top_string(const et_event *ev, int kind, char b[40])
{
    const char *r = b;
    switch (kind) {
    case ACC_EVENT_ID: snprintf(b, 40, "%u", ev->event_id); break;
    case ACC_CHANNEL: r = ev->channel; break;
    case ACC_PROVIDER: r = ev->provider; break;
    case ACC_PROVIDER_GUID: r = ev->provider_guid; break;
    case ACC_COMPUTER: r = ev->computer; break;
    case ACC_USER_SID: r = ev->user_sid; break;
    case ACC_LEVEL: if (ev->has_level) snprintf(b, 40, "%u", ev->level); else r = NULL; break;
    case ACC_TASK: if (ev->has_task) snprintf(b, 40, "%u", ev->task); else r = NULL; break;
    case ACC_OPCODE: if (ev->has_opcode) snprintf(b, 40, "%u", ev->opcode); else r = NULL; break;
    case ACC_VERSION: if (ev->has_version) snprintf(b, 40, "%u", ev->version); else r = NULL; break;
    case ACC_QUALIFIERS: if (ev->has_qualifiers) snprintf(b, 40, "%u", ev->qualifiers); else r = NULL; break;
    case ACC_KEYWORDS: if (ev->has_keywords) snprintf(b, 40, "0x%llx", (unsigned long long)ev->keywords); else r = NULL; break;
    case ACC_PROCESS_ID: if (ev->has_process_id) snprintf(b, 40, "%u", ev->process_id); else r = NULL; break;
    case ACC_THREAD_ID: if (ev->has_thread_id) snprintf(b, 40, "%u", ev->thread_id); else r = NULL; break;
    case ACC_RECORD_ID: snprintf(b, 40, "%llu", (unsigned long long)ev->record_id); break;
    case ACC_TIME: et_filetime_to_iso(ev->timestamp, b); break;
    default: r = NULL;
    }
    return r;
}

static const char *top_value(et_scanner *s, int kind)
{
    if (s->topgen[kind] == s->gen) return s->topp[kind];
    s->topgen[kind] = s->gen;
    return s->topp[kind] = et_top_string(s->ev, kind, s->top[kind]);
}

/* Does the event's field name, read without its spaces, spell the rule's? */
static bool same_without_spaces(const char *event_name, const char *rule_name)
{
    for (;; event_name++) {
        if (*event_name == ' ') continue;
        if (*event_name != *rule_name) return false;
        if (!*rule_name) return true;
        rule_name++;
    }
}

/* The value of an EventData field a rule names. Sigma writes names that hold spaces without
 * them (the specification: `New Value` is `NewValue`), and SigmaHQ's own checker matches
 * Defender's `Threat Name` for a rule's `ThreatName`: a name not found as written is looked
 * for again among the event's names read without their spaces (only then, so exact names
 * cost nothing more). */
static const char *field_value(const et_event *ev, const char *name)
{
    const char *v = et_event_field(ev, name);
    if (v || strchr(name, ' ')) return v;
    for (size_t i = 0; i < ev->nfields; i++)
        if (strchr(ev->fields[i].name, ' ') && same_without_spaces(ev->fields[i].name, name)) return ev->fields[i].value;
    return NULL;
}

const char *scan_get(et_scanner *s, const et_acc *a)
{
    if (a->kind == ACC_DATA) {
        if (s->fgen[a->id] != s->gen) {
            s->fgen[a->id] = s->gen;
            s->fval[a->id] = field_value(s->ev, s->rs->fnames[a->id]);
        }
        return s->fval[a->id];
    }
    if (a->kind == ACC_EXTRACT) return s->xhas[a->id] ? s->xval[a->id] : NULL;
    if (a->kind >= ACC_TOP_FIRST && a->kind <= ACC_TOP_LAST) return top_value(s, a->kind);
    return NULL;
}

/* Lower-cased copy of an accessor's value, made once per event for EventData fields. */
static const char *get_lower(et_scanner *s, const et_acc *a, const char *raw, size_t *len)
{
    if (a->kind == ACC_DATA) {
        if (s->lgen[a->id] != s->gen) {
            s->lgen[a->id] = s->gen;
            size_t n = strlen(raw);
            s->loff[a->id] = sbuf_add(&s->lbuf, raw, n);
            s->llen[a->id] = n;
            et_lower_ascii(s->lbuf.p + s->loff[a->id], n);
        }
        *len = s->llen[a->id];
        return s->lbuf.p + s->loff[a->id];
    }
    size_t n = strlen(raw);
    s->tmp.len = 0;
    size_t off = sbuf_add(&s->tmp, raw, n);
    et_lower_ascii(s->tmp.p + off, n);
    *len = n;
    return s->tmp.p + off;
}

static bool str_op(uint8_t op, const char *v, size_t vl, const char *p, size_t pl)
{
    switch (op) {
    case OP_EQ: return vl == pl && !memcmp(v, p, pl);
    case OP_PREFIX: return vl >= pl && !memcmp(v, p, pl);
    case OP_SUFFIX: return vl >= pl && !memcmp(v + vl - pl, p, pl);
    case OP_CONTAINS: return et_memmem(v, vl, p, pl) != NULL;
    case OP_GLOB: return et_glob_match(p, pl, v, vl);
    default: return false;
    }
}

static bool fieldref_op(et_scanner *s, const et_val *v, const char *raw)
{
    const char *other = scan_get(s, &v->ref[s->variant]);
    if (!other) return false;
    size_t rl = strlen(raw), ol = strlen(other);
    int (*cmp)(const char *, const char *, size_t) = v->cased ? strncmp : strncasecmp;
    switch (v->op) {
    case OP_EQ: return rl == ol && !cmp(raw, other, ol);
    case OP_PREFIX: return rl >= ol && !cmp(raw, other, ol);
    case OP_SUFFIX: return rl >= ol && !cmp(raw + rl - ol, other, ol);
    default: return (v->cased ? strstr(raw, other) : strcasestr(raw, other)) != NULL;
    }
}

/* One value against a present field value. */
static bool val_match(et_scanner *s, const et_val *v, const et_acc *a, const char *raw)
{
    double x;
    switch (v->op) {
    case OP_NULL: return raw[0] == 0;
    case OP_EXISTS: return true;
    case OP_NOT_EXISTS: return false;
    case OP_RE: return scan_re(s, v->re, raw, PCRE2_ZERO_TERMINATED) >= 0;
    case OP_LT: return et_parse_number(raw, &x) && x < v->num;
    case OP_LTE: return et_parse_number(raw, &x) && x <= v->num;
    case OP_GT: return et_parse_number(raw, &x) && x > v->num;
    case OP_GTE: return et_parse_number(raw, &x) && x >= v->num;
    case OP_CIDR: return et_ip_in_cidr(raw, v->ip, v->family, v->bits);
    default: break;
    }
    if (v->fieldref) return fieldref_op(s, v, raw);
    if (v->cased) return str_op(v->op, raw, strlen(raw), v->s, v->len);
    size_t len;
    const char *low = get_lower(s, a, raw, &len);
    return str_op(v->op, low, len, v->s, v->len);
}

static bool val_test(et_scanner *s, const et_val *v, const et_acc *a, const char *raw)
{
    if (!raw) return v->op == OP_NULL || v->op == OP_NOT_EXISTS || v->neg;
    bool r = val_match(s, v, a, raw);
    return v->neg ? !r : r;
}

/* Keyword: any EventData value matches. */
static bool keyword_match(et_scanner *s, const et_val *v)
{
    const et_event *ev = s->ev;
    for (size_t i = 0; i < ev->nfields; i++) {
        if (!ev->fields[i].value) continue;
        et_acc a = {ACC_NONE, 0};
        if (val_match(s, v, &a, ev->fields[i].value)) return true;
    }
    return false;
}

static bool fcond_match(et_scanner *s, const et_fcond *f, size_t vi)
{
    const char *raw = NULL;
    const et_acc *a = NULL;
    if (!f->keyword) {
        a = &f->acc[vi];
        raw = scan_get(s, a);
    }
    if (!f->all) {
        for (uint32_t i = 0; i < f->nvals; i++)
            if (f->keyword ? keyword_match(s, &f->vals[i]) : val_test(s, &f->vals[i], a, raw)) return true;
        return false;
    }
    /* |all: every value as written must hold; its variants (windash, base64offset) are alternatives */
    for (uint32_t i = 0; i < f->nvals;) {
        uint32_t g = f->vals[i].grp;
        bool ok = false;
        for (; i < f->nvals && f->vals[i].grp == g; i++)
            if (!ok) ok = f->keyword ? keyword_match(s, &f->vals[i]) : val_test(s, &f->vals[i], a, raw);
        if (!ok) return false;
    }
    return true;
}

static bool alt_match(et_scanner *s, const et_alt *alt, size_t vi)
{
    for (uint32_t k = 0; k < alt->nconds; k++)
        if (!fcond_match(s, &alt->conds[k], vi)) return false;
    return true;
}

static bool cx_eval(et_scanner *s, const struct et_rule_impl *im, const et_cx *x, size_t vi)
{
    switch (x->op) {
    case CX_SEL: {
        const et_sel *sel = &im->sels[x->sel];
        for (uint32_t a = 0; a < sel->nalts; a++)
            if (alt_match(s, &sel->alts[a], vi)) return true;
        return false;
    }
    case CX_AND:
        for (uint32_t i = 0; i < x->n; i++)
            if (!cx_eval(s, im, x->kids[i], vi)) return false;
        return true;
    case CX_OR:
        for (uint32_t i = 0; i < x->n; i++)
            if (cx_eval(s, im, x->kids[i], vi)) return true;
        return false;
    case CX_NOT: return !cx_eval(s, im, x->kids[0], vi);
    case CX_TRUE: return true;
    default: return false;
    }
}

static void report(et_scanner *s, const et_rule *rule, et_match_fn fn, void *ctx)
{
    const struct et_rule_impl *im = rule->impl;
    et_match m = {.rule = rule, .event = s->ev, .fields = s->outf, .extracted = s->outx};
    for (size_t o = 0; o < im->nout; o++) {
        const char *v = scan_get(s, &im->out[o].acc[s->variant]);
        if (v) s->outf[m.nfields++] = (et_value_ref){im->out[o].name, v};
    }
    for (size_t x = 0; x < im->nex; x++)
        if (s->xhas[x]) s->outx[m.nextracted++] = (et_value_ref){im->ex[x].name, s->xval[x]};
    if (fn) fn(&m, ctx);
}

static bool try_rule(et_scanner *s, const et_cand *c)
{
    const et_rule *rule = s->rs->rules[c->rule];
    const struct et_rule_impl *im = rule->impl;
    if (s->rgen[c->rule] == s->gen) return false;
    const et_variant *v = &im->variants[c->variant];
    s->variant = c->variant;
    s->rule = rule;
    if (v->extra.nconds) {
        s->variant = 0;   /* extras were compiled for their own variant alone */
        bool ok = alt_match(s, &v->extra, 0);
        s->variant = c->variant;
        if (!ok) return false;
    }
    if (im->nex) scan_extract(s, im);
    if (!cx_eval(s, im, im->cond, c->variant)) return false;
    s->rgen[c->rule] = s->gen;
    return true;
}

static int scan_list(et_scanner *s, const et_cand *c, size_t n, et_match_fn fn, void *ctx)
{
    int hits = 0;
    for (size_t i = 0; i < n; i++)
        if (try_rule(s, &c[i])) {
            report(s, s->rs->rules[c[i].rule], fn, ctx);
            hits++;
        }
    return hits;
}

int et_scanner_scan(et_scanner *s, const et_event *ev, et_match_fn fn, void *ctx)
{
    s->ev = ev;
    if (++s->gen == 0) {   /* wrapped: reset every cache stamp */
        size_t nf = s->rs->nfnames + 1;
        memset(s->fgen, 0, nf * sizeof *s->fgen);
        memset(s->lgen, 0, nf * sizeof *s->lgen);
        memset(s->topgen, 0, sizeof s->topgen);
        memset(s->rgen, 0, (s->rs->nrules + 1) * sizeof *s->rgen);
        s->gen = 1;
    }
    s->lbuf.len = 0;
    const char *ch = ev->channel ? ev->channel : "", *pr = ev->provider ? ev->provider : "";
    if (!s->last_valid || strcmp(ch, s->last_ch) || strcmp(pr, s->last_pr)) {
        s->last_nb = et_index_lookup(s->rs, ch, pr, s->last_b);
        snprintf(s->last_ch, sizeof s->last_ch, "%s", ch);
        snprintf(s->last_pr, sizeof s->last_pr, "%s", pr);
        s->last_valid = strlen(ch) < sizeof s->last_ch - 1 && strlen(pr) < sizeof s->last_pr - 1;
    }
    int hits = 0;
    for (size_t i = 0; i < s->last_nb; i++) {
        size_t n, nany;
        const et_cand *any;
        const et_cand *c = et_bucket_cands(s->last_b[i], ev->event_id, &n, &any, &nany);
        hits += scan_list(s, c, n, fn, ctx);
        hits += scan_list(s, any, nany, fn, ctx);
    }
    return hits;
}

const char *et_match_value(const et_match *m, const char *name)
{
    const struct et_rule_impl *im = m->rule->impl;
    for (size_t i = 0; i < m->nextracted; i++)
        if (!strcmp(m->extracted[i].name, name)) return m->extracted[i].value;
    for (size_t i = 0; i < im->nex; i++)
        if (!strcmp(im->ex[i].name, name)) return NULL;   /* extracted, but no value */
    for (size_t i = 0; i < m->nfields; i++)
        if (!strcmp(m->fields[i].name, name)) return m->fields[i].value;
    /* not named by the detection: resolve through the rule's first variant's mapping */
    const et_variant *v = im->nvariants ? &im->variants[0] : NULL;
    for (size_t i = 0; v && i < v->nfmap; i++)
        if (!strcmp(v->fmap[i].from, name)) { name = v->fmap[i].to; break; }
    int top = et_mapping_toplevel(im->rs->mapping, name);
    static _Thread_local char buf[40];
    if (top != ACC_NONE) return et_top_string(m->event, top, buf);
    return field_value(m->event, name);
}
