/* loader.c: finds the rule files (several YAML documents each), has them parsed side by side,
 * compiles every document in file order, resolves references between rules (correlations,
 * explains) and builds the rule set's index. */
#include "rules/compile.h"
#include "core/pool.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


/* A rule file found by the walk, or why a path given could not be read (said in its turn). */
typedef struct entry {
    char *path;
    char *error;
    bool warning;            /* error is a warning */
} entry;

/* A directory walked: by device and inode, so that one reached again through a link is not. */
typedef struct seen_dir { dev_t dev; ino_t ino; } seen_dir;

typedef struct lctx {
    et_ruleset *rs;
    const et_rules_options *opt;
    et_diag_fn diag;
    void *dctx;
    int nerr;
    const char *file;
    entry *entries;
    size_t nentries, said;   /* entries found; entries handled so far */
    seen_dir *dirs;
    size_t ndirs;
    const char *mapping_path;
    et_data_files data;      /* sources 1..data.n; the rule files come after them */
    et_diagcap cap;          /* between diag and the caller's: at most ET_DIAG_CAP of each a file */
} lctx;

static const char *const rule_keys[] = {
    "title", "id", "name", "related", "taxonomy", "status", "description", "license", "references",
    "author", "date", "modified", "logsource", "detection", "fields", "falsepositives", "level", "tags",
    "scope", "extract", "rca", "tests", "correlation", "generate", "fact",
    "regression_tests_path", "simulation",   /* SigmaHQ repository fields */
    NULL};

const char *et_level_name(et_level l)
{
    static const char *names[] = {"informational", "low", "medium", "high", "critical"};
    return (unsigned)l <= ET_LEVEL_CRITICAL ? names[l] : "?";
}

static bool parse_level(const char *s, et_level *out)
{
    static const char *names[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i])) { *out = (et_level)i; return true; }
    if (!strcmp(s, "info")) { *out = ET_LEVEL_INFORMATIONAL; return true; }
    return false;
}

static void add_rule(et_ruleset *rs, et_rule *r)
{
    if (rs->nrules == rs->caprules) {
        rs->caprules = rs->caprules ? rs->caprules * 2 : 64;
        rs->rules = realloc(rs->rules, rs->caprules * sizeof *rs->rules);
    }
    r->index = rs->nrules;
    rs->rules[rs->nrules++] = r;
}

/* Every check of a rule goes on after a problem, so that lint says all of a rule's problems,
 * as a compiler does; a rule with any error is left out. */
static bool meta(et_cctx *c, const ynode *doc)
{
    et_rule *r = c->rule;
    bool ok = true;
    r->title = yn_str(yn_get(doc, "title"));
    r->id = yn_str(yn_get(doc, "id"));
    r->name = yn_str(yn_get(doc, "name"));
    r->description = yn_str(yn_get(doc, "description"));
    r->status = yn_str(yn_get(doc, "status"));
    if (!r->title) { cc_error(c, yn_get(doc, "title") ? yn_get(doc, "title") : doc, "rule has no 'title'"); ok = false; }
    const ynode *lv = yn_get(doc, "level");
    r->level = ET_LEVEL_MEDIUM;
    if (lv) {
        if (!yn_str(lv) || !parse_level(lv->str, &r->level)) {
            cc_error(c, lv, "unknown level '%s' (informational, low, medium, high, critical)", yn_str(lv) ? lv->str : "?");
            ok = false;
        }
        r->has_level = true;
    }
    const ynode *fact = yn_get(doc, "fact");
    if (fact) {
        if (!yn_str(fact) || (strcmp(fact->str, "true") && strcmp(fact->str, "false"))) {
            cc_error(c, fact, "fact must be true or false");
            ok = false;
        } else {
            r->fact = !strcmp(fact->str, "true");
        }
    }
    const ynode *tags = yn_get(doc, "tags");
    if (tags && tags->kind == YN_SEQ) {
        r->tags = cc_alloc(c, tags->n * sizeof *r->tags);
        for (size_t i = 0; i < tags->n; i++)
            if (yn_str(tags->items[i])) r->tags[r->ntags++] = tags->items[i]->str;
    }
    return ok;
}

