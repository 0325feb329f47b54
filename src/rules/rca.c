/* rca.c: the `rca:` extension (finding title/message templates, cause, remediation, references,
 * confidence, explains) and the {placeholder} template renderer the report stage uses. */
#include "rules/compile.h"
#include "core/timeutil.h"
#include <stdio.h>
#include <string.h>

static const char *const rca_keys[] = {"title", "message", "event", "cause", "remediation", "references",
                                       "confidence", "explains", "explains_window", "resolved_by", "needs", "group_by", "notes", "require", NULL};
static const char *const need_keys[] = {"channel", "host", "other_host", "covering", "message", "confidence", NULL};
static const char *const step_keys[] = {"text", "run", "shell", "on", "if", "when", NULL};

/* Checks {placeholder} syntax: balanced braces, names of letters, digits, _ . - and '|'
 * before a filter ({code|meaning}, {hr|values}, {last_time|since:boot_time}). */
static bool check_template(et_cctx *c, const ynode *n)
{
    if (!n) return true;
    if (!yn_str(n)) { cc_error(c, n, "template must be a string"); return false; }
    const char *s = n->str;
    bool clause = false;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '[' && s[i + 1] == '[') {
            if (clause) { cc_error(c, n, "template: optional clause [[ inside another at offset %zu", i); return false; }
            clause = true;
            i++;
            continue;
        }
        if (s[i] == ']' && s[i + 1] == ']' && clause) { clause = false; i++; continue; }
        if (s[i] == '{' && s[i + 1] == '{') { i++; continue; }
        if (s[i] == '}' && s[i + 1] == '}') { i++; continue; }
        if (s[i] == '}') { cc_error(c, n, "template: '}' without '{' at offset %zu (write '}}' for a brace)", i); return false; }
        if (s[i] != '{') continue;
        size_t j = i + 1;
        while (s[j] && s[j] != '}' && s[j] != '{') {
            char ch = s[j];
            if (!(ch == '_' || ch == '.' || ch == '-' || ch == '|' || ch == ':' || ch == '@' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= 'A' && ch <= 'Z'))) {
                cc_error(c, n, "template: bad placeholder character '%c' at offset %zu", ch, j);
                return false;
            }
            j++;
        }
        if (s[j] != '}' || j == i + 1) { cc_error(c, n, "template: unterminated or empty placeholder at offset %zu", i); return false; }
        i = j;
    }
    if (clause) { cc_error(c, n, "template: optional clause [[ without ]]"); return false; }
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

/* A `code span` in a text step that reads like a command: it belongs in `run:`, where it is
 * checked for its shell and its values are quoted as literals. */
static void warn_inline_commands(et_cctx *c, const ynode *n)
{
    for (const char *p = n->str; (p = strchr(p, '`'));) {
        const char *end = strchr(p + 1, '`');
        if (!end) break;
        if (et_looks_like_command(p + 1, (size_t)(end - p - 1))) {
            cc_warn(c, n, "remediation: the text holds a command (`%.*s`): give it as run: with its shell, so it is "
                    "checked and its values quoted", (int)(end - p - 1 > 60 ? 60 : end - p - 1), p + 1);
            return;
        }
        p = end + 1;
    }
}

/* A command template of a step: its syntax as a template and for its shell. */
static bool step_command(et_cctx *c, const ynode *n, et_shell sh)
{
    if (!check_template(c, n)) return false;
    size_t at = 0;
    const char *problem = et_command_lint(n->str, sh, &at);
    if (!problem) return true;
    cc_error(c, n, "remediation (%s): %s, at offset %zu of '%s'", et_shell_name(sh), problem, at, n->str);
    return false;
}

static const char *const when_ops[] = {"", "eq", "ne", "gt", "gte", "lt", "lte", NULL};

/* One `when:` value given as {op: template}: a comparison with another value. */
static bool when_compare(et_cctx *c, const ynode *v, et_when *w)
{
    if (yn_pairs(v) != 1) { cc_error(c, v, "when: '%s': a comparison is one of {eq|ne|gt|gte|lt|lte: value}", w->name); return false; }
    const char *op = yn_str(yn_key(v, 0));
    for (int k = 1; when_ops[k]; k++)
        if (op && !strcmp(op, when_ops[k])) w->op = (et_when_op)k;
    if (w->op == ET_WHEN_IS) { cc_error(c, yn_key(v, 0), "when: unknown comparison '%s' (eq, ne, gt, gte, lt, lte)", op ? op : "?"); return false; }
    const ynode *ref = yn_val(v, 0);
    if (!yn_str(ref)) { cc_error(c, ref, "when: '%s %s' compares with a value (a template)", w->name, op); return false; }
    if (!check_template(c, ref)) return false;
    w->ref = ref->str;
    w->present = true;
    return true;
}

