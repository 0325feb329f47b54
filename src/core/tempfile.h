/* tempfile.h: unnamed temporary files in $TMPDIR (else /tmp), gone once closed, whatever
 * happens to the process: archive members, timeline runs, correlation input runs. */
#ifndef EVTRIAGE_TEMPFILE_H
#define EVTRIAGE_TEMPFILE_H
#include <stddef.h>
#include <stdio.h>

/* A descriptor open for reading and writing; -1 with msg set. */
int et_temp_fd(char *msg, size_t msglen);
/* Writes all n bytes at the file's position: 0, or -1 with msg set ("cannot write a temporary
 * file: ..."). */
int et_temp_write(int fd, const void *p, size_t n, char *msg, size_t msglen);
/* The same as a stream; NULL on failure. */
FILE *et_temp_file(void);

#endif
