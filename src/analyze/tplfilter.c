/* tplfilter.c: template filters: error codes as words (through rules/data/error-codes.yaml),
 * host name parts, and the time between two time values in words. */
#include "analyze/tplfilter.h"
#include "core/timeutil.h"
#include <stdio.h>
#include <string.h>

/* "8 s", "3 min", "2 h 5 min", "4 d": how long after `from` the time `to` came ("before" when
 * it came earlier). */
static const char *since(const char *to, const char *from, et_arena *scratch)
{
    int64_t a, b;
    if (!to || !from || !et_iso_to_filetime(to, &a) || !et_iso_to_filetime(from, &b)) return NULL;
    int64_t d = (a - b) / ET_TICKS_PER_SEC;
    const char *dir = d < 0 ? " before" : "";
    if (d < 0) d = -d;
    char out[64];
    if (d < 120) snprintf(out, sizeof out, "%lld s%s", (long long)d, dir);
    else if (d < 7200) snprintf(out, sizeof out, "%lld min%s", (long long)(d / 60), dir);
    else if (d < 172800) snprintf(out, sizeof out, "%lld h %lld min%s", (long long)(d / 3600), (long long)(d % 3600 / 60), dir);
    else snprintf(out, sizeof out, "%lld d%s", (long long)(d / 86400), dir);
    return et_arena_strndup(scratch, out, strlen(out));
}

const char *tpl_filter(const char *filter, const char *value, tpl_value_fn plain, void *ctx,
                       const et_codes *codes, et_arena *scratch)
{
    if (!value) return NULL;
    if (!strncmp(filter, "since:", 6)) return since(value, plain(filter + 6, ctx), scratch);
    if (!strcmp(filter, "short")) return et_arena_strndup(scratch, value, strcspn(value, "."));
    if (!strcmp(filter, "domain")) { const char *dot = strchr(value, '.'); return dot ? dot + 1 : NULL; }
    if (!strcmp(filter, "meaning") || !strcmp(filter, "name")) {
        const char *w = !strcmp(filter, "meaning") ? et_codes_meaning(codes, value) : et_codes_name(codes, value);
        return w ? w : value;
    }
    if (!strcmp(filter, "values")) return value;   /* one record: its own value */
    return NULL;
}
