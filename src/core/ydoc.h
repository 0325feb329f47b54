/* ydoc.h: YAML documents as small trees with source positions, read with libyaml. */
#ifndef EVTRIAGE_YDOC_H
#define EVTRIAGE_YDOC_H
#include <stdbool.h>
#include <stddef.h>
#include "core/arena.h"

/* Every reader of YAML here reads untrusted files: a document nests at most this many lists and
 * maps deep, counted through aliases too (libyaml's cost per token grows with the depth, and
 * readers walk the trees recursively). */
#define YDOC_MAX_DEPTH 100
/* An alias stands for the whole node it names, and readers copy what they read: a file's
 * aliases may add at most this many bytes to it, a node counting as its text and
 * YDOC_NODE_BYTES (a 1 MiB anchor used 1,000 times would add 1 GB). Counted as the tree is
 * built, over all of a file's documents. */
#define YDOC_MAX_ALIAS_BYTES ((size_t)16 << 20)
#define YDOC_NODE_BYTES 64

typedef enum { YN_SCALAR, YN_SEQ, YN_MAP } yn_kind;

typedef struct ynode {
    yn_kind kind;
    int line, col;       /* 1-based position of the node's first character */
    bool plain;          /* scalar written without quotes (null/true/numbers are plain) */
    const char *str;     /* scalar text, NUL-terminated */
    const char *tag;     /* explicit tag as written (e.g. "!uint32"), or NULL */
    size_t len;
    struct ynode **items;   /* sequence items; for maps keys at 2i, values at 2i+1 */
    size_t n;            /* number of items (maps: 2 x pairs) */
    unsigned height;     /* lists and maps: levels of them from here down (1 with scalars only); scalars: 0 */
    bool open;           /* a list or map still being read */
    size_t xsize;        /* once read: its size with aliases expanded (text + YDOC_NODE_BYTES a node) */
} ynode;

/* Called once per document of a file; return non-zero to stop. */
typedef int (*ydoc_fn)(const ynode *root, int docno, void *ctx);

/* Parses every document of path (or of the NUL-terminated text when text != NULL) into
 * nodes allocated in arena (they live as long as the arena). On a syntax error returns -1
 * and fills *line, *col and err. */
int ydoc_parse(const char *path, const char *text, et_arena *arena, ydoc_fn fn, void *ctx,
               char *err, size_t errlen, int *line, int *col);
/* The same over len bytes of text that begin at line first_line + 1 of their file (positions
 * are the file's): some whole documents of it (ydoc_many.c). *alias_bytes: what aliases of the
 * file's pieces before it added (within YDOC_MAX_ALIAS_BYTES); on return, with this piece's. */
int ydoc_parse_piece(const char *text, size_t len, int first_line, et_arena *arena, ydoc_fn fn, void *ctx,
                     char *err, size_t errlen, int *line, int *col, size_t *alias_bytes);

/* ---- several sources at once (ydoc_many.c) ------------------------------------------------ */
typedef struct ydoc_source {
    const char *path;       /* read from here, or names text in messages */
    const char *text;       /* NUL-terminated text, or NULL to read path */
} ydoc_source;
typedef struct ydoc_parsed {
    const ynode *const *docs;   /* the documents read before any syntax error, in order */
    size_t ndocs;
    const char *error;          /* NULL, or the syntax error that ended the source */
    int line, col;              /* where the error is (0 when not at a position) */
} ydoc_parsed;
/* Called once per source, in source order, on the calling thread. */
typedef void (*ydoc_each_fn)(size_t i, const ydoc_parsed *p, void *ctx);
/* Parses n sources side by side on up to threads threads (1: here, one after the other), each
 * into an arena of its own that then joins keep, so the nodes live as long as keep. Each source
 * is handed to fn as soon as it and those before it are parsed. */
void ydoc_parse_many(const ydoc_source *src, size_t n, int threads, et_arena *keep, ydoc_each_fn fn, void *ctx);

/* Map lookup: value of key, or NULL. */
const ynode *yn_get(const ynode *map, const char *key);
/* Key node of pair i of a map. */
static inline const ynode *yn_key(const ynode *map, size_t i) { return map->items[2 * i]; }
static inline const ynode *yn_val(const ynode *map, size_t i) { return map->items[2 * i + 1]; }
static inline size_t yn_pairs(const ynode *map) { return map && map->kind == YN_MAP ? map->n / 2 : 0; }
/* A plain scalar spelled null, Null, NULL or ~ (or empty). */
bool yn_is_null(const ynode *n);
/* A file name ending in .yml or .yaml, in any case. */
bool ydoc_file_name(const char *name);
/* Scalar text or NULL when n is not a scalar. */
const char *yn_str(const ynode *n);
/* The entry of the NULL-terminated known list closest to s (edit distance <= 2), or NULL:
 * "did you mean ...?" for misspelt keys. */
const char *yn_suggest(const char *s, const char *const *known);

#endif
