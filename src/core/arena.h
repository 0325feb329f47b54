/* arena.h: a bump allocator reset in one step, so per-record strings cost no free(). */
#ifndef EVTRIAGE_ARENA_H
#define EVTRIAGE_ARENA_H
#include <stddef.h>

typedef struct et_arena_block et_arena_block;
typedef struct et_arena {
    et_arena_block *head;
    size_t block_size;
    size_t bytes;             /* held in blocks (what the arena costs), for callers that bound it */
} et_arena;

void *et_arena_alloc(et_arena *a, size_t n);
char *et_arena_strndup(et_arena *a, const char *s, size_t n);
/* Drops every allocation; keeps the first block for reuse. */
void et_arena_reset(et_arena *a);
void et_arena_free(et_arena *a);
/* Moves every block of from into a (nothing is copied: pointers into them stay valid); from is
 * left empty. */
void et_arena_adopt(et_arena *a, et_arena *from);

#endif
