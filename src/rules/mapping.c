/* mapping.c: reads rules/sigma-mapping.yaml: Sigma logsources -> (channel, provider, event ids,
 * field renames) and the Sigma names of top-level event values. */
#include "rules/rule_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct map_entry {
    const char *name, *category, *product, *service;
    const char **channels; size_t nch;
    const char **providers; size_t npr;
    uint32_t *eids; size_t neids;
    const ynode *conditions;
    et_fieldmap *fmap; size_t nfmap;
    const char **fields; size_t nfields;
    bool multi;
} map_entry;

typedef struct top_name { const char *name; int acc; } top_name;

struct et_mapping {
    map_entry *e; size_t n;
    top_name *top; size_t ntop;
    et_arena *arena;
};

static const struct { const char *key; int acc; } acc_names[] = {
    {"event_id", ACC_EVENT_ID}, {"channel", ACC_CHANNEL}, {"provider", ACC_PROVIDER},
    {"provider_guid", ACC_PROVIDER_GUID}, {"computer", ACC_COMPUTER}, {"level", ACC_LEVEL},
    {"task", ACC_TASK}, {"opcode", ACC_OPCODE}, {"keywords", ACC_KEYWORDS}, {"record_id", ACC_RECORD_ID},
    {"version", ACC_VERSION}, {"user_sid", ACC_USER_SID}, {"process_id", ACC_PROCESS_ID},
    {"thread_id", ACC_THREAD_ID}, {"qualifiers", ACC_QUALIFIERS}, {"time", ACC_TIME},
};

typedef struct mctx {
    const char *path;
    et_diag_fn diag;
    void *ctx;
    int nerr;
    et_mapping *m;
} mctx;

static void merr(mctx *c, const ynode *n, const char *fmt, const char *arg)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg);
    et_diag d = {c->path, n ? n->line : 0, n ? n->col : 0, ET_DIAG_ERROR, msg, 0, 0};
    if (c->diag) c->diag(&d, c->ctx);
    c->nerr++;
}

/* A scalar or a list of scalars as an array of strings. */
static size_t str_list(mctx *c, const ynode *n, const char ***out)
{
    *out = NULL;
    if (!n) return 0;
    if (n->kind == YN_SCALAR) {
        *out = et_arena_alloc(c->m->arena, sizeof **out);
        (*out)[0] = n->str;
        return 1;
    }
    if (n->kind != YN_SEQ) { merr(c, n, "expected a string or a list of strings%s", ""); return 0; }
    *out = et_arena_alloc(c->m->arena, (n->n ? n->n : 1) * sizeof **out);
    for (size_t i = 0; i < n->n; i++) {
        if (n->items[i]->kind != YN_SCALAR) { merr(c, n->items[i], "expected a string%s", ""); return 0; }
        (*out)[i] = n->items[i]->str;
    }
    return n->n;
}

static void load_entry(mctx *c, const ynode *key, const ynode *v)
{
    if (v->kind != YN_MAP) { merr(c, v, "logsource '%s' must be a map", key->str); return; }
    map_entry e = {.name = key->str};
    e.category = yn_str(yn_get(v, "category"));
    e.product = yn_str(yn_get(v, "product"));
    e.service = yn_str(yn_get(v, "service"));
    e.nch = str_list(c, yn_get(v, "channel"), &e.channels);
    e.npr = str_list(c, yn_get(v, "provider"), &e.providers);
    if (!e.nch) { merr(c, v, "logsource '%s' has no channel", key->str); return; }
    const char **ids;
    e.neids = str_list(c, yn_get(v, "event_ids"), &ids);
    if (e.neids > 64) { merr(c, v, "logsource '%s' lists more than 64 event ids", key->str); return; }
    e.eids = et_arena_alloc(c->m->arena, (e.neids ? e.neids : 1) * sizeof *e.eids);
    for (size_t i = 0; i < e.neids; i++) e.eids[i] = (uint32_t)strtoul(ids[i], NULL, 10);
    e.conditions = yn_get(v, "conditions");
    const ynode *fm = yn_get(v, "fieldmappings");
    e.nfmap = yn_pairs(fm);
    e.fmap = et_arena_alloc(c->m->arena, (e.nfmap ? e.nfmap : 1) * sizeof *e.fmap);
    for (size_t i = 0; i < e.nfmap; i++) {
        e.fmap[i].from = yn_key(fm, i)->str;
        e.fmap[i].to = yn_str(yn_val(fm, i));
        if (!e.fmap[i].to) { merr(c, yn_val(fm, i), "field mapping must be a string%s", ""); return; }
    }
    e.nfields = str_list(c, yn_get(v, "fields"), &e.fields);
    const ynode *mp = yn_get(v, "multi_provider");
    e.multi = mp && yn_str(mp) && !strcmp(mp->str, "true");
    c->m->e = realloc(c->m->e, (c->m->n + 1) * sizeof *c->m->e);
    c->m->e[c->m->n++] = e;
}

