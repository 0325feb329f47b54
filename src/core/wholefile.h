/* wholefile.h: a file written whole or not at all (report files, synth's logs): the bytes go
 * to a temporary file in the target's folder, which replaces the target only once everything
 * is written and flushed; a write that fails, or a process killed while writing, leaves the
 * earlier file as it was. */
#ifndef EVTRIAGE_WHOLEFILE_H
#define EVTRIAGE_WHOLEFILE_H
#include <stddef.h>
#include <stdio.h>

typedef struct et_wholefile et_wholefile;

/* Opens path for writing: NULL with msg set when it cannot be.
 * - A regular file (new, or replacing one with a single name) is written through a temporary
 *   file: unnamed (O_TMPFILE, so nothing is left behind even by a kill), else a hidden
 *   ".NAME.evtriage-*" beside it, removed on failure. The replaced file's mode is kept (and
 *   its owner, where the process may set it); a new file gets 0666 less the umask.
 * - A symbolic link is followed: the file it names is replaced, the link stays.
 * - A file with more than one name (hard links), a device, a FIFO, a link that leads nowhere
 *   yet, or a folder where no temporary file can be made is written in place, as fopen would;
 *   a mount point (which rename cannot replace) gets the complete file copied into it.
 * EVTRIAGE_TEMP_NAMED=1 (tests) skips the unnamed kind. */
et_wholefile *et_wholefile_open(const char *path, char *msg, size_t len);

/* The stream to write to. */
FILE *et_wholefile_stream(et_wholefile *w);

/* Flushes, syncs and puts the file in place (renamed over the target; over a mount point,
 * which rename cannot replace, copied into it); frees w. 0, or -1 with msg set to the reason
 * and, in brackets, what it leaves (et_wholefile_leaves); the temporary file is gone. */
int et_wholefile_commit(et_wholefile *w, char *msg, size_t len);

/* The folder path is in (into dir: "." for a bare name); returns its last part. */
const char *et_path_folder(const char *path, char *dir, size_t len);

/* What a write that fails now leaves: "not written; a file there before is left as it was",
 * or for a file written in place "written in place: what is there may be incomplete". */
const char *et_wholefile_leaves(const et_wholefile *w);

/* Drops what was written (a file written in place keeps what it got: et_wholefile_leaves);
 * frees w. */
void et_wholefile_abandon(et_wholefile *w);

#endif
