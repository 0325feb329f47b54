/* walk_int.h: what inputs.c (paths, files, dispatch) and archive.c (members, limits) share
 * while walking; nothing outside src/input includes it. */
#ifndef EVTRIAGE_WALK_INT_H
#define EVTRIAGE_WALK_INT_H
#include "input/inputs.h"

typedef struct et_walk {
    const et_input_limits *lim;
    const et_input_callbacks *cb;
    int problems;
    int stop;
    struct path_set *seen;    /* files read so far by path (inputs.c; NULL inside archives) */
} et_walk;

/* Whether name ends with ext (".evtx"), whatever the case. */
int et_has_ext(const char *name, const char *ext);
/* A problem (is_skip: only "not EVTX") with display, counted unless a skip. */
void et_walk_report(et_walk *w, const char *display, const char *msg, int is_skip);
/* A member that is neither EVTX nor an archive, skipped; nhead: the bytes sniffed (0: empty). */
void et_walk_skip(et_walk *w, const char *display, unsigned long nhead);
/* An archive at depth --max-depth or deeper, refused (said with the limit). */
void et_walk_refuse_nested(et_walk *w, const char *display);
/* An open file or inflated member of the given kind (ET_KIND_*), owned from here on:
 * EVTX -> the file callback; archive -> its members (depth: archives around it). note: what
 * is known wrong with it (see et_input_fn), else NULL: an archive's is reported first; share:
 * see et_input_fn (an archive's is said through consumed instead, and must be 0). */
void et_walk_source(et_walk *w, et_source src, const char *display, int kind, int depth, uint64_t share,
                    const char *note);
/* The members of the archive open on fd (not taken over); returns how many entries that are
 * not folders it went through (all, unless a limit or damage stopped it). */
uint64_t et_walk_archive(et_walk *w, int fd, const char *display, int depth);

#endif
