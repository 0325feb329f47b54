/* inventory.h: what was read from each input (hash, counts, time range, hosts, channels,
 * problems): the forensic record of an analysis, filled while events stream past. */
#ifndef EVTRIAGE_INVENTORY_H
#define EVTRIAGE_INVENTORY_H
#include "core/event.h"
#include "reader/evtx_reader.h"
#include "report/report.h"

#define ET_INV_MAX_HOSTS 64
#define ET_INV_MAX_CHANNELS 64
#define ET_INV_MAX_PROBLEMS 50
#define ET_INV_MAX_STREAMS 64

/* Notes one event's host and channel (bounded distinct sets) and its record id and time in
 * their stream. */
void et_input_note_event(et_input *in, const et_event *ev);
/* Adds what src noted (one unit of a file) to dst (the file). */
void et_input_merge(et_input *dst, const et_input *src);
/* Records a problem message (kept up to a bound, always counted). */
void et_input_add_problem(et_input *in, const char *msg);
/* The same, said before every other (what is wrong with the file as a whole, known at its end). */
void et_input_add_problem_first(et_input *in, const char *msg);
/* Copies the reader's final counts. */
void et_input_end(et_input *in, const et_reader_stats *st);

#endif
