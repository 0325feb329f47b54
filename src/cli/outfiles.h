/* outfiles.h: checks on the report files a command writes, made before any input is read. */
#ifndef EVTRIAGE_OUTFILES_H
#define EVTRIAGE_OUTFILES_H
#include <stdbool.h>
#include <stddef.h>

/* A report file asked for: the option that named it ("--json") and its path (NULL: not asked
 * for; "-": standard output, never checked). */
typedef struct cli_outfile { const char *option; const char *path; } cli_outfile;

/* 0 when every report file may be written; -1 with why in msg when one would replace evidence
 * (an existing EVTX file by signature or .evtx name, an archive or compressed file, or the
 * same file as one of the inputs: a report given in place of the first input, a typo) or when
 * two of them name one file (by inode when it exists, else by resolved name). */
int cli_outfiles_check(const cli_outfile *outs, size_t nouts, char **inputs, int ninputs, char *msg, size_t len);

#endif
