/* event.h: the normalized event every reader yields and every later stage consumes. */
#ifndef EVTRIAGE_EVENT_H
#define EVTRIAGE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One EventData/UserData value by name. Strings are UTF-8, NUL-terminated,
 * owned by the event's arena and valid until the reader's next call. */
typedef struct et_field {
    const char *name;
    const char *value;
} et_field;

/* Optional numeric System values carry a has_ flag (absent in the XML => false). */
typedef struct et_event {
    const char *file;          /* path as given by the user */
    uint64_t record_id;
    int64_t timestamp;         /* FILETIME: 100 ns ticks since 1601-01-01 UTC */
    uint32_t event_id;
    bool has_qualifiers, has_version, has_level, has_task, has_opcode, has_keywords;
    bool has_process_id, has_thread_id;
    uint16_t qualifiers;
    uint8_t version, level, opcode;
    uint16_t task;
    uint64_t keywords;
    uint32_t process_id, thread_id;
    const char *provider;      /* NULL when absent */
    const char *provider_guid; /* "{XXXXXXXX-...}" as Windows renders it, or NULL */
    const char *channel;
    const char *computer;
    const char *user_sid;
    bool recovered;            /* carved from chunk slack or a damaged chunk */
    size_t nfields;
    const et_field *fields;
} et_event;

/* Value of the field called name, or NULL. */
const char *et_event_field(const et_event *ev, const char *name);

#endif
