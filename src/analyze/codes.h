/* codes.h: the Windows error-code table (rules/data/error-codes.yaml): renders a code as words. */
#ifndef EVTRIAGE_CODES_H
#define EVTRIAGE_CODES_H

typedef struct et_codes et_codes;

/* Loads the table; NULL (and a message on stderr) when the file cannot be parsed. */
et_codes *et_codes_load(const char *path);
void et_codes_free(et_codes *c);
/* Looks a code up in any of its forms (0x80090303, %%2148074243, -2146893053, 2148074243, text
 * holding one); returns the symbolic name / the meaning, or NULL when unknown. */
const char *et_codes_name(const et_codes *c, const char *value);
const char *et_codes_meaning(const et_codes *c, const char *value);

#endif