static bool compile_doc(et_cctx *c, const ynode *doc)
{
    cc_check_keys(c, doc, rule_keys, false, "rule");
    bool ok = meta(c, doc);
    if (yn_get(doc, "correlation")) {
        c->rule->kind = ET_RULE_CORRELATION;
        if (yn_get(doc, "detection")) { cc_error(c, yn_get(doc, "detection"), "a correlation rule has no 'detection'"); ok = false; }
        ok &= cc_correlation(c, yn_get(doc, "correlation"));
    } else {
        ok &= cc_detection(c, doc);
    }
    /* rca and tests check their own syntax only: said whatever the rest holds */
    const ynode *rca = yn_get(doc, "rca");
    if (rca) ok &= cc_rca(c, rca);
    const ynode *tests = yn_get(doc, "tests");
    if (tests) ok &= cc_tests(c, tests);
    return ok;
}

/* A rule document, possibly with a misspelt key (then compiled to report it). A THOR/sigmac
 * mapping (`logsources:`) or a regression info.yml is not. */
static bool looks_like_rule(const ynode *root)
{
    static const char *const core[] = {"detection", "correlation", "logsource", NULL};
    if (yn_get(root, "detection") || yn_get(root, "correlation") || yn_get(root, "logsource")) return true;
    if (!yn_get(root, "title") || yn_get(root, "logsources")) return false;
    for (size_t i = 0; i < yn_pairs(root); i++)
        if (yn_key(root, i)->kind == YN_SCALAR && yn_suggest(yn_key(root, i)->str, core)) return true;
    return false;
}

static int on_doc(const ynode *root, int docno, void *vctx)
{
    lctx *l = vctx;
    (void)docno;
    if (root->kind != YN_MAP) return 0;   /* data tables, not rules */
    et_cctx c = {.rs = l->rs, .file = l->file, .diag = l->diag, .dctx = l->dctx, .strict = l->opt && l->opt->strict};
    if (!looks_like_rule(root)) {
        if (yn_get(root, "title"))
            cc_warn(&c, root, "document has neither 'detection' nor 'correlation': not a rule, ignored");
        else if (yn_get(root, "filter"))
            cc_warn(&c, root, "Sigma filter documents are not supported; ignored");
        l->nerr += c.nerr;
        return 0;
    }
    et_rule *r = cc_alloc(&c, sizeof *r);
    struct et_rule_impl *im = cc_alloc(&c, sizeof *im);
    r->impl = im;
    r->file = l->file;
    r->line = root->line;
    im->rs = l->rs;
    im->doc = root;
    c.rule = r;
    c.impl = im;
    bool ok = compile_doc(&c, root);
    if (ok && !c.nerr) add_rule(l->rs, r);
    l->nerr += c.nerr;
    return 0;
}

static void add_entry(lctx *l, const char *path, const char *error)
{
    l->entries = realloc(l->entries, (l->nentries + 1) * sizeof *l->entries);
    if (!l->entries) abort();
    l->entries[l->nentries++] = (entry){strdup(path), error ? strdup(error) : NULL, false};
}

/* Says the errors of the walk up to the next rule file (or to the end); returns that file's entry. */
static const entry *next_file(lctx *l)
{
    while (l->said < l->nentries && l->entries[l->said].error) {
        const entry *e = &l->entries[l->said++];
        et_diag d = {e->path, 0, 0, e->warning ? ET_DIAG_WARNING : ET_DIAG_ERROR, e->error, 0, 0};
        if (l->diag) l->diag(&d, l->dctx);
        l->nerr += !e->warning;
    }
    return l->said < l->nentries ? &l->entries[l->said++] : NULL;
}

