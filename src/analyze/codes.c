/* codes.c: the error-code table, built from its parsed YAML (parsed with the rule packs), and
 * look-ups by normalized code. */
#include "analyze/codes.h"
#include "rules/rules.h"
#include "core/ydoc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct code_entry { char code[11]; char *name, *meaning; } code_entry;
struct et_codes { code_entry *v; size_t n; };

static char *entry_str(const ynode *map, const char *key)
{
    const ynode *v = yn_get(map, key);
    return yn_str(v) && v->len && !yn_is_null(v) ? strdup(v->str) : NULL;
}

et_codes *et_codes_build(const ynode *root)
{
    et_codes *c = calloc(1, sizeof *c);
    if (!c) abort();
    for (size_t i = 0; root && root->kind == YN_SEQ && i < root->n; i++) {
        const ynode *m = root->items[i];
        const char *code = m->kind == YN_MAP ? yn_str(yn_get(m, "code")) : NULL;
        char norm[11];
        if (!code || !et_hresult_normalize(code, norm)) continue;
        c->v = realloc(c->v, (c->n + 1) * sizeof *c->v);
        if (!c->v) abort();
        code_entry *e = &c->v[c->n++];
        memcpy(e->code, norm, sizeof norm);
        e->name = entry_str(m, "name");
        e->meaning = entry_str(m, "meaning");
    }
    return c;
}

void et_codes_free(et_codes *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) { free(c->v[i].name); free(c->v[i].meaning); }
    free(c->v);
    free(c);
}

static const code_entry *find(const et_codes *c, const char *value)
{
    char norm[11];
    if (!c || !value || !et_hresult_normalize(value, norm)) return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (!strcasecmp(c->v[i].code, norm)) return &c->v[i];
    return NULL;
}

const char *et_codes_name(const et_codes *c, const char *value)
{
    const code_entry *e = find(c, value);
    return e ? e->name : NULL;
}

const char *et_codes_meaning(const et_codes *c, const char *value)
{
    const code_entry *e = find(c, value);
    return e ? e->meaning : NULL;
}
