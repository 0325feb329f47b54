/* codes.c: loads the error-code table once (on a thread of its own while the rule packs load)
 * and answers look-ups by normalized code. */
#include "analyze/codes.h"
#include "rules/rules.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

typedef struct code_entry { char code[11]; char *name, *meaning; } code_entry;
struct et_codes { code_entry *v; size_t n; };

static char *node_str(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);
        if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
            !strcmp((char *)k->data.scalar.value, key) && strcmp((char *)v->data.scalar.value, "null") &&
            v->data.scalar.length)
            return strdup((char *)v->data.scalar.value);
    }
    return NULL;
}

et_codes *et_codes_load(const char *path, char *err, size_t errlen)
{
    if (errlen) err[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    et_codes *c = calloc(1, sizeof *c);
    if (!c) abort();
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "YAML error");
        yaml_parser_delete(&parser);
        fclose(f);
        free(c);
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++) {
            yaml_node_t *m = yaml_document_get_node(&doc, *it);
            if (!m || m->type != YAML_MAPPING_NODE) continue;
            char *code = node_str(&doc, m, "code");
            char norm[11];
            if (code && et_hresult_normalize(code, norm)) {
                c->v = realloc(c->v, (c->n + 1) * sizeof *c->v);
                if (!c->v) abort();
                code_entry *e = &c->v[c->n++];
                memcpy(e->code, norm, sizeof norm);
                e->name = node_str(&doc, m, "name");
                e->meaning = node_str(&doc, m, "meaning");
            }
            free(code);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return c;
}

struct et_codes_job {
    const char *path;
    et_codes *codes;
    char err[600];
    pthread_t thread;
    bool threaded;
};

static void *load_job(void *arg)
{
    et_codes_job *j = arg;
    j->codes = et_codes_load(j->path, j->err, sizeof j->err);
    return NULL;
}

et_codes_job *et_codes_load_start(const char *path, bool threaded)
{
    et_codes_job *j = calloc(1, sizeof *j);
    if (!j) abort();
    j->path = path;
    j->threaded = threaded && pthread_create(&j->thread, NULL, load_job, j) == 0;
    if (!j->threaded) load_job(j);
    return j;
}

et_codes *et_codes_wait(et_codes_job *j, char *err, size_t errlen)
{
    if (j->threaded) pthread_join(j->thread, NULL);
    snprintf(err, errlen, "%s", j->err);
    et_codes *c = j->codes;
    free(j);
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