/* One rule file, parsed: every document compiled, then its syntax error, if any. */
static void compile_file(lctx *l, const char *path, const ydoc_parsed *p)
{
    l->file = et_arena_strndup(&l->rs->arena, path, strlen(path));
    for (size_t i = 0; i < p->ndocs; i++) on_doc(p->docs[i], (int)i, l);
    if (p->error) {
        et_diag d = {l->file, p->line, p->col, ET_DIAG_ERROR, p->error, 0, 0};
        if (l->diag) l->diag(&d, l->dctx);
        l->nerr++;
    }
}

/* Source 0 is the mapping, which the rules compile against; then the data files their lookups
 * read; then the rule files in order. */
static void on_source(size_t i, const ydoc_parsed *p, void *vctx)
{
    lctx *l = vctx;
    if (i == 0) {
        int merr = 0;
        l->rs->mapping = et_mapping_build(l->mapping_path, p, &l->rs->arena, l->diag, l->dctx, &merr);
        if (!l->rs->mapping) l->nerr += merr ? merr : 1;
        return;
    }
    if (i <= l->data.n) { et_data_keep(l->rs, l->data.paths[i - 1], p); return; }   /* said when used */
    const entry *e = next_file(l);
    if (l->rs->mapping && e) compile_file(l, e->path, p);
}

static bool rule_file_name(const char *name)
{
    return strncmp(name, "sigma-mapping.", 14) && ydoc_file_name(name);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void walk(lctx *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "cannot open: %m");
        add_entry(l, path, msg);
        return;
    }
    if (!S_ISDIR(st.st_mode)) { add_entry(l, path, NULL); return; }
    /* a directory reached again through a link (a loop: `ln -s . again`) is not walked again:
     * two such links made the walk double at every level until paths grew too long */
    for (size_t i = 0; i < l->ndirs; i++)
        if (l->dirs[i].dev == st.st_dev && l->dirs[i].ino == st.st_ino) {
            add_entry(l, path, "a directory already walked (through a link): not walked again");
            l->entries[l->nentries - 1].warning = true;
            return;
        }
    if (!(l->dirs = realloc(l->dirs, (l->ndirs + 1) * sizeof *l->dirs))) abort();
    l->dirs[l->ndirs++] = (seen_dir){st.st_dev, st.st_ino};
    DIR *d = opendir(path);
    if (!d) return;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *full = malloc(strlen(path) + strlen(names[i]) + 2);
        sprintf(full, "%s/%s", path, names[i]);
        struct stat cs;
        if (stat(full, &cs) == 0 && S_ISDIR(cs.st_mode)) {
            if (strcmp(names[i], "data")) walk(l, full);   /* rules/data holds tables */
        } else if (rule_file_name(names[i])) {
            add_entry(l, full, NULL);
        }
        free(full);
        free(names[i]);
    }
    free(names);
}

/* A rule left out that r refers to (and where r names it), or NULL. */
static const et_rule *dropped_ref(const et_rule *r, const ynode **at)
{
    for (size_t i = 0; i < r->ncorr_rules; i++)
        if (r->corr_rules[i]->impl->dropped) { *at = r->impl->corr->rule_ref_nodes[i]; return r->corr_rules[i]; }
    for (size_t i = 0; r->rca && i < r->rca->nexplains; i++)
        if (r->rca->explains[i]->impl->dropped) { *at = r->impl->explains_node; return r->rca->explains[i]; }
    for (size_t i = 0; r->rca && i < r->rca->nresolved_by; i++)
        if (r->rca->resolved_by[i]->impl->dropped) { *at = r->impl->resolved_node; return r->rca->resolved_by[i]; }
    return NULL;
}

/* References resolve against every rule read, so one may point at a rule that is then left
 * out: such a rule goes too, said where it names the other (and so on, down the chain). */
