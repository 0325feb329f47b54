/* gaps.c: evidence gaps: inputs that could not be read in full, logs a finding needs that the
 * upload lacks (declared as data in rules/data/evidence.yaml), and "no rule fired" with what
 * was looked at. */
#include "analyze/kept.h"
#include "core/outbuf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

static void add_gap(et_report *r, const char *kind, const char *msg)
{
    for (size_t i = 0; i < r->ngaps; i++)
        if (!strcmp(r->gaps[i].message, msg)) return;
    r->gaps = realloc(r->gaps, (r->ngaps + 1) * sizeof *r->gaps);
    if (!r->gaps) abort();
    r->gaps[r->ngaps].kind = xstrdup(kind);
    r->gaps[r->ngaps].message = xstrdup(msg);
    r->ngaps++;
}

static void input_gaps(et_report *r, const kept_set *k)
{
    char msg[1200];
    for (size_t i = 0; i < r->ninputs; i++) {
        const et_input *in = &r->inputs[i];
        if (in->unreadable) {
            snprintf(msg, sizeof msg, "%s could not be read: %s", in->path, in->nproblems ? in->problems[0] : "?");
            add_gap(r, "unreadable", msg);
            continue;
        }
        if (in->skipped) {
            snprintf(msg, sizeof msg, "%s: %llu record(s) could not be decoded and were skipped", in->path,
                     (unsigned long long)in->skipped);
            add_gap(r, "skipped-records", msg);
        } else if (in->nproblems_total) {
            snprintf(msg, sizeof msg, "%s: %s", in->path, in->problems[0]);
            add_gap(r, "damaged", msg);
        }
        if (in->recovered) {
            snprintf(msg, sizeof msg, "%s: %llu record(s) recovered from slack space (flagged in the evidence)",
                     in->path, (unsigned long long)in->recovered);
            add_gap(r, "recovered-records", msg);
        }
    }
    if (r->ntimeline_dropped) {
        snprintf(msg, sizeof msg, "timeline capped: %zu entries beyond the limit were not kept", r->ntimeline_dropped);
        add_gap(r, "timeline-capped", msg);
    }
    if (k->dropped) {
        snprintf(msg, sizeof msg, "evidence capped: %zu matched events beyond the limit were not kept", k->dropped);
        add_gap(r, "evidence-capped", msg);
    }
}

/* ---- rules/data/evidence.yaml ------------------------------------------------------------- */

typedef struct need { char *rule, *channel, *host, *message; } need;

static char *scalar(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
        if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
            !strcmp((char *)k->data.scalar.value, key))
            return xstrdup((char *)v->data.scalar.value);
    }
    return NULL;
}

static need *load_needs(const char *path, size_t *n)
{
    *n = 0;
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) return NULL;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    need *v = NULL;
    if (yaml_parser_load(&parser, &doc)) {
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root && root->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++) {
                yaml_node_t *m = yaml_document_get_node(&doc, *it);
                if (!m || m->type != YAML_MAPPING_NODE) continue;
                v = realloc(v, (*n + 1) * sizeof *v);
                if (!v) abort();
                need *x = &v[(*n)++];
                x->rule = scalar(&doc, m, "rule");
                x->channel = scalar(&doc, m, "channel");
                x->host = scalar(&doc, m, "host");
                x->message = scalar(&doc, m, "message");
            }
        }
        yaml_document_delete(&doc);
    } else {
        fprintf(stderr, "%s:%zu:%zu: %s\n", path, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                parser.problem ? parser.problem : "YAML error");
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return v;
}

static const char *entity_lookup(const char *name, void *ctx)
{
    const et_finding *f = ctx;
    for (size_t i = 0; i < f->nentities; i++)
        if (!strcasecmp(f->entities[i].key, name)) return f->entities[i].value;
    return NULL;
}

static int same_host(const char *a, const char *b)
{
    size_t na = strcspn(a, "."), nb = strcspn(b, ".");
    return !strcasecmp(a, b) || (na == nb && !strncasecmp(a, b, na));
}

/* Does some input hold channel (for host, when given)? */
static int have_log(const et_report *r, const char *channel, const char *host)
{
    for (size_t i = 0; i < r->ninputs; i++) {
        const et_input *in = &r->inputs[i];
        int ch = 0;
        for (size_t c = 0; c < in->nchannels && !ch; c++) ch = !strcasecmp(in->channels[c], channel);
        if (!ch) continue;
        if (!host || !*host) return 1;
        for (size_t h = 0; h < in->nhosts; h++)
            if (same_host(in->hosts[h], host)) return 1;
    }
    return 0;
}

static void declared_gaps(et_report *r, const char *path)
{
    size_t n;
    need *needs = load_needs(path, &n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < r->nfindings; j++) {
            et_finding *f = &r->findings[j];
            if (!needs[i].rule || !needs[i].channel || strcmp(needs[i].rule, f->rule)) continue;
            et_buf host = {0}, msg = {0};
            if (needs[i].host) et_template_render(&host, needs[i].host, entity_lookup, f);
            int unresolved = host.data && strchr(host.data, '{');
            if (!have_log(r, needs[i].channel, unresolved ? NULL : host.data)) {
                et_template_render(&msg, needs[i].message ? needs[i].message : "a log this finding needs is missing",
                                   entity_lookup, f);
                char line[1400];
                snprintf(line, sizeof line, "%s (needed by %s: %s log%s%s)", msg.data ? msg.data : "", f->id,
                         needs[i].channel, host.len && !unresolved ? " of " : "", host.len && !unresolved ? host.data : "");
                add_gap(r, "missing-log", line);
            }
            et_buf_free(&host);
            et_buf_free(&msg);
        }
    }
    for (size_t i = 0; i < n; i++) { free(needs[i].rule); free(needs[i].channel); free(needs[i].host); free(needs[i].message); }
    free(needs);
}

/* "No rule fired" says what was looked at. */
static void nothing_found(et_report *r)
{
    int above_info = 0;
    for (size_t i = 0; i < r->nfindings; i++) above_info |= r->findings[i].severity > ET_SEV_INFO;
    if (above_info) return;
    et_buf b = {0};
    size_t hosts = 0, files = 0;
    for (size_t i = 0; i < r->ninputs; i++) { files += !r->inputs[i].unreadable; hosts += r->inputs[i].nhosts; }
    et_buf_printf(&b, "No rule fired above info: %zu rule(s) looked at %llu event(s) in %zu readable file(s)",
                  r->nrules, (unsigned long long)r->events_read, files);
    et_buf_puts(&b, "; channels read:");
    size_t shown = 0;
    for (size_t i = 0; i < r->ninputs && shown < 12; i++)
        for (size_t c = 0; c < r->inputs[i].nchannels && shown < 12; c++, shown++)
            et_buf_printf(&b, "%s %s", shown ? "," : "", r->inputs[i].channels[c]);
    if (!shown) et_buf_puts(&b, " none");
    (void)hosts;
    add_gap(r, "no-findings", b.data);
    et_buf_free(&b);
}

void et_find_gaps(const kept_set *k, et_report *r, const char *evidence_file)
{
    declared_gaps(r, evidence_file);
    input_gaps(r, k);
    nothing_found(r);
}
