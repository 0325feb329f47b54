/* arena.c: bump allocation in linked blocks; memory stays bounded by the largest record. */
#include "core/arena.h"
#include <stdlib.h>
#include <string.h>

struct et_arena_block {
    et_arena_block *next;
    size_t used, cap;
    _Alignas(16) char data[];
};

void *et_arena_alloc(et_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->used + n > a->head->cap) {
        size_t cap = a->block_size ? a->block_size : 16384;
        if (cap < n) cap = n;
        et_arena_block *b = malloc(sizeof *b + cap);
        if (!b) abort();
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
        a->bytes += cap;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

char *et_arena_strndup(et_arena *a, const char *s, size_t n)
{
    char *p = et_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void et_arena_reset(et_arena *a)
{
    if (!a->head) return;
    /* keep the oldest (last in list) block, free the rest */
    et_arena_block *b = a->head, *keep = NULL;
    while (b) {
        et_arena_block *next = b->next;
        if (!next) keep = b;
        else free(b);
        b = next;
    }
    keep->used = 0;
    keep->next = NULL;
    a->head = keep;
    a->bytes = keep->cap;
}

void et_arena_free(et_arena *a)
{
    et_arena_block *b = a->head;
    while (b) {
        et_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->bytes = 0;
}

void et_arena_adopt(et_arena *a, et_arena *from)
{
    et_arena_block *first = from->head;
    if (!first) return;
    from->head = NULL;
    a->bytes += from->bytes;
    from->bytes = 0;
    if (!a->head) { a->head = first; return; }
    /* behind a's current block, which allocation goes on filling */
    et_arena_block *last = first;
    while (last->next) last = last->next;
    last->next = a->head->next;
    a->head->next = first;
}
