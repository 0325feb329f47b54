/* walk.h: expands command-line paths into the list of EVTX files to read. */
#ifndef EVTRIAGE_WALK_H
#define EVTRIAGE_WALK_H
#include <stddef.h>

/* Called once per file found; return non-zero to stop the walk. */
typedef int (*et_walk_fn)(const char *path, void *ctx);
/* Called for a path that cannot be walked (missing, unreadable directory). */
typedef void (*et_walk_err_fn)(const char *path, const char *message, void *ctx);

/* A file argument is always visited; directories are walked recursively in name
 * order, visiting files whose name ends in .evtx (any case). Returns the number of
 * paths that could not be walked. */
int et_walk_paths(char **paths, int npaths, et_walk_fn fn, et_walk_err_fn err, void *ctx);

#endif
