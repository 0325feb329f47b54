/* shell_int.h: quoting rules of the shells remediation commands are written for, shared by the
 * template renderer and lint (private to src/rules). */
#ifndef EVTRIAGE_SHELL_INT_H
#define EVTRIAGE_SHELL_INT_H
#include "rules/rules.h"

/* Where a command template stands: outside quotes, inside '...', inside "...". */
typedef enum { SHQ_BARE, SHQ_SINGLE, SHQ_DOUBLE } shq;

/* Moves q over the template character(s) at t; returns how many bytes they are (an escape and
 * the character it escapes, a doubled quote, a multi-byte quote are taken whole). */
size_t shq_step(et_shell sh, shq *q, const char *t);

/* Where a placeholder stands in its word: it begins one (a value starting with - or / would be
 * an option), and it is the whole word (outside quotes a value may then be quoted whole). */
typedef struct shq_place { bool starts_word, whole_word; } shq_place;

/* Appends v at q as one literal of sh; false (and why) when it cannot be one. */
bool shq_put(et_shell sh, shq q, const shq_place *pl, const char *v, et_buf *out, const char **why);

#endif