static bool refs_kept(et_cctx *c, et_rule *r)
{
    const ynode *at = NULL;
    const et_rule *t = dropped_ref(r, &at);
    if (!t) return true;
    cc_error(c, at, "refers to rule '%s', which has errors and is left out",
             t->name ? t->name : t->id ? t->id : t->title ? t->title : "?");
    return false;
}

/* Keeps the rules that pass check, in order; returns how many were left out. */
static size_t keep_if(lctx *l, bool (*check)(et_cctx *, et_rule *))
{
    et_ruleset *rs = l->rs;
    size_t keep = 0, n = rs->nrules;
    for (size_t i = 0; i < n; i++) {
        et_rule *r = rs->rules[i];
        et_cctx c = {.rs = rs, .file = r->file, .diag = l->diag, .dctx = l->dctx, .rule = r, .impl = r->impl,
                     .strict = l->opt && l->opt->strict};
        bool ok = check(&c, r);
        l->nerr += c.nerr;
        if (ok) rs->rules[keep++] = r;
        else r->impl->dropped = true;
    }
    rs->nrules = keep;
    return n - keep;
}

/* ---- finding a rule by id or name: two lists of keys, sorted once the set is read ---------- */

static int cmp_rule_key(const void *a, const void *b)
{
    const et_rule_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Sorts the keys of the rules the set holds now (every rule read, before any is left out;
 * again once the set is final). */
static void key_rules(et_ruleset *rs)
{
    free(rs->by_id);
    free(rs->by_name);
    rs->by_id = calloc(rs->nrules + 1, sizeof *rs->by_id);
    rs->by_name = calloc(rs->nrules + 1, sizeof *rs->by_name);
    if (!rs->by_id || !rs->by_name) abort();
    rs->nby_id = rs->nby_name = 0;
    for (size_t i = 0; i < rs->nrules; i++) {
        const et_rule *r = rs->rules[i];
        if (r->id) rs->by_id[rs->nby_id++] = (et_rule_key){r->id, i, r};
        if (r->name) rs->by_name[rs->nby_name++] = (et_rule_key){r->name, i, r};
    }
    qsort(rs->by_id, rs->nby_id, sizeof *rs->by_id, cmp_rule_key);
    qsort(rs->by_name, rs->nby_name, sizeof *rs->by_name, cmp_rule_key);
    rs->keyed = true;
}

/* The first rule in order under key, or NULL. */
static const et_rule *find_key(const et_rule_key *v, size_t n, const char *key)
{
    size_t lo = 0, hi = n;   /* the first entry whose key is not below key */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid].key, key) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && !strcmp(v[lo].key, key) ? v[lo].rule : NULL;
}

/* After every file is read: rule references, `standalone`, the index. */
static void finalize(lctx *l)
{
    et_ruleset *rs = l->rs;
    for (size_t i = 0; i < rs->nrules; i++) rs->rules[i]->standalone = true;
    key_rules(rs);   /* references resolve against every rule read */
    size_t read = rs->nrules;
    keep_if(l, cc_resolve_refs);
    keep_if(l, cc_check_depth);
    while (keep_if(l, refs_kept)) {}
    /* which rules feed a correlation: only the correlations kept count */
    for (size_t i = 0; i < rs->nrules; i++) {
        const et_rule *r = rs->rules[i];
        for (size_t k = 0; k < r->ncorr_rules; k++) {
            struct et_rule_impl *ti = r->corr_rules[k]->impl;
            ti->feeds = ti->referenced = true;
            if (r->impl->corr->generate) ti->generated = true;
        }
    }
    for (size_t i = 0; i < rs->nrules; i++) {
        et_rule *r = rs->rules[i];
        r->index = i;
        r->standalone = (!r->impl->referenced || r->impl->generated) && !r->fact;
        if (r->fact) r->keep_context = true;
        for (size_t k = 0; r->rca && k < r->rca->nresolved_by; k++) ((et_rule *)r->rca->resolved_by[k])->keep_context = true;
    }
    if (rs->nrules != read) key_rules(rs);   /* some were left out: the final set's keys */
    et_index_build(rs);
}

