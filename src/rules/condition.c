/* condition.c: parses Sigma detection conditions (and/or/not, parentheses, `1 of x*`, `all of
 * them`) into an expression tree over the rule's search identifiers. */
#include "rules/compile.h"
#include <ctype.h>
#include <fnmatch.h>
#include <string.h>

enum { T_END, T_WORD, T_LP, T_RP, T_PIPE };

typedef struct cparser {
    et_cctx *c;
    const ynode *node;
    const char *s;
    size_t pos;
    int tok;
    size_t tstart, tlen;
    bool failed;
} cparser;

static void perr(cparser *p, size_t at, const char *fmt, const char *arg)
{
    if (p->failed) return;
    p->failed = true;
    int col = p->node->col + (p->node->plain ? 0 : 1) + (int)at;
    char msg[600];
    snprintf(msg, sizeof msg, fmt, arg);
    cc_error_at(p->c, p->node->line, col, "condition: %s", msg);
}

static void next(cparser *p)
{
    const char *s = p->s;
    while (s[p->pos] && isspace((unsigned char)s[p->pos])) p->pos++;
    p->tstart = p->pos;
    char ch = s[p->pos];
    if (!ch) { p->tok = T_END; p->tlen = 0; return; }
    if (ch == '(' || ch == ')' || ch == '|') {
        p->tok = ch == '(' ? T_LP : ch == ')' ? T_RP : T_PIPE;
        p->tlen = 1;
        p->pos++;
        return;
    }
    while (s[p->pos] && !isspace((unsigned char)s[p->pos]) && !strchr("()|", s[p->pos])) p->pos++;
    p->tok = T_WORD;
    p->tlen = p->pos - p->tstart;
}

static bool is_word(cparser *p, const char *w)
{
    return p->tok == T_WORD && p->tlen == strlen(w) && !strncasecmp(p->s + p->tstart, w, p->tlen);
}

static et_cx *node(cparser *p, int op, et_cx *a, et_cx *b)
{
    et_cx *x = cc_alloc(p->c, sizeof *x);
    x->op = (uint8_t)op;
    x->a = a;
    x->b = b;
    return x;
}

static et_cx *expr(cparser *p);

static et_cx *sel_ref(cparser *p, uint32_t i)
{
    et_cx *x = node(p, CX_SEL, NULL, NULL);
    x->sel = i;
    return x;
}

/* `1 of pattern` / `all of them`: OR / AND over the matching identifiers. */
static et_cx *quantified(cparser *p, bool all)
{
    next(p); /* 'of' already checked by caller: now the target */
    if (p->tok != T_WORD) { perr(p, p->tstart, "expected 'them' or an identifier pattern after 'of'%s", ""); return NULL; }
    char pat[256];
    snprintf(pat, sizeof pat, "%.*s", (int)p->tlen, p->s + p->tstart);
    bool them = !strcmp(pat, "them");
    et_cx *acc = NULL;
    const struct et_rule_impl *im = p->c->impl;
    for (uint32_t i = 0; i < im->nsels; i++) {
        const char *name = im->sels[i].name;
        if (them ? name[0] == '_' : fnmatch(pat, name, 0) != 0) continue;
        et_cx *r = sel_ref(p, i);
        acc = acc ? node(p, all ? CX_AND : CX_OR, acc, r) : r;
    }
    if (!acc) { perr(p, p->tstart, "'%s' matches no search identifier", pat); return NULL; }
    next(p);
    return acc;
}

static et_cx *primary(cparser *p)
{
    if (p->tok == T_LP) {
        size_t at = p->tstart;
        next(p);
        et_cx *x = expr(p);
        if (p->tok != T_RP) { perr(p, at, "unbalanced '('%s", ""); return NULL; }
        next(p);
        return x;
    }
    if (p->tok == T_PIPE) { perr(p, p->tstart, "aggregations after '|' are obsolete: write a correlation rule%s", ""); return NULL; }
    if (p->tok != T_WORD) { perr(p, p->tstart, p->tok == T_END ? "unexpected end%s" : "unexpected ')'%s", ""); return NULL; }
    if (is_word(p, "1") || is_word(p, "all") || is_word(p, "any")) {
        bool all = is_word(p, "all");
        size_t save = p->pos, at = p->tstart, len = p->tlen;
        next(p);
        if (is_word(p, "of")) return quantified(p, all);
        p->pos = save;
        p->tstart = at;
        p->tlen = len;
        p->tok = T_WORD;
    }
    if (is_word(p, "and") || is_word(p, "or")) {
        perr(p, p->tstart, "missing operand before '%s'", is_word(p, "and") ? "and" : "or");
        return NULL;
    }
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)p->tlen, p->s + p->tstart);
    for (uint32_t i = 0; i < p->c->impl->nsels; i++)
        if (!strcmp(p->c->impl->sels[i].name, name)) { next(p); return sel_ref(p, i); }
    if (strchr(name, '*')) perr(p, p->tstart, "'%s': patterns need '1 of' or 'all of'", name);
    else perr(p, p->tstart, "unknown search identifier '%s'", name);
    return NULL;
}

static et_cx *unary(cparser *p)
{
    if (is_word(p, "not")) {
        next(p);
        et_cx *x = unary(p);
        return x ? node(p, CX_NOT, x, NULL) : NULL;
    }
    return primary(p);
}

static et_cx *and_expr(cparser *p)
{
    et_cx *x = unary(p);
    while (x && is_word(p, "and")) {
        next(p);
        et_cx *y = unary(p);
        if (!y) return NULL;
        x = node(p, CX_AND, x, y);
    }
    return x;
}

static et_cx *expr(cparser *p)
{
    et_cx *x = and_expr(p);
    while (x && is_word(p, "or")) {
        next(p);
        et_cx *y = and_expr(p);
        if (!y) return NULL;
        x = node(p, CX_OR, x, y);
    }
    return x;
}

static et_cx *parse_one(et_cctx *c, const ynode *n)
{
    if (n->kind != YN_SCALAR) { cc_error(c, n, "condition must be a string or a list of strings"); return NULL; }
    cparser p = {.c = c, .node = n, .s = n->str};
    next(&p);
    if (p.tok == T_END) { perr(&p, 0, "empty condition%s", ""); return NULL; }
    et_cx *x = expr(&p);
    if (x && p.tok != T_END) {
        char tok[64];
        snprintf(tok, sizeof tok, "%.*s", (int)(p.tlen > 60 ? 60 : p.tlen), p.s + p.tstart);
        if (p.tok == T_PIPE) perr(&p, p.tstart, "aggregations after '|' are obsolete: write a correlation rule%s", "");
        else perr(&p, p.tstart, p.tok == T_RP ? "unbalanced ')'%s" : "unexpected '%s' (missing and/or?)", tok);
    }
    return p.failed ? NULL : x;
}

et_cx *cc_condition(et_cctx *c, const ynode *cond)
{
    if (cond->kind != YN_SEQ) return parse_one(c, cond);
    et_cx *acc = NULL;
    for (size_t i = 0; i < cond->n; i++) {
        et_cx *x = parse_one(c, cond->items[i]);
        if (!x) return NULL;
        if (!acc) { acc = x; continue; }
        et_cx *o = cc_alloc(c, sizeof *o);
        o->op = CX_OR;
        o->a = acc;
        o->b = x;
        acc = o;
    }
    if (!acc) cc_error(c, cond, "empty condition list");
    return acc;
}