static void on_doc(const ynode *root, mctx *c)
{
    const ynode *fields = yn_get(root, "fields");
    for (size_t i = 0; i < yn_pairs(fields); i++) {
        const char *to = yn_str(yn_val(fields, i));
        int acc = ACC_NONE;
        for (size_t k = 0; to && k < sizeof acc_names / sizeof *acc_names; k++)
            if (!strcmp(acc_names[k].key, to)) acc = acc_names[k].acc;
        if (acc == ACC_NONE) { merr(c, yn_val(fields, i), "unknown top-level value '%s'", to ? to : "?"); continue; }
        c->m->top = realloc(c->m->top, (c->m->ntop + 1) * sizeof *c->m->top);
        c->m->top[c->m->ntop++] = (top_name){yn_key(fields, i)->str, acc};
    }
    const ynode *ls = yn_get(root, "logsources");
    if (!ls) merr(c, root, "no 'logsources' map%s", "");
    for (size_t i = 0; i < yn_pairs(ls); i++) load_entry(c, yn_key(ls, i), yn_val(ls, i));
}

et_mapping *et_mapping_build(const char *path, const ydoc_parsed *parsed, et_arena *arena, et_diag_fn diag,
                             void *ctx, int *nerr)
{
    et_mapping *m = calloc(1, sizeof *m);
    m->arena = arena;
    mctx c = {path, diag, ctx, 0, m};
    for (size_t i = 0; i < parsed->ndocs; i++) on_doc(parsed->docs[i], &c);
    if (parsed->error) {
        et_diag d = {path, parsed->line, parsed->col, ET_DIAG_ERROR, parsed->error, 0, 0};
        if (diag) diag(&d, ctx);
        c.nerr++;
    }
    *nerr = c.nerr;
    if (c.nerr) { et_mapping_free(m); return NULL; }
    return m;
}

void et_mapping_free(et_mapping *m)
{
    if (!m) return;
    free(m->e);
    free(m->top);
    free(m);
}

static bool same(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return !strcasecmp(a, b);
}

static bool entry_applies(const map_entry *e, const char *cat, const char *prod, const char *svc)
{
    if (!same(e->category, cat) || !same(e->service, svc)) return false;
    return !prod || !e->product || !strcasecmp(prod, e->product);
}

static void add_variants(const map_entry *e, et_arena *arena, et_variant **out, size_t *n)
{
    size_t np = e->npr ? e->npr : 1;
    for (size_t c = 0; c < e->nch; c++)
        for (size_t p = 0; p < np; p++) {
            *out = realloc(*out, (*n + 1) * sizeof **out);
            et_variant *v = &(*out)[(*n)++];
            memset(v, 0, sizeof *v);
            v->channel = e->channels[c];
            v->provider = e->npr ? e->providers[p] : NULL;
            v->eids = e->eids;
            v->neids = e->neids;
            v->fmap = e->fmap;
            v->nfmap = e->nfmap;
            v->cond_node = e->conditions;
            v->known = e->fields;
            v->nknown = e->nfields;
            v->multi_provider = e->multi;
            v->source = e->name;
        }
    (void)arena;
}

size_t et_mapping_variants(const et_mapping *m, const ynode *ls, et_arena *arena, et_variant **out, bool *known)
{
    const char *cat = yn_str(yn_get(ls, "category"));
    const char *prod = yn_str(yn_get(ls, "product"));
    const char *svc = yn_str(yn_get(ls, "service"));
    size_t n = 0;
    *out = NULL;
    for (size_t i = 0; i < m->n; i++)
        if (entry_applies(&m->e[i], cat, prod, svc)) add_variants(&m->e[i], arena, out, &n);
    *known = n > 0;
    if (!n && !cat && !svc && (!prod || !strcasecmp(prod, "windows"))) {
        /* product: windows alone: every Windows event */
        *out = calloc(1, sizeof **out);
        (*out)->source = "windows";
        (*out)->multi_provider = true;
        n = 1;
        *known = true;
    }
    return n;
}

int et_mapping_toplevel(const et_mapping *m, const char *name)
{
    for (size_t i = 0; i < m->ntop; i++)
        if (!strcmp(m->top[i].name, name)) return m->top[i].acc;
    return ACC_NONE;
}

bool et_mapping_knows_field(const et_mapping *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++) {
        for (size_t k = 0; k < m->e[i].nfields; k++)
            if (!strcmp(m->e[i].fields[k], name)) return true;
        for (size_t k = 0; k < m->e[i].nfmap; k++)
            if (!strcmp(m->e[i].fmap[k].from, name)) return true;
    }
    return false;
}