et_ruleset *et_rules_load(char **paths, int npaths, const et_rules_options *opt, et_diag_fn diag, void *ctx,
                          int *nerrors)
{
    et_ruleset *rs = calloc(1, sizeof *rs);
    rs->arena.block_size = 1 << 16;
    lctx l = {.rs = rs, .opt = opt};
    l.cap = (et_diagcap){.fn = diag, .ctx = ctx};
    if (diag) {
        l.diag = et_diagcap_say;
        l.dctx = &l.cap;
    }
    for (int i = 0; i < npaths; i++) walk(&l, paths[i]);
    const char *mpath = opt && opt->mapping ? opt->mapping : getenv("EVTRIAGE_MAPPING");
    char **files = calloc(l.nentries + 1, sizeof *files);
    if (!files) abort();
    size_t nfiles = 0;
    for (size_t i = 0; i < l.nentries; i++)
        if (!l.entries[i].error) files[nfiles++] = l.entries[i].path;
    et_data_files_find(&l.data, files, nfiles, opt ? opt->data : NULL, opt ? opt->ndata : 0);
    ydoc_source *src = calloc(1 + l.data.n + nfiles, sizeof *src);
    if (!src) abort();
    size_t n = 0;
    l.mapping_path = mpath ? mpath : "(built-in sigma-mapping.yaml)";
    src[n++] = (ydoc_source){l.mapping_path, mpath ? NULL : et_default_mapping_yaml};
    for (size_t i = 0; i < l.data.n; i++) src[n++] = (ydoc_source){l.data.paths[i], NULL};
    for (size_t i = 0; i < nfiles; i++) src[n++] = (ydoc_source){files[i], NULL};
    free(files);
    int jobs = opt && opt->jobs > 0 ? opt->jobs : et_cpu_count();
    ydoc_parse_many(src, n, jobs, &rs->arena, on_source, &l);
    free(src);
    if (rs->mapping) {
        next_file(&l);   /* the walk's errors after the last file */
        finalize(&l);
    }
    et_data_files_free(&l.data);
    for (size_t i = 0; i < l.nentries; i++) { free(l.entries[i].path); free(l.entries[i].error); }
    free(l.entries);
    free(l.dirs);
    if (diag) et_diagcap_end(&l.cap);
    *nerrors = l.nerr;
    if (!rs->mapping) {
        et_ruleset_free(rs);
        return NULL;
    }
    return rs;
}

void et_ruleset_free(et_ruleset *rs)
{
    if (!rs) return;
    et_index_free(rs);
    for (size_t i = 0; i < rs->ncodes; i++) pcre2_code_free(rs->codes[i]);
    free(rs->codes);
    free(rs->rules);
    free(rs->by_id);
    free(rs->by_name);
    free(rs->fnames);
    free(rs->tables);
    et_mapping_free(rs->mapping);
    et_arena_free(&rs->arena);
    free(rs);
}

size_t et_ruleset_count(const et_ruleset *rs) { return rs->nrules; }
const et_rule *et_ruleset_rule(const et_ruleset *rs, size_t i) { return i < rs->nrules ? rs->rules[i] : NULL; }

const et_rule *et_ruleset_find(const et_ruleset *rs, const char *key)
{
    if (rs->keyed) {
        const et_rule *r = find_key(rs->by_id, rs->nby_id, key);
        return r ? r : find_key(rs->by_name, rs->nby_name, key);
    }
    for (size_t i = 0; i < rs->nrules; i++)
        if (rs->rules[i]->id && !strcmp(rs->rules[i]->id, key)) return rs->rules[i];
    for (size_t i = 0; i < rs->nrules; i++)
        if (rs->rules[i]->name && !strcmp(rs->rules[i]->name, key)) return rs->rules[i];
    return NULL;
}

bool et_rule_feeds_correlation(const et_rule *r) { return r->impl->feeds; }
