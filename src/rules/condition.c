/* condition.c: parses Sigma detection conditions (and/or/not, parentheses, `1 of x*`, `all of
 * them`) into an expression tree over the rule's search identifiers. A condition is rule input:
 * chains of `or`/`and` and quantifiers make one node each whatever their length; parentheses
 * and `not` nest at most CX_MAX_DEPTH deep (the parser and every walk of the tree recurse over
 * them); and names and patterns are compared with the search identifiers at most
 * CX_MAX_TESTS times (memory and time of a long condition over many identifiers). */
#include "rules/compile.h"
#include <ctype.h>
#include <fnmatch.h>
#include <string.h>

enum { T_END, T_WORD, T_LP, T_RP, T_PIPE };
#define CX_MAX_TESTS 1000000

typedef struct cparser {
    et_cctx *c;
    const ynode *node;
    const char *s;
    size_t pos;
    int tok;
    size_t tstart, tlen;
    bool failed;
    int depth;            /* parentheses and `not`s open */
    size_t *tests;        /* comparisons with the search identifiers, over the rule's conditions */
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

/* Operands of one AND or OR, gathered before the node is made. */
typedef struct cxlist { et_cx **v; size_t n, cap; } cxlist;

static void cxl_add(cxlist *l, et_cx *x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        if (!(l->v = realloc(l->v, l->cap * sizeof *l->v))) abort();
    }
    l->v[l->n++] = x;
}

/* The node of op over the operands (the one operand itself when alone); frees the list. */
static et_cx *cxl_node(et_cctx *c, int op, cxlist *l)
{
    et_cx *x = l->n == 1 ? l->v[0] : NULL;
    if (!x && l->n) {
        x = cc_alloc(c, sizeof *x);
        x->op = (uint8_t)op;
        x->n = (uint32_t)l->n;
        x->kids = cc_alloc(c, l->n * sizeof *x->kids);
        memcpy(x->kids, l->v, l->n * sizeof *x->kids);
    }
    free(l->v);
    *l = (cxlist){0};
    return x;
}

static et_cx *expr(cparser *p);

static et_cx *sel_ref(cparser *p, uint32_t i)
{
    et_cx *x = cc_alloc(p->c, sizeof *x);
    x->op = CX_SEL;
    x->sel = i;
    return x;
}

/* n more comparisons with the search identifiers: false (and said) past CX_MAX_TESTS. */
static bool may_test(cparser *p, size_t at, size_t n)
{
    if (*p->tests + n <= CX_MAX_TESTS) { *p->tests += n; return true; }
    perr(p, at, "more than %s comparisons of names and patterns with the search identifiers", "1,000,000");
    return false;
}

/* One more level of parentheses or `not`: false (and said) past CX_MAX_DEPTH. */
static bool may_nest(cparser *p)
{
    if (++p->depth <= CX_MAX_DEPTH) return true;
    perr(p, p->tstart, "parentheses and 'not' nested more than %s deep", "64");
    return false;
}

/* `1 of pattern` / `all of them`: OR / AND over the matching identifiers. */
static et_cx *quantified(cparser *p, bool all, size_t at)
{
    next(p); /* 'of' already checked by caller: now the target */
    if (p->tok != T_WORD) { perr(p, p->tstart, "expected 'them' or an identifier pattern after 'of'%s", ""); return NULL; }
    char pat[256];
    snprintf(pat, sizeof pat, "%.*s", (int)p->tlen, p->s + p->tstart);
    bool them = !strcmp(pat, "them");
    const struct et_rule_impl *im = p->c->impl;
    if (!may_test(p, at, im->nsels)) return NULL;
    cxlist l = {0};
    for (uint32_t i = 0; i < im->nsels; i++) {
        const char *name = im->sels[i].name;
        if (them ? name[0] == '_' : fnmatch(pat, name, 0) != 0) continue;
        cxl_add(&l, sel_ref(p, i));
    }
    et_cx *acc = cxl_node(p->c, all ? CX_AND : CX_OR, &l);
    if (!acc) { perr(p, p->tstart, "'%s' matches no search identifier", pat); return NULL; }
    next(p);
    return acc;
}

static et_cx *primary(cparser *p)
{
    if (p->tok == T_LP) {
        size_t at = p->tstart;
        if (!may_nest(p)) return NULL;
        next(p);
        et_cx *x = expr(p);
        p->depth--;
        if (!x) return NULL;
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
        if (is_word(p, "of")) return quantified(p, all, at);
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
    if (!may_test(p, p->tstart, p->c->impl->nsels)) return NULL;
    for (uint32_t i = 0; i < p->c->impl->nsels; i++)
        if (!strcmp(p->c->impl->sels[i].name, name)) { next(p); return sel_ref(p, i); }
    if (strchr(name, '*')) perr(p, p->tstart, "'%s': patterns need '1 of' or 'all of'", name);
    else perr(p, p->tstart, "unknown search identifier '%s'", name);
    return NULL;
}

static et_cx *unary(cparser *p)
{
    if (is_word(p, "not")) {
        if (!may_nest(p)) return NULL;
        next(p);
        et_cx *x = unary(p);
        p->depth--;
        if (!x) return NULL;
        et_cx *n = cc_alloc(p->c, sizeof *n);
        n->op = CX_NOT;
        n->n = 1;
        n->kids = cc_alloc(p->c, sizeof *n->kids);
        n->kids[0] = x;
        return n;
    }
    return primary(p);
}

/* operand (word operand)...: one node of op over all of them. */
static et_cx *chain(cparser *p, const char *word, int op, et_cx *(*operand)(cparser *))
{
    et_cx *x = operand(p);
    if (!x || !is_word(p, word)) return x;
    cxlist l = {0};
    cxl_add(&l, x);
    while (is_word(p, word)) {
        next(p);
        et_cx *y = operand(p);
        if (!y) { free(l.v); return NULL; }
        cxl_add(&l, y);
    }
    return cxl_node(p->c, op, &l);
}

static et_cx *and_expr(cparser *p) { return chain(p, "and", CX_AND, unary); }
static et_cx *expr(cparser *p) { return chain(p, "or", CX_OR, and_expr); }

static et_cx *parse_one(et_cctx *c, const ynode *n, size_t *tests)
{
    if (n->kind != YN_SCALAR) { cc_error(c, n, "condition must be a string or a list of strings"); return NULL; }
    cparser p = {.c = c, .node = n, .s = n->str, .tests = tests};
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
    size_t tests = 0;
    if (cond->kind != YN_SEQ) return parse_one(c, cond, &tests);
    if (!cond->n) { cc_error(c, cond, "empty condition list"); return NULL; }
    cxlist l = {0};
    for (size_t i = 0; i < cond->n; i++) {
        et_cx *x = parse_one(c, cond->items[i], &tests);
        if (!x) { free(l.v); return NULL; }
        cxl_add(&l, x);
    }
    return cxl_node(c, CX_OR, &l);   /* a list: any of its conditions */
}
