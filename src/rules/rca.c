/* rca.c: the `rca:` extension (finding title/message templates, cause, remediation, references,
 * confidence, explains) and the {placeholder} template renderer the report stage uses. */
#include "rules/compile.h"
#include "core/timeutil.h"
#include <stdio.h>
#include <string.h>

static const char *const rca_keys[] = {"title", "message", "event", "cause", "remediation", "references",
                                       "confidence", "explains", "explains_window", "resolved_by", "needs", "group_by", "notes", NULL};
static const char *const need_keys[] = {"channel", "host", "other_host", "covering", "message", "confidence", NULL};

/* Checks {placeholder} syntax: balanced braces, names of letters, digits, _ . - and '|'
 * before a filter ({code|meaning}, {hr|values}, {last_time|since:boot_time}). */
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
            if (!(ch == '_' || ch == '.' || ch == '-' || ch == '|' || ch == ':' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
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

static bool valid_confidence(const char *s)
{
    return s && (!strcmp(s, "high") || !strcmp(s, "medium") || !strcmp(s, "low"));
}

static bool flag(et_cctx *c, const ynode *n, bool *out)
{
    *out = false;
    if (!n) return true;
    if (!yn_str(n) || (strcmp(n->str, "true") && strcmp(n->str, "false"))) { cc_error(c, n, "expected true or false"); return false; }
    *out = !strcmp(n->str, "true");
    return true;
}

static bool needs(et_cctx *c, const ynode *n, et_rca *r)
{
    if (!n) return true;
    if (n->kind != YN_SEQ) { cc_error(c, n, "needs is a list of {channel, host, message, confidence}"); return false; }
    et_need *v = cc_alloc(c, (n->n ? n->n : 1) * sizeof *v);
    for (size_t i = 0; i < n->n; i++) {
        const ynode *it = n->items[i];
        if (it->kind != YN_MAP) { cc_error(c, it, "a need is a map {channel, host, message, confidence}"); return false; }
        cc_check_keys(c, it, need_keys, true, "needs");
        et_need *x = &v[r->nneeds];
        x->channel = yn_str(yn_get(it, "channel"));
        x->host = yn_str(yn_get(it, "host"));
        x->message = yn_str(yn_get(it, "message"));
        x->confidence = yn_str(yn_get(it, "confidence"));
        if (!x->channel) { cc_error(c, it, "a need names its channel"); return false; }
        if (!check_template(c, yn_get(it, "host")) || !check_template(c, yn_get(it, "message"))) return false;
        if (yn_get(it, "confidence") && !valid_confidence(x->confidence)) { cc_error(c, yn_get(it, "confidence"), "confidence must be high, medium or low"); return false; }
        if (!flag(c, yn_get(it, "other_host"), &x->other_host) || !flag(c, yn_get(it, "covering"), &x->covering)) return false;
        r->nneeds++;
    }
    r->needs = v;
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
    r->event = yn_str(yn_get(node, "event"));
    if (!check_template(c, yn_get(node, "title")) || !check_template(c, yn_get(node, "message")) ||
        !check_template(c, yn_get(node, "event")) ||
        !check_template(c, yn_get(node, "cause")))
        return false;
    const ynode *conf = yn_get(node, "confidence");
    if (conf) {
        r->confidence = yn_str(conf);
        if (!valid_confidence(r->confidence)) {
            cc_error(c, conf, "confidence must be high, medium or low");
            return false;
        }
    }
    if (!str_list(c, yn_get(node, "remediation"), &r->remediation, &r->nremediation, true)) return false;
    if (!str_list(c, yn_get(node, "references"), &r->references, &r->nreferences, false)) return false;
    if (!str_list(c, yn_get(node, "notes"), &r->notes, &r->nnotes, true)) return false;
    const ynode *ex = yn_get(node, "explains");
    if (ex && ex->kind != YN_SEQ && ex->kind != YN_SCALAR) { cc_error(c, ex, "explains must be a list of rule ids"); return false; }
    c->impl->explains_node = ex;
    const ynode *rb = yn_get(node, "resolved_by");
    if (rb && rb->kind != YN_SEQ && rb->kind != YN_SCALAR) { cc_error(c, rb, "resolved_by must be a list of rule ids"); return false; }
    c->impl->resolved_node = rb;
    if (!needs(c, yn_get(node, "needs"), r)) return false;
    if (!str_list(c, yn_get(node, "group_by"), &r->group_by, &r->ngroup_by, false)) return false;
    const ynode *win = yn_get(node, "explains_window");
    if (win && (!yn_str(win) || (r->explains_window = et_parse_duration(win->str)) <= 0)) {
        cc_error(c, win, "explains_window must be a duration (e.g. 2m)");
        return false;
    }
    c->rule->rca = r;
    return true;
}

/* A list of rule references (ids or names) resolved into out. */
static bool resolve_list(et_cctx *c, const ynode *n, const char *what, const et_rule ***out, size_t *nout)
{
    size_t cnt = n->kind == YN_SEQ ? n->n : 1;
    *out = cc_alloc(c, cnt * sizeof **out);
    for (size_t i = 0; i < cnt; i++) {
        const ynode *it = n->kind == YN_SEQ ? n->items[i] : n;
        const et_rule *t = yn_str(it) ? et_ruleset_find(c->rs, it->str) : NULL;
        if (!t) { cc_error(c, it, "%s: unknown rule reference '%s'", what, yn_str(it) ? it->str : "?"); return false; }
        (*out)[(*nout)++] = t;
    }
    return true;
}

/* Resolves `explains:` and `resolved_by:` once every rule is known. */
bool cc_rca_refs(et_cctx *c, et_rule *rule)
{
    et_rca *r = (et_rca *)rule->rca;
    if (!r) return true;
    const ynode *ex = rule->impl->explains_node, *rb = rule->impl->resolved_node;
    if (ex && !resolve_list(c, ex, "explains", &r->explains, &r->nexplains)) return false;
    if (rb && !resolve_list(c, rb, "resolved_by", &r->resolved_by, &r->nresolved_by)) return false;
    return true;
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
