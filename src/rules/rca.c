/* rca.c: the `rca:` extension (finding title/message templates, cause, remediation, references,
 * confidence, explains) and the {placeholder} template renderer the report stage uses. */
#include "rules/compile.h"
#include "core/timeutil.h"
#include <stdio.h>
#include <string.h>

static const char *const rca_keys[] = {"title", "message", "cause", "remediation", "references",
                                       "confidence", "explains", NULL};

/* Checks {placeholder} syntax: balanced braces, names of letters, digits, _ . - */
static bool check_template(et_cctx *c, const ynode *n)
{
    if (!n) return true;
    if (!yn_str(n)) { cc_error(c, n, "template must be a string"); return false; }
    const char *s = n->str;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '{' && s[i + 1] == '{') { i++; continue; }
        if (s[i] == '}' && s[i + 1] == '}') { i++; continue; }
        if (s[i] == '}') { cc_error(c, n, "template: '}' without '{' at offset %zu (write '}}' for a brace)", i); return false; }
        if (s[i] != '{') continue;
        size_t j = i + 1;
        while (s[j] && s[j] != '}' && s[j] != '{') {
            char ch = s[j];
            if (!(ch == '_' || ch == '.' || ch == '-' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= 'A' && ch <= 'Z'))) {
                cc_error(c, n, "template: bad placeholder character '%c' at offset %zu", ch, j);
                return false;
            }
            j++;
        }
        if (s[j] != '}' || j == i + 1) { cc_error(c, n, "template: unterminated or empty placeholder at offset %zu", i); return false; }
        i = j;
    }
    return true;
}

static bool str_list(et_cctx *c, const ynode *n, const char ***out, size_t *nout, bool templates)
{
    *nout = 0;
    if (!n) return true;
    if (n->kind == YN_SCALAR) {
        *out = cc_alloc(c, sizeof **out);
        (*out)[(*nout)++] = n->str;
        return !templates || check_template(c, n);
    }
    if (n->kind != YN_SEQ) { cc_error(c, n, "expected a list of strings"); return false; }
    *out = cc_alloc(c, (n->n + 1) * sizeof **out);
    for (size_t i = 0; i < n->n; i++) {
        if (!yn_str(n->items[i])) { cc_error(c, n->items[i], "expected a string"); return false; }
        if (templates && !check_template(c, n->items[i])) return false;
        (*out)[(*nout)++] = n->items[i]->str;
    }
    return true;
}

bool cc_rca(et_cctx *c, const ynode *node)
{
    if (node->kind != YN_MAP) { cc_error(c, node, "'rca' must be a map"); return false; }
    cc_check_keys(c, node, rca_keys, true, "rca");
    et_rca *r = cc_alloc(c, sizeof *r);
    r->title = yn_str(yn_get(node, "title"));
    r->message = yn_str(yn_get(node, "message"));
    r->cause = yn_str(yn_get(node, "cause"));
    if (!check_template(c, yn_get(node, "title")) || !check_template(c, yn_get(node, "message")) ||
        !check_template(c, yn_get(node, "cause")))
        return false;
    const ynode *conf = yn_get(node, "confidence");
    if (conf) {
        r->confidence = yn_str(conf);
        if (!r->confidence || (strcmp(r->confidence, "high") && strcmp(r->confidence, "medium") && strcmp(r->confidence, "low"))) {
            cc_error(c, conf, "confidence must be high, medium or low");
            return false;
        }
    }
    if (!str_list(c, yn_get(node, "remediation"), &r->remediation, &r->nremediation, true)) return false;
    if (!str_list(c, yn_get(node, "references"), &r->references, &r->nreferences, false)) return false;
    const ynode *ex = yn_get(node, "explains");
    if (ex && ex->kind != YN_SEQ && ex->kind != YN_SCALAR) { cc_error(c, ex, "explains must be a list of rule ids"); return false; }
    c->impl->explains_node = ex;
    c->rule->rca = r;
    return true;
}

/* Resolves `explains:` once every rule is known. */
bool cc_rca_refs(et_cctx *c, et_rule *rule)
{
    const ynode *ex = rule->impl->explains_node;
    if (!ex || !rule->rca) return true;
    et_rca *r = (et_rca *)rule->rca;
    size_t n = ex->kind == YN_SEQ ? ex->n : 1;
    r->explains = cc_alloc(c, n * sizeof *r->explains);
    for (size_t i = 0; i < n; i++) {
        const ynode *it = ex->kind == YN_SEQ ? ex->items[i] : ex;
        const et_rule *t = yn_str(it) ? et_ruleset_find(c->rs, it->str) : NULL;
        if (!t) { cc_error(c, it, "explains: unknown rule reference '%s'", yn_str(it) ? it->str : "?"); return false; }
        r->explains[r->nexplains++] = t;
    }
    return true;
}

void et_template_render(et_buf *out, const char *t, et_lookup_fn lookup, void *ctx)
{
    for (size_t i = 0; t[i]; i++) {
        if ((t[i] == '{' && t[i + 1] == '{') || (t[i] == '}' && t[i + 1] == '}')) {
            et_buf_putc(out, t[i++]);
            continue;
        }
        const char *close = t[i] == '{' ? strchr(t + i + 1, '}') : NULL;
        if (!close) { et_buf_putc(out, t[i]); continue; }
        char name[128];
        size_t n = (size_t)(close - t - i - 1);
        if (n >= sizeof name) { et_buf_putc(out, t[i]); continue; }
        memcpy(name, t + i + 1, n);
        name[n] = 0;
        const char *v = lookup ? lookup(name, ctx) : NULL;
        if (v) et_buf_puts(out, v);
        else et_buf_put(out, t + i, n + 2);
        i += n + 1;
    }
}

const char *et_hit_value(const et_corr_hit *h, const char *name, char buf[64])
{
    for (size_t i = 0; i < h->ngroup; i++)
        if (!strcmp(h->group[i].name, name) && h->group[i].value) return h->group[i].value;
    for (size_t e = 0; e < h->nevents; e++)
        for (size_t i = 0; i < h->events[e].nvalues; i++)
            if (!strcmp(h->events[e].values[i].name, name)) return h->events[e].values[i].value;
    if (!strcmp(name, "count")) { snprintf(buf, 64, "%llu", (unsigned long long)h->count); return buf; }
    if (!strcmp(name, "first_time") || !strcmp(name, "time")) { et_filetime_to_iso(h->first_time, buf); return buf; }
    if (!strcmp(name, "last_time")) { et_filetime_to_iso(h->last_time, buf); return buf; }
    if (!strcmp(name, "rule")) return h->rule->title;
    if ((!strcmp(name, "Computer") || !strcmp(name, "host")) && h->nevents) return h->events[0].computer;
    return NULL;
}
