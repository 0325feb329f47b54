/* event_json.h: serializes normalized events as JSON objects and CSV rows. */
#ifndef EVTRIAGE_EVENT_JSON_H
#define EVTRIAGE_EVENT_JSON_H
#include "core/event.h"
#include "core/outbuf.h"

/* Appends one JSON object (no newline) with the keys documented in docs/output.md. */
void et_event_to_json(et_buf *b, const et_event *ev);
/* Appends the value of a column as a CSV cell (et_csv_cell; clean: for a terminal): a top-level
 * key (record_id, timestamp, ...) or an EventData/UserData field name. Empty when absent.
 * Returns 0 if the name is unknown as a top-level key and the event has no such field. */
int et_event_column(et_buf *b, const et_event *ev, const char *column, bool clean);

#endif
