/* progress.h: the one-line progress report on a terminal's stderr (bytes and records done of
 * the total, rate, ETA, current file), throttled, cleared at the end. */
#ifndef EVTRIAGE_PROGRESS_H
#define EVTRIAGE_PROGRESS_H
#include <stdint.h>

typedef struct et_progress et_progress;

/* Sizes up the inputs (regular files under paths; archives count their own size). */
et_progress *et_progress_new(char **paths, int npaths);
/* A path given held bytes its size did not show (a pipe, read to its end): the total grows. */
void et_progress_grow(et_progress *p, uint64_t bytes);
void et_progress_file(et_progress *p, const char *name);
void et_progress_add(et_progress *p, uint64_t bytes, uint64_t records);
/* Clears the line if one is shown (before a diagnostic is printed); the next update redraws it. */
void et_progress_clear(et_progress *p);
/* Clears the line. */
void et_progress_free(et_progress *p);

#endif
