/* sy_values.h: scenario scalars to typed BinXML values (`!uint32 5`, `!guid {...}`, `!sid S-1-5-18`,
 * plain text as UTF-16 strings), and the parsers they share with the scenario reader. */
#ifndef EVTRIAGE_SY_VALUES_H
#define EVTRIAGE_SY_VALUES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"
#include "synth/scenario.h"

/* A value from a YAML scalar: its tag picks the type (no tag: a string). Returns NULL and
 * writes why into err when the text does not fit the type or the tag is unknown. */
const sy_value *sy_value_parse(et_arena *a, const char *tag, const char *text, char *err, size_t errlen);
/* A UTF-16LE string value from UTF-8 text; NULL when text is not valid UTF-8. */
const sy_value *sy_value_string(et_arena *a, const char *text);

/* Decimal, or 0x-hex for non-negative values; false when malformed or outside [min, max]. */
bool sy_parse_int(const char *s, int64_t min, uint64_t max, int64_t *sval, uint64_t *uval);
/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (braces optional) into the 16 bytes Windows stores. */
bool sy_parse_guid(const char *s, uint8_t out[16]);
/* "S-1-5-21-..." into its binary form (at most 15 sub-authorities); returns the size or 0. */
size_t sy_parse_sid(const char *s, uint8_t out[68]);
/* UTF-8 to UTF-16LE into a; *units gets the number of code units. NULL on invalid UTF-8. */
uint8_t *sy_utf16(et_arena *a, const char *s, size_t *units);
/* Names of the tags sy_value_parse knows, for messages ("!string, !uint32, ..."). */
const char *sy_value_tags(void);

#endif
