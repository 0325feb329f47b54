/* scenario.h: a synth scenario (hosts, their log files, their events) read from YAML into a
 * model the EVTX writer consumes. Values keep their BinXML types; every node remembers its
 * YAML position so problems read `file:line:column: message`. */
#ifndef EVTRIAGE_SCENARIO_H
#define EVTRIAGE_SCENARIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"

/* One typed value, encoded as BinXML substitution bytes (little-endian; strings UTF-16LE). */
typedef struct sy_value {
    uint8_t type;            /* BX_* (reader/values.h) */
    const uint8_t *data;
    uint32_t size;
} sy_value;

typedef struct sy_attr { const char *name, *value; } sy_attr;

/* An element of the payload: EventData/UserData and everything under them. A leaf has a
 * value (a substitution); other elements have children. Attributes are literal text, at most
 * SY_MAX_ATTRS of them (more is a scenario error). */
#define SY_MAX_ATTRS 64
typedef struct sy_node {
    const char *name;
    sy_attr *attrs; size_t nattrs;
    const sy_value *value;
    struct sy_node *children; size_t nchildren;
} sy_node;

typedef struct sy_event {
    int line, col;                 /* where the event is written */
    int64_t time;                  /* FILETIME */
    uint16_t event_id;
    bool has_qualifiers, has_version, has_level, has_task, has_opcode, has_keywords;
    bool has_record_id, has_process_id, has_thread_id, has_activity_id, has_related_activity_id;
    uint16_t qualifiers, task;
    uint8_t version, level, opcode;
    uint64_t keywords, record_id;
    uint32_t process_id, thread_id;
    uint8_t activity_id[16], related_activity_id[16];
    const char *provider;          /* Provider Name */
    const char *provider_guid;     /* "{...}" as written, or NULL */
    const char *event_source;      /* EventSourceName (classic sources), or NULL */
    const char *computer;
    const char *channel;
    const sy_value *user_sid;      /* NULL: no Security UserID */
    const sy_node *payload;        /* EventData / UserData element, or NULL */
} sy_event;

typedef struct sy_file {
    const char *channel;
    const char *path;              /* relative to the output folder: HOST/Channel.evtx */
    sy_event *events; size_t nevents;   /* in write order (time order, repeats expanded) */
    uint64_t first_record_id;      /* automatic record ids start here (default 1) */
} sy_file;

typedef struct sy_scenario {
    const char *name, *description;
    sy_file *files; size_t nfiles;
    et_arena arena;                /* owns everything above */
} sy_scenario;

/* Problems go to diag as (line, col, message); path names the file in them. */
typedef void (*sy_diag_fn)(const char *path, int line, int col, const char *message, void *ctx);

/* Reads a scenario from path (or from text when text != NULL). Returns NULL after reporting
 * every problem through diag (*nerrors counts them). */
sy_scenario *sy_scenario_load(const char *path, const char *text, sy_diag_fn diag, void *ctx, int *nerrors);
void sy_scenario_free(sy_scenario *s);

/* The file name Windows gives a channel's log: "/" becomes "%4" (Microsoft-Windows-X%4Admin). */
void sy_channel_file_name(const char *channel, char *out, size_t outlen);

#endif
