/* tplfilter.h: the filters a report template may put after a placeholder: {code|meaning},
 * {code|name} (error codes as words), {host|short}, {host|domain}, {time|since:other}. Shared by
 * the findings builder (one finding, many records) and the timeline (one record). */
#ifndef EVTRIAGE_TPLFILTER_H
#define EVTRIAGE_TPLFILTER_H
#include "analyze/codes.h"
#include "core/arena.h"

/* Looks up a plain placeholder value (no filter); NULL when unknown. */
typedef const char *(*tpl_value_fn)(const char *name, void *ctx);

/* Applies filter to value; other placeholders (since:NAME) come from plain. Results live in
 * scratch. Returns value itself when the filter does not apply (unknown code...), NULL when
 * the filter is unknown or its argument missing. */
const char *tpl_filter(const char *filter, const char *value, tpl_value_fn plain, void *ctx,
                       const et_codes *codes, et_arena *scratch);

#endif
