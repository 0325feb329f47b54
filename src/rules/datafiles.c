/* datafiles.c: the data files that rules and their callers read (`lookup:` tables, the
 * error-code table): found where a `lookup:` looks (a rule folder's data/ and ../data/) or named
 * by the caller, parsed on the pool with the rule files, and kept by real path with the rule
 * set, so compiling a rule never waits on a parse. */
#include "rules/compile.h"
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool listed(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s)) return true;
    return false;
}

static void push(char ***v, size_t *n, const char *s)
{
    *v = realloc(*v, (*n + 1) * sizeof **v);
    if (!*v || !((*v)[*n] = strdup(s))) abort();
    ++*n;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The *.yml and *.yaml files of folder dir (a real path), by name. */
static void add_folder(et_data_files *d, const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh) return;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dh));)
        if (e->d_name[0] != '.' && ydoc_file_name(e->d_name)) push(&names, &n, e->d_name);
    closedir(dh);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX + 256], real[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (realpath(path, real) && access(real, R_OK) == 0 && !listed(d->paths, d->n, real)) push(&d->paths, &d->n, real);
        free(names[i]);
    }
    free(names);
}

void et_data_files_find(et_data_files *d, char *const *rule_files, size_t nrules, const char *const *extra, size_t nextra)
{
    memset(d, 0, sizeof *d);
    char **dirs = NULL;   /* folders looked in, by real path */
    size_t ndirs = 0;
    char last[PATH_MAX] = "";   /* the previous rule file's folder: the walk meets a folder's files together */
    for (size_t i = 0; i < nrules; i++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", rule_files[i]);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0; else snprintf(dir, sizeof dir, ".");
        if (!strcmp(dir, last)) continue;   /* a pack of thousands of rules: once a folder */
        snprintf(last, sizeof last, "%s", dir);
        static const char *const forms[] = {"%s/data", "%s/../data"};
        for (size_t k = 0; k < 2; k++) {
            char path[PATH_MAX + 16], real[PATH_MAX];
            snprintf(path, sizeof path, forms[k], dir);
            struct stat st;   /* most rule folders have none: one stat, not a realpath's walk */
            if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
            if (!realpath(path, real) || listed(dirs, ndirs, real)) continue;
            push(&dirs, &ndirs, real);
            add_folder(d, real);
        }
    }
    for (size_t i = 0; i < ndirs; i++) free(dirs[i]);
    free(dirs);
    for (size_t i = 0; i < nextra; i++) {
        char real[PATH_MAX];
        if (realpath(extra[i], real) && access(real, R_OK) == 0 && !listed(d->paths, d->n, real))
            push(&d->paths, &d->n, real);
    }
}

void et_data_files_free(et_data_files *d)
{
    for (size_t i = 0; i < d->n; i++) free(d->paths[i]);
    free(d->paths);
    memset(d, 0, sizeof *d);
}

void et_data_keep(et_ruleset *rs, const char *real, const ydoc_parsed *p)
{
    rs->tables = realloc(rs->tables, (rs->ntables + 1) * sizeof *rs->tables);
    if (!rs->tables) abort();
    et_table *t = &rs->tables[rs->ntables++];
    *t = (et_table){.path = et_arena_strndup(&rs->arena, real, strlen(real)),
                    .root = p->ndocs ? p->docs[0] : NULL, .line = p->line, .col = p->col};
    if (p->error) t->error = et_arena_strndup(&rs->arena, p->error, strlen(p->error));
    else if (!t->root) t->error = "empty";
}

const et_table *et_data_get(const et_ruleset *rs, const char *real)
{
    for (size_t i = 0; i < rs->ntables; i++)
        if (!strcmp(rs->tables[i].path, real)) return &rs->tables[i];
    return NULL;
}

bool et_ruleset_data(const et_ruleset *rs, const char *path, et_rules_data *out)
{
    char real[PATH_MAX];
    const et_table *t = realpath(path, real) ? et_data_get(rs, real) : NULL;
    if (!t) return false;
    *out = (et_rules_data){t->root, t->error, t->line, t->col};
    return true;
}