/* `when:` of a step and `rca.require`: names to a value, a list of values, true/false, or a
 * comparison {gt: '{other}'}. */
static bool when_map(et_cctx *c, const ynode *n, const char *what, const et_when **out, size_t *nout)
{
    if (!n) return true;
    if (n->kind != YN_MAP || !yn_pairs(n)) { cc_error(c, n, "%s is a map of names to values (or true/false)", what); return false; }
    size_t np = yn_pairs(n);
    et_when *w = cc_alloc(c, np * sizeof *w);
    for (size_t i = 0; i < np; i++) {
        const ynode *k = yn_key(n, i), *v = yn_val(n, i);
        memset(&w[i], 0, sizeof w[i]);
        w[i].name = yn_str(k);
        if (!w[i].name) { cc_error(c, k, "%s: a name", what); return false; }
        if (v->kind == YN_SCALAR && v->plain && (!strcmp(v->str, "true") || !strcmp(v->str, "false"))) {
            w[i].present = !strcmp(v->str, "true");
            continue;
        }
        if (v->kind == YN_MAP) {
            if (!when_compare(c, v, &w[i])) return false;
            continue;
        }
        if (!str_list(c, v, &w[i].values, &w[i].nvalues, false) || !w[i].nvalues) {
            if (!w[i].nvalues) cc_error(c, v, "%s: '%s' needs a value, a list of values, true/false or a comparison", what, w[i].name);
            return false;
        }
        w[i].present = true;
    }
    *out = w;
    *nout = np;
    return true;
}

static bool step(et_cctx *c, const ynode *n, et_step_tpl *st)
{
    if (yn_str(n)) {
        st->text = n->str;
        st->shell = ET_SHELL_TEXT;
        if (!check_template(c, n)) return false;
        warn_inline_commands(c, n);
        return true;
    }
    if (n->kind != YN_MAP) { cc_error(c, n, "a remediation step is text, or a map {text, run, shell, on, if, when}"); return false; }
    cc_check_keys(c, n, step_keys, true, "remediation step");
    const ynode *text = yn_get(n, "text"), *run = yn_get(n, "run"), *sh = yn_get(n, "shell");
    if (!text && !run) { cc_error(c, n, "a remediation step has text, run, or both"); return false; }
    if (text && !yn_str(text)) { cc_error(c, text, "text must be a string"); return false; }
    st->text = yn_str(text);
    if (text) warn_inline_commands(c, text);
    st->shell = run ? ET_SHELL_POWERSHELL : ET_SHELL_TEXT;
    if (sh && !et_shell_parse(yn_str(sh), &st->shell)) {
        cc_error(c, sh, "shell must be powershell (Windows PowerShell 5.1), cmd, azcli (Azure CLI in Bash) or text");
        return false;
    }
    if (!check_template(c, text) || !check_template(c, yn_get(n, "on")) || !check_template(c, yn_get(n, "if")))
        return false;
    st->on = yn_str(yn_get(n, "on"));
    st->cond = yn_str(yn_get(n, "if"));
    if (!str_list(c, run, &st->run, &st->nrun, false)) return false;
    for (size_t i = 0; i < st->nrun; i++)
        if (!step_command(c, run->kind == YN_SEQ ? run->items[i] : run, st->shell)) return false;
    const ynode *when = yn_get(n, "when");
    if (!when_map(c, when, "when", &st->when, &st->nwhen)) return false;
    if (when && !st->cond) { cc_error(c, when, "a step with when: says its condition in words (if:)"); return false; }
    return true;
}

static bool steps(et_cctx *c, const ynode *n, et_rca *r)
{
    if (!n) return true;
    size_t cnt = n->kind == YN_SEQ ? n->n : 1;
    et_step_tpl *v = cc_alloc(c, (cnt ? cnt : 1) * sizeof *v);
    for (size_t i = 0; i < cnt; i++)
        if (!step(c, n->kind == YN_SEQ ? n->items[i] : n, &v[i])) return false;
    r->remediation = v;
    r->nremediation = cnt;
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
    if (!steps(c, yn_get(node, "remediation"), r)) return false;
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
    if (!when_map(c, yn_get(node, "require"), "require", &r->require, &r->nrequire)) return false;
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
