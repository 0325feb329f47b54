/* inputs.h: turns command-line paths (files, directories, archives) into a stream of EVTX
 * files to read: EVTX recognised by signature, archives read without unpacking to the
 * user's disk, hostile archives refused with a message, everything else listed as skipped. */
#ifndef EVTRIAGE_INPUTS_H
#define EVTRIAGE_INPUTS_H
#include <stdbool.h>
#include <stdint.h>
#include "core/source.h"

typedef struct et_input_limits {
    uint64_t max_total_bytes;   /* expanded bytes per top-level archive */
    uint64_t max_member_bytes;  /* one member */
    double max_ratio;           /* expanded / compressed bytes of an archive */
    uint64_t max_members;       /* members per archive */
    int max_depth;              /* archives within archives (1: a zip inside a zip) */
    bool hash_while_inflating;  /* not a limit: a zip member too big for memory is hashed by a
                                   second thread as it inflates (the scan sets it when it hashes
                                   on more than one thread); default false */
} et_input_limits;

/* Documented defaults (docs/inputs.md): 16 GiB total, 4 GiB per member, ratio 200, 100,000 members, depth 1. */
void et_input_limits_default(et_input_limits *l);

/* src: the EVTX bytes (a file's descriptor, or an archive member inflated into memory or an
 * unnamed temporary file), owned by the callee from here on; display: what to call it in
 * output ("upload.zip!HOST1/System.evtx"); depth: archives around it (0: a file given, or found
 * in a folder); note: a problem known before reading (a damaged member: src holds what came
 * before the damage, and note says why), else NULL; share: for a member inflated in the walk (a
 * tar's, a .gz's) of an archive given as a path, the bytes of that archive it stands for on the
 * progress line once its records are read (the walk said the rest of what it read for it as it
 * inflated, through consumed), else 0 (a file given stands for its own size). Return non-zero
 * to stop. */
typedef int (*et_input_fn)(et_source src, const char *display, int depth, uint64_t share, const char *note,
                           void *ctx);
/* A problem with display (unreadable, refused, or skipped: is_skip says it was only not EVTX). */
typedef void (*et_input_problem_fn)(const char *display, const char *message, int is_skip, void *ctx);

/* A zip member, not yet inflated (its header passed the limits): the callee owns m and
 * hands it to et_inputs_walk_member() on any thread, so a zip's members are read in parallel. */
typedef struct et_zip_member et_zip_member;
typedef int (*et_input_member_fn)(et_zip_member *m, const char *display, void *ctx);

/* An archive (a file, or a member that is itself an archive) once its members have been handed
 * on, whether it could be listed or not: fd holds its bytes during the call (dup() it to keep
 * them); members: the entries it lists that are not folders. The forensic record of what was
 * received: the container is hashed as well as every EVTX file in it. */
typedef void (*et_input_archive_fn)(int fd, const char *display, uint64_t members, void *ctx);

typedef struct et_input_callbacks {
    et_input_fn file;
    et_input_member_fn member;   /* optional: without it every member is inflated in the walk */
    et_input_problem_fn problem;
    et_input_archive_fn archive; /* optional */
    /* optional: bytes of an archive given as a path that the walk has now gone past and that no
     * member handed on stands for (what a tar's members took, its headers...), in walk order:
     * with the members' weights (et_zip_member_weight) and the files not in archives, they
     * add up to the size of every path given, the progress line's total; reading: the member
     * being inflated as they were read (said while it is, not only once it is through), or NULL */
    void (*consumed)(uint64_t bytes, const char *reading, void *ctx);
    /* optional: a path given whose size could not be known before it was read (a pipe) held
     * bytes, all of them (so the progress line's total grows by them); said before its file */
    void (*sized)(uint64_t bytes, void *ctx);
    /* optional: the walk could not open a file or folder for want of descriptors (EMFILE,
     * ENFILE: a low hard limit, many files in flight): let the files in flight go (wait until
     * they are read) and return true, so it tries once more, or false if nothing would change */
    bool (*starved)(void *ctx);
    void *ctx;
} et_input_callbacks;

/* Walks paths in order: a directory is walked recursively in name order; every regular file
 * is sniffed: EVTX -> file, archive -> its members, else skipped (reported only for files given
 * explicitly or found inside archives; other files found in directories are ignored unless
 * named *.evtx). Members are sniffed by their first bytes before anything else is inflated.
 * Returns the number of problems (skips not counted). */
int et_inputs_walk(char **paths, int npaths, const et_input_limits *limits, const et_input_callbacks *cb);

/* "-" as a path is standard input, read like a file given (a pipe's bytes copied first), and
 * called ET_STDIN_DISPLAY in output; "./-" is a file named "-". */
#define ET_STDIN_DISPLAY "(standard input)"
bool et_is_stdin_path(const char *path);

/* Inflates m and walks what it holds as et_inputs_walk would (EVTX -> cb->file, a nested
 * archive -> its members, else skipped), on the calling thread; frees m. cb->member is not
 * used (a nested zip is read here). Returns the number of problems. */
int et_inputs_walk_member(et_zip_member *m, const char *display, const et_input_limits *limits,
                          const et_input_callbacks *cb);

/* What the first bytes of a file are. */
enum { ET_KIND_OTHER = 0, ET_KIND_EVTX, ET_KIND_ARCHIVE };
int et_sniff_bytes(const unsigned char *p, unsigned long n);
/* Whether they are a compression libarchive undoes (gzip, xz, bzip2, zstd, lz4): an archive
 * compressed (a .tar.gz), or one file compressed (Security.evtx.gz), read as its only member. */
bool et_sniff_compressed(const unsigned char *p, unsigned long n);

#endif
