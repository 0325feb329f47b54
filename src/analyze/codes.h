/* codes.h: the Windows error-code table (rules/data/error-codes.yaml): renders a code as words. */
#ifndef EVTRIAGE_CODES_H
#define EVTRIAGE_CODES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct et_codes et_codes;

struct ynode;
/* The table from the parsed file (a list of {code, name, meaning}); entries whose code is no
 * error code are passed over. */
et_codes *et_codes_build(const struct ynode *root);
void et_codes_free(et_codes *c);
/* Looks a code up in any of its forms (0x80090303, %%2148074243, -2146893053, 2148074243, text
 * holding one); returns the symbolic name / the meaning, or NULL when unknown. */
const char *et_codes_name(const et_codes *c, const char *value);
const char *et_codes_meaning(const et_codes *c, const char *value);

#endif
