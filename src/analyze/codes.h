/* codes.h: the Windows error-code table (rules/data/error-codes.yaml): renders a code as words. */
#ifndef EVTRIAGE_CODES_H
#define EVTRIAGE_CODES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct et_codes et_codes;

/* Loads the table; NULL when the file is missing or cannot be parsed (err then says where,
 * file:line:column, for the caller to print; empty for a missing file). */
et_codes *et_codes_load(const char *path, char *err, size_t errlen);
/* The same, on a thread of its own (threaded false: here and now), taken with et_codes_wait
 * once the caller needs it: the rule packs load meanwhile. */
typedef struct et_codes_job et_codes_job;
et_codes_job *et_codes_load_start(const char *path, bool threaded);
et_codes *et_codes_wait(et_codes_job *j, char *err, size_t errlen);
void et_codes_free(et_codes *c);
/* Looks a code up in any of its forms (0x80090303, %%2148074243, -2146893053, 2148074243, text
 * holding one); returns the symbolic name / the meaning, or NULL when unknown. */
const char *et_codes_name(const et_codes *c, const char *value);
const char *et_codes_meaning(const et_codes *c, const char *value);

#endif
