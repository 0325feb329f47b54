/* binxml.h: decodes one EVTX record's Binary XML (templates, substitutions) into an et_event. */
#ifndef EVTRIAGE_BINXML_H
#define EVTRIAGE_BINXML_H
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"
#include "core/event.h"

typedef struct bx_decoder bx_decoder;

bx_decoder *bx_decoder_new(void);
void bx_decoder_free(bx_decoder *d);
/* Points the decoder at a chunk (64 KiB). Name offsets and template offsets in
 * records are relative to it. Clears the per-chunk name cache and its arena. */
void bx_decoder_set_chunk(bx_decoder *d, const uint8_t *chunk, uint32_t len);
/* Decodes the BinXML at chunk offsets [off, end) into ev: System values and fields.
 * Strings go to arena (reset by the caller per record). Returns 0, or -1 with a
 * message in err; on 0, err is "" or says what was decoded but left out (fields past 4,096,
 * attributes past 32 on one element: bounds on hostile input, never reached by a real record).
 * ev->file, record_id, timestamp and recovered are left to the caller. */
int bx_decode_record(bx_decoder *d, uint32_t off, uint32_t end, et_event *ev, et_arena *arena,
                     char *err, size_t errlen);

#endif
